#include "framework/linear_algebra.hpp"

#include <atomic>
#include <cmath>
#include <mutex>

#include <cblas.h>

namespace helmholtz {

void multiply_by_transpose(const Matrix& inputs, const double* weights, std::size_t rows_of_weights,
                           Matrix& out, bool accumulate) {
  const auto n = static_cast<int>(inputs.shape(0));
  const auto k = static_cast<int>(inputs.shape(1));
  const auto m = static_cast<int>(rows_of_weights);
  if (n == 0 || m == 0) return;
  if (k == 0) {
    if (!accumulate) out.fill(0.0);
    return;
  }
  if (n == 1) {  // one pattern (the online path): a matrix-vector product, which BLAS does faster
    cblas_dgemv(CblasRowMajor, CblasNoTrans, m, k, 1.0, weights, k, inputs.data(), 1, accumulate ? 1.0 : 0.0,
                out.data(), 1);
    return;
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, m, k, 1.0, inputs.data(), k, weights, k,
              accumulate ? 1.0 : 0.0, out.data(), m);
}

void multiply_by_transpose(std::size_t n, std::size_t k, const double* inputs, std::size_t lda, const double* weights,
                           std::size_t m, double* out, bool accumulate) {
  if (n == 0 || m == 0 || k == 0) return;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), 1.0,
              inputs, static_cast<int>(lda), weights, static_cast<int>(k), accumulate ? 1.0 : 0.0, out,
              static_cast<int>(m));
}

void accumulate_outer(const Matrix& deltas, const Matrix& inputs, double scale, double* gradient) {
  const auto n = static_cast<int>(deltas.shape(0));
  const auto m = static_cast<int>(deltas.shape(1));
  const auto k = static_cast<int>(inputs.shape(1));
  if (n == 0 || m == 0 || k == 0) return;
  if (n == 1) {
    // One pattern: the rank-one update written out, each entry g += scale (delta_j x_i) as one
    // fused multiply-add. For the 0/1 states of a pattern delta_j x_i is exact, so adding it
    // into a zeroed gradient and then stepping by `scale` gives the same bits as adding it
    // into the parameters with `scale` the rate (DirectionLearner's online step in place).
    const double* d = deltas.data();
    const double* x = inputs.data();
    for (int j = 0; j < m; ++j) {
      double* row = gradient + static_cast<std::size_t>(j) * static_cast<std::size_t>(k);
      const double dj = d[j];
      for (int i = 0; i < k; ++i) row[i] = std::fma(scale, dj * x[i], row[i]);
    }
    return;
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, k, n, scale, deltas.data(), m,
              inputs.data(), k, 1.0, gradient, k);
}

void multiply_add(std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda, const double* b,
                  std::size_t ldb, double* c, std::size_t ldc) {
  if (m == 0 || n == 0 || k == 0) return;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0, a, static_cast<int>(lda), b, static_cast<int>(ldb), 1.0, c,
              static_cast<int>(ldc));
}

void multiply_by_transpose(const MatrixF& inputs, const float* weights, std::size_t rows_of_weights, MatrixF& out,
                           bool accumulate) {
  const auto n = static_cast<int>(inputs.shape(0));
  const auto k = static_cast<int>(inputs.shape(1));
  const auto m = static_cast<int>(rows_of_weights);
  if (n == 0 || m == 0) return;
  if (k == 0) {
    if (!accumulate) out.fill(0.0f);
    return;
  }
  if (n == 1) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, m, k, 1.0f, weights, k, inputs.data(), 1, accumulate ? 1.0f : 0.0f,
                out.data(), 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, m, k, 1.0f, inputs.data(), k, weights, k,
              accumulate ? 1.0f : 0.0f, out.data(), m);
}

void accumulate_outer(const MatrixF& deltas, const MatrixF& inputs, float scale, float* gradient) {
  const auto n = static_cast<int>(deltas.shape(0));
  const auto m = static_cast<int>(deltas.shape(1));
  const auto k = static_cast<int>(inputs.shape(1));
  if (n == 0 || m == 0 || k == 0) return;
  if (n == 1) {
    cblas_sger(CblasRowMajor, m, k, scale, deltas.data(), 1, inputs.data(), 1, gradient, k);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, k, n, scale, deltas.data(), m, inputs.data(), k, 1.0f,
              gradient, k);
}

// OpenBLAS's idle pool threads spin (sched_yield) for a while after start-up and after each
// threaded call, taking a core from an engine that runs threads of its own: on 2 cores, a
// 50 ms exact enumeration took 80 ms beside them. Shutting the pool down stops them; the
// next threaded call starts it again. Weak: a BLAS without the symbol just keeps its pool.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

namespace {

std::atomic<bool> pool_shutdown{true};
std::mutex scopes_mutex;
int open_scopes = 0;        // guarded by scopes_mutex
int setting_before = 0;     // the thread count when the first open scope opened

}  // namespace

void set_blas_pool_shutdown(bool enabled) { pool_shutdown.store(enabled); }

ScopedBlasThreads::ScopedBlasThreads(int threads) {
  const std::lock_guard<std::mutex> lock(scopes_mutex);
  const int current = openblas_get_num_threads();
  if (open_scopes++ == 0) setting_before = current;
  openblas_set_num_threads(threads);
  if (threads == 1 && current > 1 && pool_shutdown.load() && blas_thread_shutdown_) blas_thread_shutdown_();
}

ScopedBlasThreads::~ScopedBlasThreads() {
  const std::lock_guard<std::mutex> lock(scopes_mutex);
  if (--open_scopes == 0) openblas_set_num_threads(setting_before);
}

}  // namespace helmholtz
