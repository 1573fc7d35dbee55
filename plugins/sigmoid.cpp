// sigmoid: the logistic belief-network unit (Neal 1992; Dayan et al. 1995, eq. 1).
//   p_j = sigmoid(a_j),  a_j = b_j + sum_k W_jk s_k,   all parameters real.
//   log P(s_j | a_j) = log_sigmoid(a_j) if s_j = 1, log_sigmoid(-a_j) if s_j = 0,
//   d log P / d a_j = s_j - p_j  (the delta rule of the wake-sleep paper).
// Incremental statistic: a_j itself, which changes by +-W_jk when parent unit k switches.
// Linear likelihood: log P(s | x) = s . a - sum_j softplus(a_j), with s . a = s . b + (W^T s) . x
// and -softplus(a_j) = log P(s_j = 0), whatever s_j.
// Mean field (the deterministic machine, Dayan et al. 1995, eq. 3.10): the same affine map at
// the parents' means m, p_j = sigmoid(b_j + sum_k W_jk m_k), so that binary means give the
// stochastic unit exactly. Its backward pass, with u = dF/dlog p and v = dF/dlog(1 - p):
//   dF/da_j = u_j (1 - p_j) - v_j p_j,   dF/db_j = dF/da_j,   dF/dW_jk = dF/da_j m_k,
//   dF/dm_k = sum_j dF/da_j W_jk.
#include <algorithm>
#include <cmath>

#include "framework/fisher_blocks.hpp"
#include "framework/incremental_statistics.hpp"
#include "framework/linear_likelihood.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/mean_field.hpp"
#include "framework/numerics.hpp"
#include "framework/vector_math.hpp"
#include "framework/weighted_distribution.hpp"

namespace helmholtz::plugins {
namespace {

class Sigmoid final : public WeightedDistribution,
                      public IncrementalStatistics,
                      public LinearLikelihood,
                      public FisherBlocks,
                      public MeanField {
 public:
  // All parameters real; biases start at 0 and weights uniform in [-0.1, 0.1].
  explicit Sigmoid(NodeShape shape)
      : WeightedDistribution(std::move(shape), {.initial = {0.0, 0.0}}, {.initial = {-0.1, 0.1}}) {}
  std::string_view kind() const override { return "sigmoid"; }

  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    affine(parents, log_on);
    ensure_shape(log_off, log_on.shape(0), log_on.shape(1));
    auto off = log_off.begin();
    for (double& a : log_on) {
      *off++ = numerics::log_sigmoid(-a);
      a = numerics::log_sigmoid(a);
    }
  }

  std::size_t statistics_per_unit() const override { return 1; }
  void statistics_with_parents_off(double* stats) const override {
    for (std::size_t j = 0; j < units(); ++j) stats[j] = bias(j);
  }
  void switch_parent(double* stats, std::size_t k, bool on) const override {
    const double* column = weights_from(k);
    const std::size_t stride = parent_units();
    if (on)
      for (std::size_t j = 0; j < units(); ++j) stats[j] += column[j * stride];
    else
      for (std::size_t j = 0; j < units(); ++j) stats[j] -= column[j * stride];
  }
  void log_firing_from_statistics(const double* stats, double* log_on, double* log_off) const override {
    vector_math::log_sigmoid_pair(stats, log_on, log_off, units());
  }

  void linear_terms(const double* states, double& offset, double* slope) const override {
    offset = 0;
    const std::size_t k_count = parent_units();
    std::fill(slope, slope + k_count, 0.0);
    for (std::size_t j = 0; j < units(); ++j) {
      if (states[j] == 0.0) continue;
      offset += bias(j);
      const double* row = weight_data() + j * k_count;
      for (std::size_t k = 0; k < k_count; ++k) slope[k] += row[k];
    }
  }
  bool residual_depends_on_state() const override { return false; }
  bool sums_residual_from_statistics() const override { return true; }
  double residual_sum_from_statistics(const double* stats) const override {
    return -vector_math::softplus_sum(stats, units());  // sum_j log P(off_j) = -sum_j softplus(a_j)
  }
  void residuals(const double* /*log_on*/, const double* log_off, double* /*on_residual*/,
                 double* off_residual) const override {
    std::copy(log_off, log_off + units(), off_residual);
  }

  void probabilities(const Matrix& parents, Matrix& p) const override {
    affine(parents, p);
    vector_math::sigmoid_in_place(p.data(), p.size());
  }

  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p,
                       Workspace& workspace) const override {
    Matrix& work = workspace.first;
    affine(parents, work);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n)
      log_p(n) = vector_math::log_sigmoid_sum(work.data() + n * units(), states.data() + n * units(), units());
  }

  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                           std::span<double> gradient, Workspace& workspace) const override {
    affine(parents, workspace.first);
    accumulate_gradient_after_log_probability(parents, states, weights, gradient, workspace);
  }

  // log_probability left a = b + W x in workspace.first.
  void accumulate_gradient_after_log_probability(const Matrix& parents, const Matrix& states, const Vector& weights,
                                                 std::span<double> gradient, Workspace& workspace) const override {
    Matrix& work = workspace.first;
    vector_math::sigmoid_in_place(work.data(), work.size());
    const double* s = states.data();
    double* w = work.data();
    for (std::size_t i = 0, n = work.size(); i < n; ++i) w[i] = s[i] - w[i];
    accumulate_affine_gradient(parents, work, weights, gradient);
  }

  bool gradient_affine_in_states() const override { return true; }  // delta = s - p
  bool gradient_may_alias_parameters() const override { return true; }  // reads a = b + W x first

  // Single precision: the same four on sgemm.
  void log_firing_probabilities_single(const MatrixF& parents, MatrixF& log_on, MatrixF& log_off,
                                       WorkspaceF& /*work*/) const override {
    affine_single(parents, log_on);
    ensure_shape(log_off, log_on.shape(0), log_on.shape(1));
    vector_math::log_sigmoid_pair(log_on.data(), log_on.data(), log_off.data(), log_on.size());
  }

  void probabilities_single(const MatrixF& parents, MatrixF& p, WorkspaceF& /*work*/) const override {
    affine_single(parents, p);
    vector_math::sigmoid_in_place(p.data(), p.size());
  }

  void log_probability_single(const MatrixF& parents, const MatrixF& states, VectorF& log_p,
                              WorkspaceF& workspace) const override {
    MatrixF& a = workspace.first;
    affine_single(parents, a);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n)
      log_p(n) = static_cast<float>(vector_math::log_sigmoid_sum(a.data() + n * units(), states.data() + n * units(), units()));
  }

  void accumulate_gradient_single(const MatrixF& parents, const MatrixF& states, const VectorF& weights,
                                  std::span<float> gradient, WorkspaceF& workspace) const override {
    affine_single(parents, workspace.first);
    accumulate_gradient_after_log_probability_single(parents, states, weights, gradient, workspace);
  }

  void accumulate_gradient_after_log_probability_single(const MatrixF& parents, const MatrixF& states,
                                                        const VectorF& weights, std::span<float> gradient,
                                                        WorkspaceF& workspace) const override {
    MatrixF& work = workspace.first;
    vector_math::sigmoid_in_place(work.data(), work.size());
    const float* s = states.data();
    float* w = work.data();
    for (std::size_t i = 0, n = work.size(); i < n; ++i) w[i] = s[i] - w[i];
    accumulate_affine_gradient_single(parents, work, weights, gradient);
  }

  // Fisher blocks: unit j's block is [b_j, W_j0 .. W_jK-1], F_j = sum_n w_n p (1 - p) x~ x~^T.
  std::size_t fisher_block_size() const override { return 1 + parent_units(); }
  void fisher_block_indices(std::size_t unit, std::size_t* indices) const override {
    indices[0] = unit;
    for (std::size_t k = 0; k < parent_units(); ++k) indices[1 + k] = units() + unit * parent_units() + k;
  }
  void accumulate_fisher_blocks(const Matrix& parents, const Vector& weights, double* blocks,
                                Workspace& workspace) const override {
    Matrix& p = workspace.first;
    probabilities(parents, p);
    const std::size_t size = fisher_block_size(), k_count = parent_units();
    for (std::size_t j = 0; j < units(); ++j) {
      double* block = blocks + j * size * size;
      for (std::size_t n = 0; n < parents.shape(0); ++n) {
        const double c = weights(n) * p(n, j) * (1.0 - p(n, j));
        if (c == 0.0) continue;
        const double* x = parents.data() + n * k_count;
        block[0] += c;
        for (std::size_t a = 0; a < k_count; ++a) {
          const double cx = c * x[a];
          if (cx == 0.0) continue;
          block[1 + a] += cx;
          block[(1 + a) * size] += cx;
          double* row = block + (1 + a) * size + 1;
          for (std::size_t b = 0; b < k_count; ++b) row[b] += cx * x[b];
        }
      }
    }
  }

  void mean_field(const Matrix& means, Matrix& log_on, Matrix& log_off) const override {
    log_firing_probabilities(means, log_on, log_off);  // eq. 3.10 is the stochastic rule at the means
  }

  void mean_field_backward(const Matrix& means, const Matrix& d_on, const Matrix& d_off, std::span<double> gradient,
                           Matrix& mean_gradient, Workspace& workspace) const override {
    Matrix& deltas = workspace.first;  // dF/da, in place of a
    affine(means, deltas);
    const double* u = d_on.data();
    const double* v = d_off.data();
    double* w = deltas.data();
    for (std::size_t i = 0, n = deltas.size(); i < n; ++i) {
      // p and 1 - p from one exp(-|a|), each to full relative precision (1 - p is not
      // formed by subtraction, which would lose it where p is near 1).
      const double a = w[i], e = std::exp(-std::abs(a)), big = 1.0 / (1.0 + e), small = e * big;
      const double p = a >= 0 ? big : small, p_off = a >= 0 ? small : big;
      w[i] = u[i] * p_off - v[i] * p;
    }
    accumulate_affine_backward(means, deltas, gradient, mean_gradient);
  }

  std::unique_ptr<Distribution> clone() const override { return std::make_unique<Sigmoid>(*this); }
};

}  // namespace

std::unique_ptr<Distribution> make_sigmoid(NodeShape shape) { return std::make_unique<Sigmoid>(std::move(shape)); }

}  // namespace helmholtz::plugins
