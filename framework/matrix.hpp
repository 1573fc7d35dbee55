#pragma once
// Value types shared by every engine and plugin. States of binary units are stored as
// doubles (0.0 or 1.0) so that a minibatch of states can go straight into a matrix product.
// Training in single precision (train --precision float32) uses the same shapes in float;
// data sets are held as bytes (one per unit), an eighth of their size as doubles.
#include <cstddef>
#include <cstdint>
#include <vector>
#include <xtensor/xtensor.hpp>

namespace helmholtz {

using Matrix = xt::xtensor<double, 2>;  // patterns x units, row-major
using Vector = xt::xtensor<double, 1>;
using MatrixF = xt::xtensor<float, 2>;  // the same in single precision
using VectorF = xt::xtensor<float, 1>;
// patterns x units, each 0 or 1; on a std::vector, so that a reader can fill one and hand
// it over without a copy.
using ByteMatrix = xt::xtensor_container<std::vector<std::uint8_t>, 2, xt::layout_type::row_major>;

// Resizes only when the shape differs, so that buffers reused across calls of the same
// shape (the online path) never allocate.
template <class T>
void ensure_shape(xt::xtensor<T, 2>& m, std::size_t rows, std::size_t cols) {
  if (m.shape(0) != rows || m.shape(1) != cols) m.resize({rows, cols});
}
template <class T>
void ensure_shape(xt::xtensor<T, 1>& v, std::size_t size) {
  if (v.shape(0) != size) v.resize({size});
}

}  // namespace helmholtz
