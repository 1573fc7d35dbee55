#pragma once
// The two matrix products every linear-in-the-parents plugin needs, on raw row-major
// buffers through CBLAS so that no temporary is created.
#include "framework/matrix.hpp"

namespace helmholtz {

// out = inputs * weights^T (+ out if accumulate): inputs is N x K, weights is M x K
// (stored as the flat row-major block starting at weights), out is N x M.
void multiply_by_transpose(const Matrix& inputs, const double* weights, std::size_t rows_of_weights,
                           Matrix& out, bool accumulate = false);

// The same on raw buffers: out (n x m) (+)= inputs (n x k, leading dimension lda) *
// weights^T (weights m x k, contiguous rows).
void multiply_by_transpose(std::size_t n, std::size_t k, const double* inputs, std::size_t lda, const double* weights,
                           std::size_t m, double* out, bool accumulate);

// gradient += scale * deltas^T * inputs: deltas is N x M, inputs is N x K, gradient is
// the flat row-major M x K block starting at gradient.
void accumulate_outer(const Matrix& deltas, const Matrix& inputs, double scale, double* gradient);

// c (m x n, leading dimension ldc) += a (m x k, lda) * b (k x n, ldb), all row-major.
void multiply_add(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
                  std::size_t ldb, double* c, std::size_t ldc);

// The same in single precision (training with --precision float32), through sgemm.
void multiply_by_transpose(const MatrixF& inputs, const float* weights, std::size_t rows_of_weights, MatrixF& out,
                           bool accumulate = false);
void accumulate_outer(const MatrixF& deltas, const MatrixF& inputs, float scale, float* gradient);

// Engines that run their own threads keep BLAS to one thread while they do, so that two
// levels of threading do not fight over the cores. The BLAS thread count is one setting for
// the whole process, and scopes on several threads may overlap (two networks trained side by
// side from Python, each scoring its epochs): the first scope to open records the setting and
// the last to close restores it, so that overlapping scopes never leave one of theirs behind.
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int threads);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;
};

// Whether a scope that takes BLAS down to one thread also stops OpenBLAS's idle pool threads
// (default: yes; they spin for a while after each threaded call, taking a core from the
// engine's own threads). Stopping the pool while another thread is inside a threaded BLAS call
// can hang that call, so a program that may run BLAS on several threads at once (the Python
// module: numpy, or networks trained in two threads) turns it off, once, before any work.
void set_blas_pool_shutdown(bool enabled);

}  // namespace helmholtz
