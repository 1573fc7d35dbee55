#pragma once
// Moves between a data set held as bytes (ByteMatrix, one 0/1 byte per unit: 60,000
// binarised 784-pixel images take 47 MB) and the floating-point minibatches engines compute
// with, in double or single precision.
#include <cstddef>
#include <span>

#include "framework/matrix.hpp"

namespace helmholtz {

// The patterns as doubles (0.0 or 1.0).
Matrix to_matrix(const ByteMatrix& patterns);
// The patterns as bytes; throws Error if an entry is neither 0 nor 1.
ByteMatrix to_bytes(const Matrix& patterns);

// out(i, .) = patterns(rows[i], .) as T, resized only when its shape changes.
template <class T>
void gather_rows(const ByteMatrix& patterns, std::span<const std::size_t> rows, Tensor<T, 2>& out);
// Asks the cache for the given rows ahead of a gather_rows of them: a shuffled epoch reads
// rows in random order, and at batch 1 the miss on each row costs as much as a small
// network's step.
void prefetch_rows(const ByteMatrix& patterns, std::span<const std::size_t> rows);

// The first `count` rows (all if there are fewer) as doubles.
Matrix first_rows(const ByteMatrix& patterns, std::size_t count);

// block = rows [first, first + count) of data, resized only when its shape changes (the
// engines that work through a data set a block of patterns at a time).
void copy_rows(const Matrix& data, std::size_t first, std::size_t count, Matrix& block);

}  // namespace helmholtz
