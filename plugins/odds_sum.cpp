// odds-sum: the competitive rule of Dayan, Hinton, Neal & Zemel (1995), eq. A.2. Causes
// add their odds: the odds of a unit being on are t_j = b_j + sum_k W_jk s_k, so
//   p_j = t_j / (1 + t_j) = 1 - 1 / (1 + b_j + sum_k W_jk s_k),   b_j, W_jk >= 0.
//   log P(s_j = 1) = -log1p(1 / t_j),  log P(s_j = 0) = -log1p(t_j),
// (log P(s_j = 1) = log t_j below 2^-1024, where 1 / t_j overflows: numerics::log_odds_on),
//   d log P / d t_j = s_j / t_j - 1 / (1 + t_j).
// A unit with t_j = 0 can never fire; if it is on anyway its log-probability is -inf and
// the gradient s_j / t_j is taken at t_j = minimum_odds, so that learning moves it out of
// that state with a large finite step instead of an infinite one.
// Incremental statistics: t_j, and the number of active parents with W_jk > 0; when that
// count is 0, t_j is reset to b_j exactly, so that a unit that cannot fire (b_j = 0) gives
// exactly -inf when on, however many additions and subtractions came before. A subtraction
// that cancels most of t_j (odds of 1e100 switching off beside 1.96) is reported, for the
// caller to recompute t_j by additions (switch_parent_keeping_digits).
//
// Mean field (the deterministic machine, Dayan et al. 1995, section 3 and appendix A): unit j's
// probability as a function of its parents' means m_k in [0, 1]. Two rules, chosen for each
// model-file entry by the key `mean_field`.
//
// `mean_field: product` (the default). Each parent multiplies 1 - p_j by a factor raised to
// the power of its mean:
//   1 - p_j = (1 + b_j)^(-1) prod_k (1 + W_jk)^(-m_k),
//   L_j = log(1 - p_j) = -log1p(b_j) - sum_k m_k log1p(W_jk),   log p_j = log1m_exp(L_j).
// Why this form: L is linear in the means, like noisy-or's log(1 - p), so one matrix product
// with the cached log1p(W) gives it, and each parent's mean scales its own fixed term; and it
// is eq. A.2 exactly for a single cause at b_j = 0, where 1 - p_j = 1 / (1 + W_jk). The text
// of eq. A.3, the paper's mean-field rule for this unit, could not be consulted here; this is
// the product form that agrees with eq. A.2 for a single cause, not a quotation of A.3.
// It is an approximation otherwise. At binary means it gives
//   1 / (1 - p_j) = (1 + b_j) prod_{k on} (1 + W_jk)
//                 = 1 + b_j + sum_{k on} W_jk + (the cross terms b_j W_jk, W_jk W_ji, ...),
// which is eq. A.2 only when at most one of b_j and the active parents' W_jk is non-zero (a
// single cause with b_j = 0, or no active cause at all). With b_j > 0 and an active cause, or
// with several active causes, the cross terms (all >= 0) make the unit more likely to be on
// than eq. A.2 says, so at those binary means the rule differs from log_firing_probabilities.
// (No rule of the form c prod_k f_k(m_k), one factor per parent, can agree with eq. A.2 at
// every binary configuration: the four configurations of two parents would need
// (1 + b + W_1)(1 + b + W_2) = (1 + b)(1 + b + W_1 + W_2), that is W_1 W_2 = 0.)
// Where L_j = 0 (b_j = 0 and no parent with m_k W_jk > 0) the unit cannot fire: p_j = 0
// exactly, log p_j = -inf.
// Backward pass, with u = dF/dlog p and v = dF/dL (log p = log1m_exp(L)):
//   dF/dL_j = v_j - u_j (1 - p_j) / p_j,
//   dL_j/db_j = -1 / (1 + b_j),  dL_j/dW_jk = -m_k / (1 + W_jk),  dL_j/dm_k = -log1p(W_jk);
// where p_j = 0 a term with u_j = 0 contributes nothing, and otherwise p_j is taken at least
// smallest_probability, a large finite push away from the impossible state (noisy-or's cap).
//
// `mean_field: odds`. The parents' means take the place of their states in the odds,
//   t_j(m) = b_j + sum_k W_jk m_k,   p_j = t_j / (1 + t_j),
// the construction eq. 3.10 uses for the sigmoid unit (means put into the unit's own
// statistic). At binary m it is eq. A.2 itself, bit for bit (the same affine map). It is the
// obvious rule, and on the shifter problem the deterministic machine trained with it was seen
// to collapse. (The exact expectation of 1 - p_j under independent parents is neither rule:
// it is the integral over x > 0 of e^{-x (1 + b_j)} prod_k (1 - m_k + m_k e^{-x W_jk}).)
// In log space, log p_j = -log1p(1 / t_j) and log(1 - p_j) = -log1p(t_j), as for states.
// Backward pass, with u = dF/dlog p and v = dF/dlog(1 - p):
//   d log p / dt = 1 / (t (1 + t)),  d log(1 - p) / dt = -1 / (1 + t),
//   dF/dt_j = (u_j / t_j - v_j) / (1 + t_j),  dF/db_j = dF/dt_j,  dF/dW_jk = dF/dt_j m_k,
//   dF/dm_k = sum_j dF/dt_j W_jk.
// Where t_j = 0 the unit cannot fire: a term with u_j = 0 contributes nothing, and otherwise
// t_j is taken at least minimum_odds, as in the stochastic gradient.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "framework/incremental_statistics.hpp"
#include "framework/io/yaml_fields.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/mean_field.hpp"
#include "framework/numerics.hpp"
#include "framework/vector_math.hpp"
#include "framework/weighted_distribution.hpp"

namespace helmholtz::plugins {
namespace {

constexpr double minimum_odds = 1e-12;
constexpr double smallest_probability = 1e-12;
constexpr double learning_margin = 1e-3;
// A switch that leaves less than 1 / cancellation_limit of a unit's sum has lost its digits.
constexpr double cancellation_limit = 65536.0;

// The two mean-field rules (see above), by their model-file names.
enum class MeanFieldRule { product, odds };

class OddsSum final : public WeightedDistribution, public IncrementalStatistics, public MeanField {
 public:
  // b_j, W_jk >= 0. Learning keeps b_j >= learning_margin, so that no unit becomes unable to
  // fire (t_j = 0 makes "on" impossible, and from log 0 the gradient cannot lead back), and
  // moves every parameter in log coordinates: d log P / d log W_jk = W_jk s_k (s_j / t_j -
  // 1 / (1 + t_j)) is at most 1 in size, like a sigmoid's delta, where d log P / d W_jk
  // grows as 1 / t_j. (An exact 0 stays 0 under multiplicative steps: give a weight a small
  // positive value to let it learn.)
  explicit OddsSum(NodeShape shape)
      : WeightedDistribution(std::move(shape),
                             {.valid = {0.0, numerics::infinity},
                              .learning = ParameterRange{learning_margin, numerics::infinity},
                              .initial = {0.05, 0.05},
                              .learn_as = Reparameterisation::log},
                             {.valid = {0.0, numerics::infinity},
                              .initial = {0.0, 0.2},
                              .learn_as = Reparameterisation::log}) {
    refresh();
  }
  std::string_view kind() const override { return "odds-sum"; }

  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    affine(parents, log_on);
    ensure_shape(log_off, log_on.shape(0), log_on.shape(1));
    auto off = log_off.begin();
    for (double& t : log_on) {
      *off++ = -std::log1p(t);
      t = numerics::log_odds_on(t);
    }
  }

  std::size_t statistics_per_unit() const override { return 2; }
  void statistics_with_parents_off(double* stats) const override {
    for (std::size_t j = 0; j < units(); ++j) {
      stats[2 * j] = bias(j);
      stats[2 * j + 1] = 0.0;
    }
  }
  void switch_parent(double* stats, std::size_t k, bool on) const override { switch_odds(stats, k, on); }
  bool switch_parent_keeping_digits(double* stats, std::size_t k, bool on) const override {
    return switch_odds(stats, k, on);
  }
  void log_firing_from_statistics(const double* stats, double* log_on, double* log_off) const override {
    for (std::size_t j = 0; j < units(); ++j) log_on[j] = std::max(stats[2 * j], 0.0);  // t, for a moment
    vector_math::log_odds_pair(log_on, log_on, log_off, units());
  }

  void probabilities(const Matrix& parents, Matrix& p) const override {
    affine(parents, p);
    // Odds beyond the double range (causes of 1e308 adding up) are a certain unit: p = 1,
    // where t / (1 + t) would be inf / inf.
    for (double& t : p) t = t < numerics::infinity ? t / (1.0 + t) : 1.0;
  }

  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p,
                       Workspace& workspace) const override {
    Matrix& work = workspace.first;
    affine(parents, work);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n) {
      double sum = 0;
      for (std::size_t j = 0; j < units(); ++j) {
        const double t = work(n, j);
        sum += states(n, j) != 0.0 ? numerics::log_odds_on(t) : -std::log1p(t);
      }
      log_p(n) = sum;
    }
  }

  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                           std::span<double> gradient, Workspace& workspace) const override {
    Matrix& work = workspace.first;
    affine(parents, work);
    for (std::size_t n = 0; n < states.shape(0); ++n)
      for (std::size_t j = 0; j < units(); ++j) {
        const double t = work(n, j);
        work(n, j) = (states(n, j) != 0.0 ? 1.0 / std::max(t, minimum_odds) : 0.0) - 1.0 / (1.0 + t);
      }
    accumulate_affine_gradient(parents, work, weights, gradient);
  }

  void mean_field(const Matrix& means, Matrix& log_on, Matrix& log_off) const override {
    if (rule_ == MeanFieldRule::odds) {
      log_firing_probabilities(means, log_on, log_off);  // the odds at the means
      return;
    }
    product_log_off(means, log_off);
    ensure_shape(log_on, log_off.shape(0), log_off.shape(1));
    vector_math::log1m_exp(log_off.data(), log_on.data(), log_off.size());
  }

  void mean_field_backward(const Matrix& means, const Matrix& d_on, const Matrix& d_off, std::span<double> gradient,
                           Matrix& mean_gradient, Workspace& workspace) const override {
    if (rule_ == MeanFieldRule::odds) odds_backward(means, d_on, d_off, gradient, mean_gradient, workspace);
    else product_backward(means, d_on, d_off, gradient, mean_gradient, workspace);
  }

  std::vector<std::string> extra_keys() const override { return {"mean_field"}; }
  void read_extra(const YAML::Node& entry, const Where& where) override {
    const YAML::Node node = entry["mean_field"];
    if (!node) return;
    const std::string name = yaml::read_string(node, where, "mean_field");
    if (name == "product") rule_ = MeanFieldRule::product;
    else if (name == "odds") rule_ = MeanFieldRule::odds;
    else fail(yaml::at(node, where), "mean_field is '" + name + "', but must be product or odds");
  }
  void write_extra(YAML::Emitter& out) const override {
    if (rule_ == MeanFieldRule::odds) out << YAML::Key << "mean_field" << YAML::Value << "odds";
  }

  void refresh() override {
    ensure_shape(log1p_weights_, units() * parent_units());
    const double* w = weight_data();
    for (std::size_t i = 0; i < log1p_weights_.size(); ++i) log1p_weights_(i) = std::log1p(w[i]);
  }

  std::unique_ptr<Distribution> clone() const override { return std::make_unique<OddsSum>(*this); }

 private:
  // The product rule's L = log(1 - p) = -log1p(b_j) - sum_k m_k log1p(W_jk): every term is
  // >= 0 before the sign, so the sum loses no digits to cancellation.
  void product_log_off(const Matrix& means, Matrix& out) const {
    ensure_shape(out, means.shape(0), units());
    multiply_by_transpose(means, log1p_weights_.data(), units(), out);
    for (std::size_t n = 0; n < means.shape(0); ++n) {
      double* row = &out(n, 0);
      for (std::size_t j = 0; j < units(); ++j) row[j] = -(std::log1p(bias(j)) + row[j]);
    }
  }

  // With D = dF/d(-L) = u (1 - p) / p - v: dF/db_j = sum_n D_nj / (1 + b_j),
  // dF/dW_jk = (D^T m)_jk / (1 + W_jk), dF/dm = D log1p(W).
  void product_backward(const Matrix& means, const Matrix& d_on, const Matrix& d_off, std::span<double> gradient,
                        Matrix& mean_gradient, Workspace& workspace) const {
    const std::size_t patterns = means.shape(0);
    Matrix& deltas = workspace.first;  // L, then D in its place
    product_log_off(means, deltas);
    const double* u = d_on.data();
    const double* v = d_off.data();
    double* d = deltas.data();
    for (std::size_t i = 0, n = deltas.size(); i < n; ++i) {
      const double off = d[i];
      const double on = u[i] != 0.0 ? u[i] * std::exp(off) / std::max(-std::expm1(off), smallest_probability) : 0.0;
      d[i] = on - v[i];
    }
    double* gb = bias_gradient(gradient);
    double* gw = weight_gradient(gradient);
    for (std::size_t j = 0; j < units(); ++j) {
      double sum = 0;
      for (std::size_t n = 0; n < patterns; ++n) sum += deltas(n, j);
      gb[j] += sum / (1.0 + bias(j));
    }
    Matrix& products = workspace.second;  // D^T m, units x parent units
    ensure_shape(products, units(), parent_units());
    products.fill(0.0);
    accumulate_outer(deltas, means, 1.0, products.data());
    const double* w = weight_data();
    for (std::size_t i = 0, n = products.size(); i < n; ++i) gw[i] += products.data()[i] / (1.0 + w[i]);
    ensure_shape(mean_gradient, patterns, parent_units());
    mean_gradient.fill(0.0);
    multiply_add(patterns, parent_units(), units(), deltas.data(), units(), log1p_weights_.data(), parent_units(),
                 mean_gradient.data(), parent_units());
  }

  void odds_backward(const Matrix& means, const Matrix& d_on, const Matrix& d_off, std::span<double> gradient,
                     Matrix& mean_gradient, Workspace& workspace) const {
    Matrix& deltas = workspace.first;  // dF/dt, in place of t
    affine(means, deltas);
    const double* u = d_on.data();
    const double* v = d_off.data();
    double* w = deltas.data();
    for (std::size_t i = 0, n = deltas.size(); i < n; ++i) {
      const double t = w[i];
      // Divided one factor at a time: t (1 + t) would overflow at large odds.
      const double on = u[i] != 0.0 ? u[i] / std::max(t, minimum_odds) : 0.0;
      w[i] = (on - v[i]) / (1.0 + t);
    }
    accumulate_affine_backward(means, deltas, gradient, mean_gradient);
  }

  // t_j +- W_jk for every unit; false if a subtraction left less than 2^-16 of the odds it
  // started from: at least 16 of the 53 bits were lost to cancellation, and what remains
  // is mostly the rounding of the term taken away (1.96 + 1e100 - 1e100 gives 0).
  bool switch_odds(double* stats, std::size_t k, bool on) const {
    const double* column = weights_from(k);
    const std::size_t stride = parent_units();
    const double sign = on ? 1.0 : -1.0;
    bool kept = true;
    for (std::size_t j = 0; j < units(); ++j) {
      const double w = column[j * stride];
      if (w == 0.0) continue;
      double& count = stats[2 * j + 1];
      count += sign;
      if (count == 0.0) {
        stats[2 * j] = bias(j);
        continue;
      }
      const double before = stats[2 * j];
      stats[2 * j] = before + sign * w;
      if (!on && !(stats[2 * j] * cancellation_limit > before)) kept = false;
    }
    return kept;
  }

  MeanFieldRule rule_ = MeanFieldRule::product;
  Vector log1p_weights_;  // log1p(W), laid out like W (units x parent units, row-major)
};

}  // namespace

std::unique_ptr<Distribution> make_odds_sum(NodeShape shape) { return std::make_unique<OddsSum>(std::move(shape)); }

}  // namespace helmholtz::plugins
