#pragma once
// Value types shared by every engine and plugin. States of binary units are stored as
// doubles (0.0 or 1.0) so that a minibatch of states can go straight into a matrix product.
// Training in single precision (train --precision float32) uses the same shapes in float;
// data sets are held as bytes (one per unit), an eighth of their size as doubles.
#include <cstddef>
#include <cstdint>
#include <vector>
#include <xsimd/xsimd.hpp>
#include <xtensor/xtensor.hpp>

namespace helmholtz {

// Arrays of N dimensions, row-major, their elements aligned to 32 bytes (an AVX register)
// whatever processor the code is compiled for. xtensor's default allocator aligns to the
// compiler's target instead, so a program compiled without AVX would see another type than the
// library compiled with it, and the two could not be linked.
template <class T, std::size_t N>
using Tensor = xt::xtensor<T, N, xt::layout_type::row_major, xsimd::aligned_allocator<T, 32>>;

using Matrix = Tensor<double, 2>;  // patterns x units
using Vector = Tensor<double, 1>;
using MatrixF = Tensor<float, 2>;  // the same in single precision
using VectorF = Tensor<float, 1>;
// patterns x units, each 0 or 1; on a std::vector, so that a reader can fill one and hand
// it over without a copy.
using ByteMatrix = xt::xtensor_container<std::vector<std::uint8_t>, 2, xt::layout_type::row_major>;

// Resizes only when the shape differs, so that buffers reused across calls of the same
// shape (the online path) never allocate.
template <class T>
void ensure_shape(Tensor<T, 2>& m, std::size_t rows, std::size_t cols) {
  if (m.shape(0) != rows || m.shape(1) != cols) m.resize({rows, cols});
}
template <class T>
void ensure_shape(Tensor<T, 1>& v, std::size_t size) {
  if (v.shape(0) != size) v.resize({size});
}

}  // namespace helmholtz
