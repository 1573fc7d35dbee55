#include "framework/patterns.hpp"

#include <algorithm>

#include "framework/error.hpp"

namespace helmholtz {

Matrix to_matrix(const ByteMatrix& patterns) {
  Matrix out = Matrix::from_shape({patterns.shape(0), patterns.shape(1)});
  std::copy(patterns.begin(), patterns.end(), out.begin());
  return out;
}

ByteMatrix to_bytes(const Matrix& patterns) {
  ByteMatrix out = ByteMatrix::from_shape({patterns.shape(0), patterns.shape(1)});
  auto to = out.begin();
  for (double x : patterns) {
    if (x != 0.0 && x != 1.0) throw Error("patterns of binary units hold 0 and 1 only, not " + std::to_string(x));
    *to++ = static_cast<std::uint8_t>(x);
  }
  return out;
}

template <class T>
void gather_rows(const ByteMatrix& patterns, std::span<const std::size_t> rows, Tensor<T, 2>& out) {
  const std::size_t width = patterns.shape(1);
  ensure_shape(out, rows.size(), width);
  T* to = out.data();
  for (std::size_t row : rows) {
    const std::uint8_t* from = patterns.data() + row * width;
    for (std::size_t j = 0; j < width; ++j) to[j] = static_cast<T>(from[j]);
    to += width;
  }
}

template void gather_rows(const ByteMatrix&, std::span<const std::size_t>, Matrix&);
template void gather_rows(const ByteMatrix&, std::span<const std::size_t>, MatrixF&);

void prefetch_rows(const ByteMatrix& patterns, std::span<const std::size_t> rows) {
  constexpr std::size_t line = 64;
  const std::size_t width = patterns.shape(1);
  for (std::size_t row : rows) {
    const char* from = reinterpret_cast<const char*>(patterns.data() + row * width);
    for (std::size_t offset = 0; offset < width; offset += line) __builtin_prefetch(from + offset);
    if (width > 0) __builtin_prefetch(from + width - 1);  // a row that straddles a line boundary
  }
}

void copy_rows(const Matrix& data, std::size_t first, std::size_t count, Matrix& block) {
  const std::size_t width = data.shape(1);
  ensure_shape(block, count, width);
  std::copy(data.data() + first * width, data.data() + (first + count) * width, block.data());
}

Matrix first_rows(const ByteMatrix& patterns, std::size_t count) {
  count = std::min(count, patterns.shape(0));
  Matrix out = Matrix::from_shape({count, patterns.shape(1)});
  std::copy(patterns.data(), patterns.data() + count * patterns.shape(1), out.data());
  return out;
}

}  // namespace helmholtz
