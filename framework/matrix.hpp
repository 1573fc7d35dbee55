#pragma once
// Value types shared by every engine and plugin. States of binary units are stored as
// doubles (0.0 or 1.0) so that a minibatch of states can go straight into a matrix product.
#include <cstddef>
#include <xtensor/xtensor.hpp>

namespace helmholtz {

using Matrix = xt::xtensor<double, 2>;  // patterns x units, row-major
using Vector = xt::xtensor<double, 1>;

// Resizes only when the shape differs, so that buffers reused across calls of the same
// shape (the online path) never allocate.
inline void ensure_shape(Matrix& m, std::size_t rows, std::size_t cols) {
  if (m.shape(0) != rows || m.shape(1) != cols) m.resize({rows, cols});
}
inline void ensure_shape(Vector& v, std::size_t size) {
  if (v.shape(0) != size) v.resize({size});
}

}  // namespace helmholtz
