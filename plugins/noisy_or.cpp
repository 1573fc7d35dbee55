// noisy-or: each active parent k independently turns unit j on with probability W_jk, and
// a leak turns it on with probability b_j (Pearl 1988; Dayan et al. 1995, section 4):
//   p_j = 1 - (1 - b_j) prod_k (1 - W_jk s_k),   b_j, W_jk in [0, 1].
// In log space the probability of staying off is a sum, which a matrix product gives:
//   L_j = log P(s_j = 0) = log1p(-b_j) + sum_k s_k log1p(-W_jk),
// except that a parameter of exactly 1 contributes log 0 = -inf, and 0 * -inf would be
// NaN for an inactive parent. So the product only sums the finite terms, and the
// parameters equal to 1 (kept in a short list) force L_j = -inf where they are active.
//   d log P / d W_jk = s_k / (1 - W_jk) * (s_j ? r_j / p_j : -1),   r_j = 1 - p_j,
// and for W_jk = 1 the derivative is the product of the other factors (finite).
// Where a pattern is impossible (an active certain cause with the unit off, or p_j = 0
// with the unit on) 1 - W and p are taken at least `smallest_probability`, giving a
// large finite gradient rather than an infinite one.
// Incremental statistics (three per unit): the finite sum L_j, the number of active causes
// with parameter 1 (the bias counts as one when b_j = 1), and the number of active causes
// with 0 < W_jk < 1; when the last is 0, L_j is reset to log1p(-b_j) exactly, so that
// rounding can never make p_j slightly negative or turn an exact 0 into a tiny number. A
// subtraction that cancels most of L_j is reported, for the caller to recompute L_j by
// additions (switch_parent_keeping_digits).
// Linear likelihood: for a unit that is off, L_j is affine in the parents (over the finite
// terms), so offset and slope sum log1p(-b_j) and log1p(-W_jk) over the units off in the
// pattern; the residual is log P(on_j) for a unit on, and 0, or -inf under an active certain
// cause, for a unit off.
//
// Mean field (the deterministic machine, Dayan et al. 1995, section 3): the same rule at the
// parents' means m_k in [0, 1],
//   p_j = 1 - (1 - b_j) prod_k (1 - W_jk m_k),
//   L_j = log(1 - p_j) = log1p(-b_j) + sum_k log1p(-W_jk m_k),
// each term from 1 - W_jk m_k formed with one rounding where the product is near 1;
// which is also the exact probability that unit j fires when each parent unit k is on
// independently with probability m_k (the rule is linear in each s_k). A factor x = W_jk m_k
// (or x = b_j) equal to 1 is a certain cause and makes L_j = -inf; it takes both W_jk = 1
// and m_k = 1, so binary means give exactly the stochastic unit's certain causes.
// Backward pass, with u = dF/dlog p and v = dF/dL (log p = log1m_exp(L)):
//   d log p / dL = -(1 - p) / p,  g_j = dF/dL_j = v_j - u_j (1 - p_j) / p_j,
//   dF/dx = -g_j / (1 - x) for each factor x < 1,
//   dF/db_j = dF/dx at x = b_j,  dF/dW_jk = dF/dx m_k,  dF/dm_k = sum_j dF/dx W_jk.
// With certain causes (L_j = -inf, p_j = 1): log p_j = log(1 - (1 - x) R) near a certain
// factor x, R the product of the other factors, so d log p / dx = R when x is the only certain
// cause and 0 when there are more; the other factors leave p_j = 1, and only v (which
// multiplies the infinite log(1 - p_j)) still acts on them, through dL/dx = -1 / (1 - x)
// capped at -1 / smallest_probability for the certain ones, and p_j is taken at least
// smallest_probability where it is 0: the conventions of the stochastic gradient above.
#include <algorithm>
#include <cmath>
#include <vector>

#include "framework/incremental_statistics.hpp"
#include "framework/linear_likelihood.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/mean_field.hpp"
#include "framework/numerics.hpp"
#include "framework/vector_math.hpp"
#include "framework/weighted_distribution.hpp"

namespace helmholtz::plugins {
namespace {

constexpr double smallest_probability = 1e-12;
constexpr double learning_margin = 1e-3;
// A switch that leaves less than 1 / cancellation_limit of a unit's sum has lost its digits.
constexpr double cancellation_limit = 65536.0;

class NoisyOr final : public WeightedDistribution, public IncrementalStatistics, public LinearLikelihood, public MeanField {
 public:
  // b_j, W_jk in [0, 1]. Learning keeps the leak in [margin, 1 - margin] and the weights in
  // [0, 1 - margin]: a leak of 0 makes an unexplained "on" impossible and a weight of 1 an
  // "off" under an active parent, and from log 0 the gradient cannot lead back (model files
  // may still use 0 and 1). It moves them in log-hazard coordinates v = log(-log(1 - W)):
  // log P(off) = -sum_k s_k e^{v_k} is then smooth in v, and d log P / d v_k is at most 1 in
  // size for a unit that is on, where d log P / d W_jk grows as 1 / (1 - W_jk) and 1 / p_j.
  explicit NoisyOr(NodeShape shape)
      : WeightedDistribution(std::move(shape),
                             {.valid = {0.0, 1.0},
                              .learning = ParameterRange{learning_margin, 1.0 - learning_margin},
                              .initial = {0.05, 0.05},
                              .learn_as = Reparameterisation::log_hazard},
                             {.valid = {0.0, 1.0},
                              .learning = ParameterRange{0.0, 1.0 - learning_margin},
                              .initial = {0.0, 0.2},
                              .learn_as = Reparameterisation::log_hazard}) {
    refresh();
  }
  std::string_view kind() const override { return "noisy-or"; }

  void probabilities(const Matrix& parents, Matrix& p) const override {
    log_off(parents, p);
    for (double& x : p) x = -std::expm1(x);
  }

  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    this->log_off(parents, log_off);
    ensure_shape(log_on, log_off.shape(0), log_off.shape(1));
    auto on = log_on.begin();
    for (double off : log_off) *on++ = numerics::log1m_exp(off);
  }

  std::size_t statistics_per_unit() const override { return 3; }
  void statistics_with_parents_off(double* stats) const override {
    for (std::size_t j = 0; j < units(); ++j) {
      stats[3 * j] = bias_log_keep(j);
      stats[3 * j + 1] = bias(j) >= 1.0 ? 1.0 : 0.0;
      stats[3 * j + 2] = 0.0;
    }
  }
  void switch_parent(double* stats, std::size_t k, bool on) const override { switch_causes(stats, k, on); }
  bool switch_parent_keeping_digits(double* stats, std::size_t k, bool on) const override {
    return switch_causes(stats, k, on);
  }
  void log_firing_from_statistics(const double* stats, double* log_on, double* log_off) const override {
    for (std::size_t j = 0; j < units(); ++j) log_off[j] = stats[3 * j + 1] > 0.0 ? -numerics::infinity : stats[3 * j];
    vector_math::log1m_exp(log_off, log_on, units());
  }

  void linear_terms(const double* states, double& offset, double* slope) const override {
    offset = 0;
    const std::size_t k_count = parent_units();
    std::fill(slope, slope + k_count, 0.0);
    for (std::size_t j = 0; j < units(); ++j) {
      if (states[j] != 0.0) continue;
      offset += bias_log_keep(j);
      const double* row = log_keep_.data() + j * k_count;
      for (std::size_t k = 0; k < k_count; ++k) slope[k] += row[k];
    }
  }
  bool residual_depends_on_state() const override { return true; }
  void residuals(const double* log_on, const double* log_off, double* on_residual,
                 double* off_residual) const override {
    for (std::size_t j = 0; j < units(); ++j) {
      on_residual[j] = log_on[j];
      off_residual[j] = log_off[j] == -numerics::infinity ? -numerics::infinity : 0.0;
    }
  }

  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p,
                       Workspace& work) const override {
    Matrix& off = work.first;
    log_off(parents, off);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n) {
      double sum = 0;
      for (std::size_t j = 0; j < units(); ++j)
        sum += states(n, j) != 0.0 ? numerics::log1m_exp(off(n, j)) : off(n, j);
      log_p(n) = sum;
    }
  }

  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& pattern_weights,
                           std::span<double> gradient, Workspace& work) const override {
    const std::size_t patterns = parents.shape(0);
    Matrix& finite_off = work.first;  // L_j summed over the finite terms only
    Matrix& certain = work.second;    // how many active causes have parameter 1
    finite_log_off(parents, finite_off);
    ensure_shape(certain, patterns, units());
    certain.fill(0.0);
    for (const auto& [j, k] : certain_weights_)
      for (std::size_t n = 0; n < patterns; ++n) certain(n, j) += parents(n, k);
    for (std::size_t j = 0; j < units(); ++j)
      if (bias(j) == 1.0)
        for (std::size_t n = 0; n < patterns; ++n) certain(n, j) += 1.0;

    // Parameters equal to 1: derivative = product of the other factors when this is the
    // only active certain cause and the unit is on; the capped -1/(1 - W) when it is off.
    double* gb = bias_gradient(gradient);
    double* gw = weight_gradient(gradient);
    auto certain_derivative = [&](std::size_t n, std::size_t j) {
      if (states(n, j) == 0.0) return -1.0 / smallest_probability;
      return certain(n, j) == 1.0 ? std::exp(finite_off(n, j)) : 0.0;
    };
    for (const auto& [j, k] : certain_weights_)
      for (std::size_t n = 0; n < patterns; ++n)
        if (parents(n, k) != 0.0) gw[j * parent_units() + k] += pattern_weights(n) * certain_derivative(n, j);
    for (std::size_t j = 0; j < units(); ++j)
      if (bias(j) == 1.0)
        for (std::size_t n = 0; n < patterns; ++n) gb[j] += pattern_weights(n) * certain_derivative(n, j);

    // Elsewhere: deltas = weight(n) d log P / d L_j, in place of the counts.
    Matrix& deltas = certain;
    for (std::size_t n = 0; n < patterns; ++n)
      for (std::size_t j = 0; j < units(); ++j) {
        double delta;
        if (deltas(n, j) > 0.0) {  // p = 1
          delta = states(n, j) != 0.0 ? 0.0 : 1.0;
        } else {
          const double off = finite_off(n, j);
          const double p = std::max(-std::expm1(off), smallest_probability);
          delta = states(n, j) != 0.0 ? -std::exp(off) / p : 1.0;
        }
        deltas(n, j) = pattern_weights(n) * delta;
      }
    // dL_j / dW_jk = -s_k / (1 - W_jk): the product D^T S, then each entry scaled.
    Matrix& products = work.third;  // its own buffer: a shape change would reallocate
    ensure_shape(products, units(), parent_units());
    products.fill(0.0);
    accumulate_outer(deltas, parents, 1.0, products.data());
    for (std::size_t j = 0; j < units(); ++j) {
      for (std::size_t k = 0; k < parent_units(); ++k) {
        const double w = weight(j, k);
        if (w != 1.0) gw[j * parent_units() + k] -= products(j, k) / (1.0 - w);
      }
      if (bias(j) != 1.0) {
        double sum = 0;
        for (std::size_t n = 0; n < patterns; ++n) sum += deltas(n, j);
        gb[j] -= sum / (1.0 - bias(j));
      }
    }
  }

  void mean_field(const Matrix& means, Matrix& log_on, Matrix& log_off) const override {
    const std::size_t patterns = means.shape(0);
    ensure_shape(log_off, patterns, units());
    ensure_shape(log_on, patterns, units());
    for (std::size_t n = 0; n < patterns; ++n)
      for (std::size_t j = 0; j < units(); ++j) {
        const Factors f = factors(means, n, j);
        log_off(n, j) = f.certain > 0 ? -numerics::infinity : f.finite_log_off;
        log_on(n, j) = numerics::log1m_exp(log_off(n, j));
      }
  }

  void mean_field_backward(const Matrix& means, const Matrix& d_on, const Matrix& d_off, std::span<double> gradient,
                           Matrix& mean_gradient, Workspace& /*workspace*/) const override {
    const std::size_t patterns = means.shape(0), k_count = parent_units();
    ensure_shape(mean_gradient, patterns, k_count);
    mean_gradient.fill(0.0);
    double* gb = bias_gradient(gradient);
    double* gw = weight_gradient(gradient);
    for (std::size_t n = 0; n < patterns; ++n) {
      const double* m = means.data() + n * k_count;
      double* gm = mean_gradient.data() + n * k_count;
      for (std::size_t j = 0; j < units(); ++j) {
        const double u = d_on(n, j), v = d_off(n, j);
        if (u == 0.0 && v == 0.0) continue;
        const Factors f = factors(means, n, j);
        // dF/dx = -uncertain / (1 - x) for a factor x < 1, and `certain_slope` for x = 1.
        double uncertain, certain_slope;
        if (f.certain == 0) {
          const double p_off = std::exp(f.finite_log_off);
          const double p = std::max(-std::expm1(f.finite_log_off), smallest_probability);
          uncertain = v - (u != 0.0 ? u * p_off / p : 0.0);
          certain_slope = 0.0;  // unused: no factor is 1
        } else {
          uncertain = v;
          certain_slope = -v / smallest_probability + (f.certain == 1 ? u * std::exp(f.finite_log_off) : 0.0);
        }
        // dF/dx at a factor whose complement 1 - x is `keep`.
        auto slope = [&](double keep) { return keep <= 0.0 ? certain_slope : -uncertain / keep; };
        gb[j] += slope(1.0 - bias(j));
        const double* w = weight_data() + j * k_count;
        double* g = gw + j * k_count;
        for (std::size_t k = 0; k < k_count; ++k) {
          const double s = slope(keep_probability(w[k], m[k]));
          g[k] += s * m[k];
          gm[k] += s * w[k];
        }
      }
    }
  }

  std::unique_ptr<Distribution> clone() const override { return std::make_unique<NoisyOr>(*this); }

  void refresh() override {
    ensure_shape(log_keep_, units() * parent_units());
    certain_weights_.clear();
    for (std::size_t j = 0; j < units(); ++j)
      for (std::size_t k = 0; k < parent_units(); ++k) {
        const double w = weight(j, k);
        log_keep_(j * parent_units() + k) = w < 1.0 ? std::log1p(-w) : 0.0;
        if (w >= 1.0) certain_weights_.push_back({j, k});
      }
  }

 private:
  struct Cause {
    std::size_t unit, parent_unit;
  };

  // L_j +- log1p(-W_jk) for every unit (or the count of certain causes); false if a
  // subtraction left less than 2^-16 of the L_j it started from: at least 16 of the 53 bits
  // were lost to cancellation (a leak of 1e-300 after a cause of 1 - 2^-53 gives 0).
  bool switch_causes(double* stats, std::size_t k, bool on) const {
    const double* column = log_keep_.data() + k;  // unit j's term at [j * parent_units()]
    const double* weights = weights_from(k);
    const std::size_t stride = parent_units();
    const double sign = on ? 1.0 : -1.0;
    bool kept = true;
    for (std::size_t j = 0; j < units(); ++j) {
      if (weights[j * stride] >= 1.0) {  // W_jk = 1: a certain cause
        stats[3 * j + 1] += sign;
        continue;
      }
      const double term = column[j * stride];
      if (term == 0.0) continue;  // W_jk = 0: no effect
      double& count = stats[3 * j + 2];
      count += sign;
      if (count == 0.0) {
        stats[3 * j] = bias_log_keep(j);
        continue;
      }
      const double before = stats[3 * j];  // <= 0, as is what follows
      stats[3 * j] = std::min(before + sign * term, 0.0);
      if (!on && !(stats[3 * j] * cancellation_limit < before)) kept = false;
    }
    return kept;
  }

  // log1p(-b_j) + sum over finite terms of s_k log1p(-W_jk).
  void finite_log_off(const Matrix& parents, Matrix& out) const {
    ensure_shape(out, parents.shape(0), units());
    multiply_by_transpose(parents, log_keep_.data(), units(), out);
    for (std::size_t n = 0; n < parents.shape(0); ++n)
      for (std::size_t j = 0; j < units(); ++j)
        out(n, j) += bias_log_keep(j);
  }

  // log P(s_j = 0 | parents): the finite sum, or -inf where a certain cause is active.
  void log_off(const Matrix& parents, Matrix& out) const {
    finite_log_off(parents, out);
    for (const auto& [j, k] : certain_weights_)
      for (std::size_t n = 0; n < parents.shape(0); ++n)
        if (parents(n, k) != 0.0) out(n, j) = -numerics::infinity;
    for (std::size_t j = 0; j < units(); ++j)
      if (bias(j) >= 1.0)
        for (std::size_t n = 0; n < parents.shape(0); ++n) out(n, j) = -numerics::infinity;
  }

  // 1 - W m with a single rounding (the product is exact inside the fma), so that a cause
  // near certainty (W and m both near 1) keeps every digit of its small complement.
  static double keep_probability(double w, double m) { return std::fma(-w, m, 1.0); }

  // Unit j of pattern n under mean-field parents: the sum of log1p(-x) over its factors
  // x < 1 (the leak b_j and each W_jk m_k), and how many factors are 1.
  struct Factors {
    double finite_log_off;
    int certain;
  };
  Factors factors(const Matrix& means, std::size_t n, std::size_t j) const {
    Factors f{bias_log_keep(j), bias(j) >= 1.0 ? 1 : 0};
    const double* w = weight_data() + j * parent_units();
    const double* m = means.data() + n * parent_units();
    for (std::size_t k = 0; k < parent_units(); ++k) {
      const double x = w[k] * m[k];
      if (x == 0.0) continue;
      const double keep = keep_probability(w[k], m[k]);
      if (keep <= 0.0) ++f.certain;
      else f.finite_log_off += x < 0.5 ? std::log1p(-x) : std::log(keep);
    }
    return f;
  }

  // log1p(-b_j), with 0 where b_j = 1 (that case is counted separately).
  double bias_log_keep(std::size_t j) const { return bias(j) < 1.0 ? std::log1p(-bias(j)) : 0.0; }

  Vector log_keep_;                     // log1p(-W), with 0 where W = 1
  std::vector<Cause> certain_weights_;  // the (j, k) with W_jk = 1
};

}  // namespace

std::unique_ptr<Distribution> make_noisy_or(NodeShape shape) { return std::make_unique<NoisyOr>(std::move(shape)); }

}  // namespace helmholtz::plugins
