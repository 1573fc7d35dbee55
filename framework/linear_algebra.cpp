#include "framework/linear_algebra.hpp"

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
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, m, k, 1.0, inputs.data(), k, weights, k,
              accumulate ? 1.0 : 0.0, out.data(), m);
}

void accumulate_outer(const Matrix& deltas, const Matrix& inputs, double scale, double* gradient) {
  const auto n = static_cast<int>(deltas.shape(0));
  const auto m = static_cast<int>(deltas.shape(1));
  const auto k = static_cast<int>(inputs.shape(1));
  if (n == 0 || m == 0 || k == 0) return;
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, k, n, scale, deltas.data(), m,
              inputs.data(), k, 1.0, gradient, k);
}

}  // namespace helmholtz
