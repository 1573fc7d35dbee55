// The mean-field rules of the built-in plugins (framework/mean_field.hpp), the functions the
// deterministic Helmholtz machine propagates probabilities through, with m the parents' means
// in [0, 1]:
//   sigmoid   p_j = sigmoid(b_j + sum_k W_jk m_k)                  (Dayan et al. 1995, eq. 3.10)
//   noisy-or  p_j = 1 - (1 - b_j) prod_k (1 - W_jk m_k)
//   odds-sum  1 - p_j = (1 + b_j)^(-1) prod_k (1 + W_jk)^(-m_k)     (the default, `mean_field: product`)
//   odds-sum  p_j = t_j / (1 + t_j),  t_j = b_j + sum_k W_jk m_k    (`mean_field: odds`: eq. A.2
//                                                                     with means for states)
// Checked: at binary means sigmoid, noisy-or and odds-sum's odds rule are the stochastic rule
// (log_firing_probabilities); odds-sum's product rule is eq. A.2 where at most one cause (the
// bias counting as one) is non-zero, and gives the unit a higher probability elsewhere; at
// fractional means each rule matches its formula in long double; the backward pass (the
// vector-Jacobian products with respect to the parameters and to the means) matches
// finite differences of S = sum_nj (u_nj log p_nj + v_nj log(1 - p_nj)) at interior points,
// near saturation and on the boundary (certain causes, p = 0); nothing is ever NaN; odds-sum's
// `mean_field` key is read, written only when it is not the default, round-trips, and a bad
// value is reported at its line.
// References are written from the formulas and the documented layout [b | W row-major].
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "framework/io/model_file.hpp"
#include "framework/mean_field.hpp"
#include "tests/plugins/plugin_test_support.hpp"

namespace helmholtz {
namespace {

using namespace plugin_test;

// Every rule under test, by the plugin's model-file name and, after a colon, the value of its
// `mean_field` key where it is not the default.
const std::vector<std::string> rules = {"sigmoid", "noisy-or", "odds-sum", "odds-sum:odds"};
// The rules whose value at binary means is the stochastic rule itself.
const std::vector<std::string> rules_exact_at_binary_means = {"sigmoid", "noisy-or", "odds-sum:odds"};
constexpr double eps = std::numeric_limits<double>::epsilon();

std::string kind_of(const std::string& rule) { return rule.substr(0, rule.find(':')); }

// The plugin of `rule`'s kind, with its `mean_field` key read from a model-file entry as the
// model-file reader hands it over.
std::unique_ptr<Distribution> make_rule(const std::string& rule, const NodeShape& shape) {
  auto plugin = builtin_registry().create(kind_of(rule), shape);
  REQUIRE(plugin != nullptr);
  const std::size_t colon = rule.find(':');
  if (colon != std::string::npos)
    plugin->read_extra(YAML::Load("{mean_field: " + rule.substr(colon + 1) + "}"),
                       Where{"test.yaml", 1, 1, "generative." + shape.node + " (" + kind_of(rule) + ")"});
  return plugin;
}

// The same for the two-parent node of plugin_test_support.hpp.
std::unique_ptr<Distribution> make_rule(const std::string& rule) {
  auto plugin = make_rule(rule, two_parent_shape());
  REQUIRE(plugin->parameters().size() == parameter_count);
  return plugin;
}

const MeanField& rule_of(const Distribution& d) {
  const auto* rule = dynamic_cast<const MeanField*>(&d);
  REQUIRE_MESSAGE(rule != nullptr, d.kind(), " has no mean-field rule");
  return *rule;
}

// Where each kind's parameters live: sigmoid real, noisy-or in [0, 1], odds-sum >= 0.
double lower_bound(const std::string& kind) { return kind_of(kind) == "sigmoid" ? -inf : 0.0; }
double upper_bound(const std::string& kind) { return kind_of(kind) == "noisy-or" ? 1.0 : inf; }

// Parameters away from every boundary.
Vector interior_parameters(const std::string& rule, Rng& rng) {
  const std::string kind = kind_of(rule);
  if (kind == "sigmoid") return uniform_vector(rng, parameter_count, -3.0, 3.0);
  if (kind == "noisy-or") return uniform_vector(rng, parameter_count, 0.05, 0.95);
  return uniform_vector(rng, parameter_count, 0.05, 3.0);
}

// Parameters with each kind's extremes mixed in: saturating sigmoid inputs, noisy-or causes
// of exactly 0 and 1, odds-sum odds of exactly 0 and very large ones.
Vector extreme_parameters(const std::string& rule, Rng& rng) {
  const std::string kind = kind_of(rule);
  Vector theta = interior_parameters(kind, rng);
  for (double& x : theta) {
    const double r = uniform01(rng);
    if (kind == "sigmoid") x = r < 0.15 ? 40.0 : r < 0.3 ? -40.0 : r < 0.35 ? 800.0 : r < 0.4 ? -800.0 : x;
    else if (kind == "noisy-or") x = r < 0.25 ? 0.0 : r < 0.45 ? 1.0 : x;
    else x = r < 0.35 ? 0.0 : r < 0.45 ? 1e8 : x;
  }
  return theta;
}

// Parameters that drive each rule close to p = 0 or 1 without reaching it: sigmoid inputs of
// 15 to 35 in size, noisy-or causes within 1e-6 of 1 or 1e-7 of 0, odds-sum odds near 1e-7
// and 1e7, mixed with ordinary values.
Vector near_saturation_parameters(const std::string& rule, Rng& rng) {
  const std::string kind = kind_of(rule);
  Vector theta = Vector::from_shape({parameter_count});
  for (double& x : theta) {
    const double r = uniform01(rng), size = 0.5 + uniform01(rng);
    if (kind == "sigmoid") x = (r < 0.5 ? -1.0 : 1.0) * (15.0 + 20.0 * uniform01(rng));
    else if (kind == "noisy-or") x = r < 0.4 ? 1.0 - 1e-6 * size : r < 0.8 ? 1e-7 * size : uniform01(rng);
    else x = r < 0.4 ? 1e-7 * size : r < 0.8 ? 1e7 * size : uniform01(rng);
  }
  return theta;
}

// Every configuration of the 5 parent units, one per row.
Matrix all_binary_parents() {
  Matrix m = Matrix::from_shape({std::size_t{1} << parent_units, parent_units});
  for (std::size_t n = 0; n < m.shape(0); ++n)
    for (std::size_t k = 0; k < parent_units; ++k) m(n, k) = (n >> k) & 1;
  return m;
}

Matrix uniform_matrix(Rng& rng, std::size_t rows, std::size_t cols, double lower, double upper) {
  Matrix m = Matrix::from_shape({rows, cols});
  for (double& x : m) x = lower + (upper - lower) * uniform01(rng);
  return m;
}

Matrix nan_matrix(std::size_t rows, std::size_t cols) {
  Matrix m = Matrix::from_shape({rows, cols});
  m.fill(nan);
  return m;
}

// The rule's outputs, written into buffers pre-filled with NaN.
void mean_field_of(const Distribution& d, const Matrix& means, Matrix& log_on, Matrix& log_off) {
  log_on = nan_matrix(means.shape(0), d.shape().units);
  log_off = nan_matrix(means.shape(0), d.shape().units);
  rule_of(d).mean_field(means, log_on, log_off);
}

// ---------------------------------------------------------------------------------------
// The formulas in long double: (log P(on), log P(off)), every complement formed without
// cancellation (fma keeps W m exact inside 1 - W m, log1p and expm1 take what is near 1 or
// 0), so that the reference keeps more digits than the plugin it checks.

struct Pair {
  long double on, off;
};

// log(1 - e^L) for L <= 0: through expm1 near L = 0, through log1p below -log 2 (where e^L is
// small).
long double log1m_exp(long double log_off) {
  return log_off > -0.693L ? std::log(-std::expm1(log_off)) : std::log1p(-std::exp(log_off));
}

// odds-sum's product rule: L = log(1 - p) = -log1p(b) - sum_k m_k log1p(W_k).
long double product_log_off(const Vector& theta, const Matrix& means, std::size_t n, std::size_t j) {
  long double sum = std::log1p(static_cast<long double>(theta(bias_index(j))));
  for (std::size_t k = 0; k < parent_units; ++k)
    sum += means(n, k) * std::log1p(static_cast<long double>(theta(weight_index(j, k))));
  return -sum;
}

Pair reference_pair(const std::string& rule, const Vector& theta, const Matrix& means, std::size_t n, std::size_t j) {
  auto w = [&](std::size_t k) { return static_cast<long double>(theta(weight_index(j, k))); };
  const long double b = theta(bias_index(j));
  if (rule == "sigmoid") {
    long double a = b;
    for (std::size_t k = 0; k < parent_units; ++k) a += w(k) * means(n, k);
    return {-std::log1p(std::exp(-a)), -std::log1p(std::exp(a))};
  }
  if (rule == "noisy-or") {  // log(1 - p) = log(1 - b) + sum_k log(1 - W_k m_k), log p = log(1 - e^that)
    long double log_off = std::log1p(-b);
    for (std::size_t k = 0; k < parent_units; ++k) {
      const long double x = w(k) * means(n, k);
      log_off += x < 0.5L ? std::log1p(-x) : std::log(std::fma(-w(k), static_cast<long double>(means(n, k)), 1.0L));
    }
    return {log1m_exp(log_off), log_off};
  }
  if (rule == "odds-sum") {
    const long double log_off = product_log_off(theta, means, n, j);
    return {log1m_exp(log_off), log_off};
  }
  REQUIRE(rule == "odds-sum:odds");
  long double t = b;
  for (std::size_t k = 0; k < parent_units; ++k) t += w(k) * means(n, k);
  return {-std::log1p(1.0L / t), -std::log1p(t)};  // log(t / (1 + t)) without cancelling logs at large t
}

// |actual - expected| within `relative` of |expected| plus `absolute` (and equal infinities).
void check_log(double actual, long double expected, double relative, double absolute) {
  INFO("actual ", actual, ", expected ", static_cast<double>(expected));
  REQUIRE(!std::isnan(actual));
  if (std::isinf(expected)) {
    CHECK(actual == static_cast<double>(expected));
    return;
  }
  CHECK(std::abs(static_cast<long double>(actual) - expected) <= relative * std::abs(expected) + absolute + 1e-300L);
}

// What rounding a rule's input in double may cost, as an absolute error in (log p, log(1 - p)).
// sigmoid: a = b + sum_k W_k m_k carries a few roundings of its largest partial sums, and
// |d log sigmoid(+-a) / da| <= 1. odds-sum's product rule: L = log(1 - p), a sum of terms of
// one sign, carries a few roundings relative to |L| (covered by the relative tolerance for
// log(1 - p)), and log p = log(1 - e^L) moves by e^L / (1 - e^L) times that. (The other rules
// keep their relative accuracy: the odds rule adds terms >= 0, noisy-or takes each factor's
// log separately.)
Pair input_rounding(const std::string& rule, const Vector& theta, const Matrix& means, std::size_t n, std::size_t j) {
  const double roundings = 2 * (parent_units + 1) * eps;
  if (rule == "sigmoid") {
    double size = std::abs(theta(bias_index(j)));
    for (std::size_t k = 0; k < parent_units; ++k) size += std::abs(theta(weight_index(j, k)) * means(n, k));
    return {roundings * size, roundings * size};
  }
  if (rule == "odds-sum") {
    const long double log_off = product_log_off(theta, means, n, j);
    if (log_off == 0) return {0, 0};  // p = 0 exactly, no rounding
    return {roundings * -log_off * std::exp(log_off) / -std::expm1(log_off), 0};
  }
  return {0, 0};
}

TEST_CASE("mean field: at binary means sigmoid, noisy-or and odds-sum's odds rule are the stochastic rule, exact 0 and -inf included") {
  Rng rng = make_rng(101);
  const Matrix parents = all_binary_parents();
  for (const std::string& rule : rules_exact_at_binary_means) {
    CAPTURE(rule);
    for (int trial = 0; trial < 12; ++trial) {
      auto plugin = make_rule(rule);
      plugin->set_parameters(trial < 4 ? interior_parameters(rule, rng) : extreme_parameters(rule, rng));
      Matrix on, off, expected_on, expected_off;
      mean_field_of(*plugin, parents, on, off);
      plugin->log_firing_probabilities(parents, expected_on, expected_off);
      REQUIRE(on.shape(0) == parents.shape(0));
      REQUIRE(on.shape(1) == units);
      REQUIRE(off.shape(1) == units);
      for (std::size_t n = 0; n < parents.shape(0); ++n)
        for (std::size_t j = 0; j < units; ++j) {
          INFO("trial ", trial, ", pattern ", n, ", unit ", j);
          for (auto [actual, expected] : {std::pair{on(n, j), expected_on(n, j)}, std::pair{off(n, j), expected_off(n, j)}}) {
            INFO("mean field ", actual, ", stochastic ", expected);
            REQUIRE(!std::isnan(actual));
            CHECK(actual <= 0.0);
            if (std::isinf(expected) || expected == 0.0) CHECK(actual == expected);  // certain: exactly
            else CHECK(std::abs(actual - expected) <= 8 * eps * std::max(1.0, std::abs(expected)));
          }
        }
    }
  }
}

// At binary means the product rule gives 1 / (1 - p_j) = (1 + b_j) prod_{k on} (1 + W_jk)
// against eq. A.2's 1 + b_j + sum_{k on} W_jk: the same where at most one of b_j and the active
// parents' W_jk is non-zero, and larger by the cross terms elsewhere (the unit more likely on).
TEST_CASE("mean field: at binary means odds-sum's product rule is eq. A.2 for at most one cause and b_j = 0, and differs otherwise") {
  Rng rng = make_rng(107);
  const Matrix parents = all_binary_parents();
  std::size_t agreeing = 0, differing = 0;
  for (int trial = 0; trial < 16; ++trial) {
    auto plugin = make_rule("odds-sum");
    Vector theta = trial < 8 ? interior_parameters("odds-sum", rng) : extreme_parameters("odds-sum", rng);
    if (trial % 2 == 0)
      for (std::size_t j = 0; j < units; ++j) theta(bias_index(j)) = 0.0;
    plugin->set_parameters(theta);
    Matrix on, off, a2_on, a2_off;
    mean_field_of(*plugin, parents, on, off);
    plugin->log_firing_probabilities(parents, a2_on, a2_off);
    for (std::size_t n = 0; n < parents.shape(0); ++n)
      for (std::size_t j = 0; j < units; ++j) {
        INFO("trial ", trial, ", pattern ", n, ", unit ", j, ": product (", on(n, j), ", ", off(n, j), "), eq. A.2 (",
             a2_on(n, j), ", ", a2_off(n, j), ")");
        REQUIRE(!std::isnan(on(n, j)));
        REQUIRE(!std::isnan(off(n, j)));
        int causes = theta(bias_index(j)) > 0.0 ? 1 : 0;
        for (std::size_t k = 0; k < parent_units; ++k)
          if (parents(n, k) != 0.0 && theta(weight_index(j, k)) > 0.0) ++causes;
        if (causes <= 1) {
          ++agreeing;
          for (auto [actual, expected] : {std::pair{on(n, j), a2_on(n, j)}, std::pair{off(n, j), a2_off(n, j)}}) {
            if (std::isinf(expected) || expected == 0.0) CHECK(actual == expected);  // p = 0: exactly
            else CHECK(std::abs(actual - expected) <= 8 * eps * std::max(1.0, std::abs(expected)));
          }
        } else {
          ++differing;
          CHECK(off(n, j) < a2_off(n, j));
          CHECK(on(n, j) > a2_on(n, j));
          // ... and by what the product form says, in long double.
          const Pair expected = reference_pair("odds-sum", theta, parents, n, j);
          check_log(on(n, j), expected.on, 64 * eps, static_cast<double>(input_rounding("odds-sum", theta, parents, n, j).on));
          check_log(off(n, j), expected.off, 64 * eps, 0.0);
        }
      }
  }
  CHECK(agreeing > 100);
  CHECK(differing > 100);
}

TEST_CASE("mean field: log p and log(1 - p) at fractional means match each rule's formula in long double") {
  Rng rng = make_rng(102);
  for (const std::string& rule : rules) {
    CAPTURE(rule);
    for (int trial = 0; trial < 12; ++trial) {
      auto plugin = make_rule(rule);
      const Vector theta = trial < 4   ? interior_parameters(rule, rng)
                           : trial < 8 ? extreme_parameters(rule, rng)
                                       : near_saturation_parameters(rule, rng);
      plugin->set_parameters(theta);
      // Means anywhere in [0, 1], with rows near the ends.
      Matrix means = uniform_matrix(rng, 12, parent_units, 0.0, 1.0);
      for (std::size_t k = 0; k < parent_units; ++k) {
        means(0, k) = 1e-9 * uniform01(rng);
        means(1, k) = 1.0 - 1e-9 * uniform01(rng);
        means(2, k) = 1.0 - 1e-6 * uniform01(rng);
      }
      Matrix on, off;
      mean_field_of(*plugin, means, on, off);
      for (std::size_t n = 0; n < means.shape(0); ++n)
        for (std::size_t j = 0; j < units; ++j) {
          INFO("trial ", trial, ", pattern ", n, ", unit ", j);
          const Pair p = reference_pair(rule, theta, means, n, j);
          const Pair rounding = input_rounding(rule, theta, means, n, j);
          check_log(on(n, j), p.on, 64 * eps, static_cast<double>(rounding.on));
          check_log(off(n, j), p.off, 64 * eps, static_cast<double>(rounding.off));
        }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Finite differences of S(theta, m) = sum_nj (u_nj log p_nj + v_nj log(1 - p_nj)), the
// function whose gradient mean_field_backward gives for upstream derivatives u and v. A
// zero coefficient contributes nothing even where its log is -inf.

struct Upstream {
  Matrix on, off;  // u, v
};

double weighted_sum(const Distribution& d, const Matrix& means, const Upstream& upstream) {
  Matrix on, off;
  rule_of(d).mean_field(means, on, off);
  double sum = 0;
  for (std::size_t i = 0; i < on.size(); ++i) {
    if (upstream.on.data()[i] != 0.0) sum += upstream.on.data()[i] * on.data()[i];
    if (upstream.off.data()[i] != 0.0) sum += upstream.off.data()[i] * off.data()[i];
  }
  return sum;
}

// A finite difference and the rounding noise it may carry: about eps |f| / h.
struct Difference {
  double value, noise;
};

// Four-point central difference (error O(h^4)) of f at x, with the step kept well inside
// [lower, upper] so that no probe leaves the domain or meets its singularity; one-sided
// second-order differences for a point on an end of the domain.
template <class F>
Difference derivative(F f, double x, double lower, double upper) {
  auto noise = [](double h, std::initializer_list<double> values) {
    double largest = 0;
    for (double v : values) largest = std::max(largest, std::abs(v));
    return 64 * eps * largest / h;
  };
  if (x == upper || x == lower) {
    const double h = (x == upper ? -1.0 : 1.0) / 1024 / 1024;  // a power of two: exact probes at 0 and 1
    const double f0 = f(x), f1 = f(x + h), f2 = f(x + 2 * h);
    return {(-3 * f0 + 4 * f1 - f2) / (2 * h), noise(std::abs(h), {f0, f1, f2})};
  }
  const double room = std::min(x - lower, upper - x);
  const double h = std::min(1e-4 * std::max(1.0, std::abs(x)), 0.01 * room);
  const double a = f(x - 2 * h), b = f(x - h), c = f(x + h), d = f(x + 2 * h);
  return {(a - 8 * b + 8 * c - d) / (12 * h), noise(h, {a, b, c, d})};
}

// |analytic - numeric| <= tolerance * max(1, |numeric|) + the difference's rounding noise.
bool close(double analytic, const Difference& numeric, double tolerance) {
  return std::abs(analytic - numeric.value) <= tolerance * std::max(1.0, std::abs(numeric.value)) + numeric.noise;
}

struct Backward {
  Vector gradient;       // dS/dtheta
  Matrix mean_gradient;  // dS/dm
};

// The backward pass, started from a non-zero gradient (it must add) into a NaN-filled mean
// gradient (it must overwrite) with a NaN-filled workspace (it must not rely on scratch).
Backward backward_of(const Distribution& d, const Matrix& means, const Upstream& upstream, Rng& rng) {
  const Vector start = uniform_vector(rng, d.parameter_count(), -1.0, 1.0);
  Vector gradient = start;
  Matrix mean_gradient = nan_matrix(means.shape(0), means.shape(1));
  Workspace work = dirty_workspace(means.shape(0));
  rule_of(d).mean_field_backward(means, upstream.on, upstream.off, gradient, mean_gradient, work);
  for (std::size_t i = 0; i < gradient.size(); ++i) gradient(i) -= start(i);
  return {gradient, mean_gradient};
}

// Every parameter's and every mean's derivative of S against finite differences:
// |analytic - numeric| <= tolerance * max(1, |numeric|).
void check_backward(const Distribution& d, const Matrix& means, const Upstream& upstream, Rng& rng,
                    double tolerance) {
  const std::string kind(d.kind());
  const Backward analytic = backward_of(d, means, upstream, rng);
  REQUIRE(analytic.mean_gradient.shape(0) == means.shape(0));
  REQUIRE(analytic.mean_gradient.shape(1) == means.shape(1));
  const Vector theta = d.parameters();
  auto probe = d.clone();
  for (std::size_t i = 0; i < theta.size(); ++i) {
    auto f = [&](double value) {
      Vector changed = theta;
      changed(i) = value;
      probe->set_parameters(changed);
      return weighted_sum(*probe, means, upstream);
    };
    const Difference numeric = derivative(f, theta(i), lower_bound(kind), upper_bound(kind));
    INFO(d.parameter_name(i), " = ", theta(i), ": analytic ", analytic.gradient(i), ", numeric ", numeric.value,
         " (rounding noise ", numeric.noise, ")");
    CHECK(close(analytic.gradient(i), numeric, tolerance));
  }
  for (std::size_t n = 0; n < means.shape(0); ++n)
    for (std::size_t k = 0; k < means.shape(1); ++k) {
      auto f = [&](double value) {
        Matrix changed = means;
        changed(n, k) = value;
        return weighted_sum(d, changed, upstream);
      };
      const Difference numeric = derivative(f, means(n, k), 0.0, 1.0);
      INFO("mean (", n, ", ", k, ") = ", means(n, k), ": analytic ", analytic.mean_gradient(n, k), ", numeric ",
           numeric.value, " (rounding noise ", numeric.noise, ")");
      CHECK(close(analytic.mean_gradient(n, k), numeric, tolerance));
    }
}

Upstream random_upstream(Rng& rng, std::size_t patterns) {
  return {uniform_matrix(rng, patterns, units, -1.0, 1.0), uniform_matrix(rng, patterns, units, -1.0, 1.0)};
}

TEST_CASE("mean field: the backward pass matches finite differences at interior points") {
  Rng rng = make_rng(103);
  for (const std::string& rule : rules) {
    CAPTURE(rule);
    for (int trial = 0; trial < 4; ++trial) {
      auto plugin = make_rule(rule);
      plugin->set_parameters(interior_parameters(rule, rng));
      const Matrix means = uniform_matrix(rng, 5, parent_units, 0.05, 0.95);
      check_backward(*plugin, means, random_upstream(rng, 5), rng, 1e-8);
    }
  }
}

TEST_CASE("mean field: the backward pass matches finite differences near saturation") {
  Rng rng = make_rng(104);
  // Means within 1e-6 of 0 and 1.
  Matrix means = uniform_matrix(rng, 6, parent_units, 0.0, 1.0);
  for (std::size_t n = 0; n < means.shape(0); ++n)
    for (std::size_t k = 0; k < parent_units; ++k) {
      const double tiny = 1e-6 * (0.5 + uniform01(rng));
      means(n, k) = (n + k) % 3 == 0 ? tiny : (n + k) % 3 == 1 ? 1.0 - tiny : means(n, k);
    }
  for (const std::string& rule : rules) {
    CAPTURE(rule);
    for (int trial = 0; trial < 3; ++trial) {
      auto plugin = make_rule(rule);
      plugin->set_parameters(near_saturation_parameters(rule, rng));
      check_backward(*plugin, means, random_upstream(rng, means.shape(0)), rng, 1e-6);
    }
  }
}

TEST_CASE("mean field: on the boundary (noisy-or certain causes, odds-sum p = 0) the backward pass is the one-sided derivative") {
  Rng rng = make_rng(105);
  // noisy-or: unit 0 has one certain cause (W_00 = 1, m_0 = 1), so p_0 = 1 exactly; with
  // dF/dlog(1 - p_0) = 0, F depends on it through log p_0 alone, which is smooth there:
  // d log p_0 / dW_00 = (1 - b_0) prod_{k>0} (1 - W_0k m_k). Unit 1 has two certain causes
  // (bias and W_11 = 1). Unit 2 has none and p_2 = 0 (b_2 = 0, its only weight on a mean of 0).
  {
    auto plugin = make_plugin("noisy-or");
    Vector theta = uniform_vector(rng, parameter_count, 0.1, 0.9);
    theta(weight_index(0, 0)) = 1.0;
    theta(bias_index(1)) = 1.0;
    theta(weight_index(1, 1)) = 1.0;
    theta(bias_index(2)) = 0.0;
    for (std::size_t k = 0; k < parent_units; ++k) theta(weight_index(2, k)) = k == 4 ? 0.7 : 0.0;
    plugin->set_parameters(theta);
    Matrix means = uniform_matrix(rng, 3, parent_units, 0.2, 0.8);
    for (std::size_t n = 0; n < 3; ++n) {
      means(n, 0) = 1.0;
      means(n, 1) = 1.0;
      means(n, 4) = 0.0;
    }
    Matrix on, off;
    mean_field_of(*plugin, means, on, off);
    for (std::size_t n = 0; n < 3; ++n) {
      CHECK(on(n, 0) == 0.0);
      CHECK(off(n, 0) == -inf);
      CHECK(on(n, 1) == 0.0);
      CHECK(off(n, 1) == -inf);
      CHECK(on(n, 2) == -inf);
      CHECK(off(n, 2) == 0.0);
    }
    // Upstream derivatives of zero on the infinite logs, as a cost never puts weight there
    // when it is finite.
    Upstream upstream = random_upstream(rng, 3);
    for (std::size_t n = 0; n < 3; ++n) {
      upstream.off(n, 0) = upstream.off(n, 1) = 0.0;
      upstream.on(n, 2) = 0.0;
    }
    check_backward(*plugin, means, upstream, rng, 1e-6);
    // The closed form of the certain cause's derivative, pattern by pattern.
    const Backward analytic = backward_of(*plugin, means, upstream, rng);
    long double expected = 0;
    for (std::size_t n = 0; n < 3; ++n) {
      long double rest = 1.0L - theta(bias_index(0));
      for (std::size_t k = 1; k < parent_units; ++k) rest *= 1.0L - theta(weight_index(0, k)) * means(n, k);
      expected += upstream.on(n, 0) * rest;
    }
    CHECK(analytic.gradient(weight_index(0, 0)) == doctest::Approx(static_cast<double>(expected)).epsilon(1e-13));
  }
  // odds-sum, both rules: unit 0 has b_0 = 0 and its weights only on means of 0, so p_0 = 0
  // (t = 0 for the odds rule, log(1 - p) = 0 for the product rule).
  for (const std::string rule : {"odds-sum", "odds-sum:odds"}) {
    CAPTURE(rule);
    auto plugin = make_rule(rule);
    Vector theta = uniform_vector(rng, parameter_count, 0.1, 2.0);
    theta(bias_index(0)) = 0.0;
    for (std::size_t k = 0; k < parent_units; ++k) theta(weight_index(0, k)) = k < 2 ? 0.0 : 0.5;
    plugin->set_parameters(theta);
    Matrix means = uniform_matrix(rng, 3, parent_units, 0.2, 0.8);
    for (std::size_t n = 0; n < 3; ++n)
      for (std::size_t k = 2; k < parent_units; ++k) means(n, k) = 0.0;
    Matrix on, off;
    mean_field_of(*plugin, means, on, off);
    for (std::size_t n = 0; n < 3; ++n) {
      CHECK(on(n, 0) == -inf);
      CHECK(off(n, 0) == 0.0);
    }
    Upstream upstream = random_upstream(rng, 3);
    for (std::size_t n = 0; n < 3; ++n) upstream.on(n, 0) = 0.0;
    check_backward(*plugin, means, upstream, rng, 1e-6);

    // With weight on the infinite log p_0 the backward pass stays finite: p_0 (or t_0) is taken
    // at least 1e-12, as the plugin documents, so that with dlog p / db = 1 / p (both rules at
    // b = 0 and p = 0) dS/db_0 = sum_n (u_n / 1e-12 - v_n), a large push toward letting the unit
    // fire.
    for (std::size_t n = 0; n < 3; ++n) upstream.on(n, 0) = 0.5 + 0.25 * static_cast<double>(n);
    const Backward pushed = backward_of(*plugin, means, upstream, rng);
    for (double g : pushed.gradient) CHECK(std::isfinite(g));
    for (double g : pushed.mean_gradient) CHECK(std::isfinite(g));
    long double expected = 0;
    for (std::size_t n = 0; n < 3; ++n) expected += upstream.on(n, 0) / 1e-12L - upstream.off(n, 0);
    CHECK(pushed.gradient(bias_index(0)) == doctest::Approx(static_cast<double>(expected)).epsilon(1e-12));
  }
}

TEST_CASE("mean field: never NaN, and a finite backward pass even with weight on an impossible outcome") {
  Rng rng = make_rng(106);
  for (const std::string& rule : rules) {
    CAPTURE(rule);
    for (int trial = 0; trial < 30; ++trial) {
      auto plugin = make_rule(rule);
      plugin->set_parameters(extreme_parameters(rule, rng));
      Matrix means = uniform_matrix(rng, 8, parent_units, 0.0, 1.0);
      for (double& m : means) {
        const double r = uniform01(rng);
        m = r < 0.3 ? 0.0 : r < 0.6 ? 1.0 : m;
      }
      Matrix on, off;
      mean_field_of(*plugin, means, on, off);
      for (std::size_t i = 0; i < on.size(); ++i) {
        CHECK(!std::isnan(on.data()[i]));
        CHECK(!std::isnan(off.data()[i]));
        CHECK(on.data()[i] <= 0.0);
        CHECK(off.data()[i] <= 0.0);
        // p and 1 - p add up to 1.
        CHECK(std::exp(on.data()[i]) + std::exp(off.data()[i]) == doctest::Approx(1.0).epsilon(1e-14));
      }
      const Backward b = backward_of(*plugin, means, random_upstream(rng, 8), rng);
      for (double g : b.gradient) CHECK(std::isfinite(g));
      for (double g : b.mean_gradient) CHECK(std::isfinite(g));
    }
  }
}

TEST_CASE("mean field: a root node's rule is its bias alone, and its mean gradient has no columns") {
  for (const std::string& rule : rules) {
    CAPTURE(rule);
    auto root = make_rule(rule, NodeShape{"top", 2, {}});
    Vector theta = Vector::from_shape({2});
    theta(0) = 0.25;
    theta(1) = 0.5;
    root->set_parameters(theta);
    const Matrix none = Matrix::from_shape({3, 0});
    Matrix on, off, expected_on, expected_off;
    mean_field_of(*root, none, on, off);
    root->log_firing_probabilities(none, expected_on, expected_off);
    for (std::size_t i = 0; i < on.size(); ++i) {
      CHECK(on.data()[i] == doctest::Approx(expected_on.data()[i]).epsilon(1e-15));
      CHECK(off.data()[i] == doctest::Approx(expected_off.data()[i]).epsilon(1e-15));
    }
    // dS/db_j = sum_n (u_nj dlog p / db_j + v_nj dlog(1 - p) / db_j), by differences.
    Upstream upstream{Matrix::from_shape({3, 2}), Matrix::from_shape({3, 2})};
    upstream.on.fill(0.5);
    upstream.off.fill(-0.25);
    Vector gradient = Vector::from_shape({2});
    gradient.fill(0.0);
    Matrix mean_gradient;
    Workspace work;
    rule_of(*root).mean_field_backward(none, upstream.on, upstream.off, gradient, mean_gradient, work);
    CHECK(mean_gradient.shape(0) == 3);
    CHECK(mean_gradient.shape(1) == 0);
    for (std::size_t j = 0; j < 2; ++j) {
      auto probe = root->clone();
      auto f = [&](double value) {
        Vector changed = theta;
        changed(j) = value;
        probe->set_parameters(changed);
        return weighted_sum(*probe, none, upstream);
      };
      CHECK(close(gradient(j), derivative(f, theta(j), lower_bound(rule), upper_bound(rule)), 1e-9));
    }
  }
}

// ---------------------------------------------------------------------------------------
// odds-sum's `mean_field` key in model files.

// A network whose observed node is odds-sum, with `extra` added to its entry.
std::string odds_sum_model(const std::string& extra) {
  return "seed: 3\n"
         "nodes:\n"
         "  - {name: top,  type: binary, size: 2}\n"
         "  - {name: data, type: binary, size: 3, observed: true}\n"
         "generative:\n"
         "  top:  {distribution: sigmoid}\n"
         "  data: {distribution: odds-sum, parents: [top], bias: [0.5, 0, 2], weights: {top: [[1, 2], [3, 0.5], [0, 4]]}" +
         extra + "}\n";
}

// Which rule a parsed odds-sum entry uses, told apart where they differ: both parents on,
// where the odds rule is eq. A.2 and the product rule is not (unit 0: b = 0.5, W = 1 and 2).
std::string rule_in(const Network& network) {
  const Distribution& d = *network.generative.conditionals[1].distribution;
  REQUIRE(d.kind() == "odds-sum");
  Matrix both_on = Matrix::from_shape({1, 2});
  both_on.fill(1.0);
  Matrix on, off;
  mean_field_of(d, both_on, on, off);
  const long double product = -std::log1p(0.5L) - std::log1p(1.0L) - std::log1p(2.0L);  // -log(1.5 * 2 * 3)
  const long double odds = -std::log1p(0.5L + 1.0L + 2.0L);                            // -log(4.5)
  if (std::abs(off(0, 0) - product) < 1e-14L) return "product";
  if (std::abs(off(0, 0) - odds) < 1e-14L) return "odds";
  FAIL("log(1 - p_0) = ", off(0, 0), " is neither rule's");
  return "";
}

std::string model_error(const std::string& text) {
  try {
    parse_model(text, "bad.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("accepted");
  return "";
}

TEST_CASE("mean field: odds-sum's mean_field key is read, product by default") {
  CHECK(rule_in(parse_model(odds_sum_model(""), "m.yaml")) == "product");
  CHECK(rule_in(parse_model(odds_sum_model(", mean_field: product"), "m.yaml")) == "product");
  CHECK(rule_in(parse_model(odds_sum_model(", mean_field: odds"), "m.yaml")) == "odds");
  // A copy of the network (as training makes) keeps the rule.
  const Network network = parse_model(odds_sum_model(", mean_field: odds"), "m.yaml");
  const Network copy = network;
  CHECK(rule_in(copy) == "odds");
}

TEST_CASE("mean field: odds-sum's mean_field key is written only when it is not the default, and round-trips") {
  const std::string by_default = model_to_yaml(parse_model(odds_sum_model(""), "m.yaml"));
  CHECK(by_default.find("mean_field") == std::string::npos);
  // Naming the default is the same network, written the same way.
  CHECK(model_to_yaml(parse_model(odds_sum_model(", mean_field: product"), "m.yaml")) == by_default);

  const std::string odds = model_to_yaml(parse_model(odds_sum_model(", mean_field: odds"), "m.yaml"));
  CHECK(odds.find("mean_field: odds") != std::string::npos);
  const Network again = parse_model(odds, "again.yaml");
  CHECK(rule_in(again) == "odds");
  CHECK(model_to_yaml(again) == odds);
  CHECK(model_to_yaml(parse_model(by_default, "again.yaml")) == by_default);
}

TEST_CASE("mean field: a bad mean_field value is reported at its line and column, naming the allowed values") {
  // The entry is line 7; the key starts at column 113 of it, so the value at column 125.
  const std::string text = odds_sum_model(", mean_field: mean");
  REQUIRE(text.find("mean_field: mean") == text.find("  data:") + 112);
  CHECK(model_error(text) ==
        "bad.yaml, line 7, column 125: generative.data (odds-sum): mean_field is 'mean', but must be product or odds");
  CHECK(model_error(odds_sum_model(", mean_field: [odds]")) ==
        "bad.yaml, line 7, column 125: generative.data (odds-sum): mean_field is a list, but must be a name");
  // The key is odds-sum's own: other plugins do not accept it.
  std::string sigmoid = odds_sum_model("");
  sigmoid.replace(sigmoid.find("top:  {distribution: sigmoid}"), 29, "top:  {distribution: sigmoid, mean_field: odds}");
  CHECK(model_error(sigmoid) == "bad.yaml, line 6, column 33: generative.top (sigmoid): unknown key 'mean_field' "
                                "(allowed: distribution, parents, fixed, bias, weights)");
}

}  // namespace
}  // namespace helmholtz
