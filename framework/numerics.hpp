#pragma once
// Numerically careful scalar kernels, written once and used by every plugin, so that
// saturated units give exact 0, -inf or finite values and never NaN.
#include <cmath>
#include <limits>

namespace helmholtz::numerics {

inline constexpr double infinity = std::numeric_limits<double>::infinity();

// log(1 + exp(x)) without overflow for large x or lost digits for very negative x.
inline double softplus(double x) {
  if (x > 0) return x + std::log1p(std::exp(-x));
  return std::log1p(std::exp(x));
}

// log(sigmoid(x)) = -softplus(-x): exact for |x| up to the range of double.
inline double log_sigmoid(double x) { return -softplus(-x); }

// 1 / (1 + exp(-x)), written so that neither branch overflows.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

// log(1 - exp(x)) for x <= 0 (Maechler 2012): log(-expm1(x)) near 0, log1p(-exp(x)) below
// -log 2. Gives -inf at x = 0 and 0 at x = -inf.
inline double log1m_exp(double x) {
  if (x > -0.6931471805599453) return std::log(-std::expm1(x));
  return std::log1p(-std::exp(x));
}

// log(exp(a) + exp(b)) with -inf as the identity.
inline double log_add_exp(double a, double b) {
  if (a == -infinity) return b;
  if (b == -infinity) return a;
  if (a == infinity || b == infinity) return infinity;
  const double m = a > b ? a : b;
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

// log(t / (1 + t)), the log-probability of the odds t >= 0 (odds-sum's unit on): -log1p(1 / t),
// which keeps its digits at large odds where log t - log1p(t) would cancel; below 2^-1024,
// where 1 / t overflows, log t itself (log1p(t) is then far below its last digit), so that a
// subnormal t gives about -744 and not -inf. -inf at t = 0, 0 at t = inf.
inline double log_odds_on(double t) {
  const double inverse = 1.0 / t;
  return inverse < infinity ? -std::log1p(inverse) : std::log(t);
}

// Contribution of one binary unit in state s (0 or 1) to a log-probability, given
// log P(s=1) and log P(s=0): never forms 0 * -inf.
inline double log_bernoulli(double s, double log_on, double log_off) {
  return s != 0.0 ? log_on : log_off;
}

}  // namespace helmholtz::numerics
