// The worked example of docs/writing-a-plugin.md, character for character between the lines
// "// BEGIN probit example" and "// END probit example" (tests/plugins/example_probit_test.cpp
// checks that they agree). It is compiled three ways: into that test, on a registry of its own;
// into tests/plugin-libraries/ as a plugin library of this build; and, from outside the project,
// by tests/package/ against the installed package.
// BEGIN probit example
// probit: a unit fires when a standard normal variable added to its input is positive.
//   p_j = Phi(a_j),  a_j = b_j + sum_k W_jk s_k,  Phi the standard normal CDF;
//   all parameters real.
//   log P(s_j = 1) = log Phi(a_j),  log P(s_j = 0) = log(1 - Phi(a_j)) = log Phi(-a_j).
//   d log P / d a_j = s_j ? phi(a_j) / Phi(a_j) : -phi(a_j) / Phi(-a_j).
// Phi(x) = erfc(-x / sqrt 2) / 2 is accurate for negative x down to about -37.5; below that
// it is subnormal, and from -38.5 on it is 0, although log Phi(-38.5) is a modest -746.
// Below `tail_start` both log Phi and phi / Phi therefore come from the asymptotic series
// of the Mills ratio,
//   Phi(x) = phi(x) / (-x) * (1 + c(x)),  c(x) = sum_{n>=1} (-1)^n (2n-1)!! / x^(2n),
// which is exact to double precision there after a few terms.
#include <cmath>
#include <memory>
#include <numbers>

#include "framework/numerics.hpp"
#include "framework/weighted_distribution.hpp"

namespace helmholtz::example {
namespace {

constexpr double tail_start = -30.0;
constexpr double half_log_two_pi = 0.918938533204672741780;  // log(2 pi) / 2

// c(x) for x <= tail_start: ten terms; the eleventh is below 1e-19 there.
double mills_correction(double x) {
  const double inverse_square = 1.0 / (x * x);
  double term = 1.0, sum = 0.0;
  for (int n = 1; n <= 10; ++n) {
    term *= -(2 * n - 1) * inverse_square;
    sum += term;
  }
  return sum;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

// log Phi(x): never NaN, and finite unless x * x overflows.
double log_normal_cdf(double x) {
  if (x >= 0) return std::log1p(-0.5 * std::erfc(x / std::numbers::sqrt2));
  if (x >= tail_start) return std::log(0.5 * std::erfc(-x / std::numbers::sqrt2));
  return -0.5 * x * x - std::log(-x) - half_log_two_pi + std::log1p(mills_correction(x));
}

// phi(x) / Phi(x): tends to 0 as x grows and to -x as x falls; never NaN.
double pdf_over_cdf(double x) {
  if (x >= tail_start) return std::exp(-0.5 * x * x - half_log_two_pi) / normal_cdf(x);
  return -x / (1.0 + mills_correction(x));
}

class Probit final : public WeightedDistribution {
 public:
  // All parameters real (the default range); biases start at 0, weights uniform in
  // [-0.1, 0.1], and they learn in their natural coordinates (the default).
  explicit Probit(NodeShape shape)
      : WeightedDistribution(std::move(shape), {.initial = {0.0, 0.0}}, {.initial = {-0.1, 0.1}}) {}
  std::string_view kind() const override { return "probit"; }

  void probabilities(const Matrix& parents, Matrix& p) const override {
    affine(parents, p);
    for (double& a : p) a = normal_cdf(a);
  }

  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    affine(parents, log_on);
    ensure_shape(log_off, log_on.shape(0), log_on.shape(1));
    auto off = log_off.begin();
    for (double& a : log_on) {
      *off++ = log_normal_cdf(-a);
      a = log_normal_cdf(a);
    }
  }

  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p,
                       Workspace& workspace) const override {
    Matrix& a = workspace.first;
    affine(parents, a);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n) {
      double sum = 0;
      for (std::size_t j = 0; j < units(); ++j) sum += log_normal_cdf(states(n, j) != 0.0 ? a(n, j) : -a(n, j));
      log_p(n) = sum;
    }
  }

  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                           std::span<double> gradient, Workspace& workspace) const override {
    Matrix& deltas = workspace.first;  // d log P / d a, in place of a
    affine(parents, deltas);
    for (std::size_t n = 0; n < states.shape(0); ++n)
      for (std::size_t j = 0; j < units(); ++j) {
        const double a = deltas(n, j);
        deltas(n, j) = states(n, j) != 0.0 ? pdf_over_cdf(a) : -pdf_over_cdf(-a);
      }
    accumulate_affine_gradient(parents, deltas, weights, gradient);
  }

  std::unique_ptr<Distribution> clone() const override { return std::make_unique<Probit>(*this); }
};

}  // namespace

std::unique_ptr<Distribution> make_probit(NodeShape shape) { return std::make_unique<Probit>(std::move(shape)); }

}  // namespace helmholtz::example
// END probit example
