// Tests of the scalar kernels in framework/numerics.hpp against references computed in long
// double (64-bit significand, exponent range to about e^+-11356, so e^+-1000 is representable)
// straight from the definitions, and against closed forms at special points:
//   softplus(x)    = log(1 + e^x)            log_sigmoid(x) = log(1 / (1 + e^-x))
//   sigmoid(x)     = 1 / (1 + e^-x)          log1m_exp(x)   = log(1 - e^x),  x <= 0
//   log_add_exp(a, b) = log(e^a + e^b)
// "Within k ulps" below means |computed - exact| <= k * 2^-52 * |exact| (plus the smallest
// subnormal, so that an exact value below the double range may round to 0).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

#include <doctest/doctest.h>

#include "framework/numerics.hpp"

namespace helmholtz {
namespace {

namespace nm = numerics;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr long double log_2 = 0.693147180559945309417232121458176568L;

bool within_ulps(double computed, long double exact, double ulps) {
  if (std::isinf(exact)) return computed == static_cast<double>(exact);
  if (std::isnan(computed)) return false;
  const long double error = std::fabs(static_cast<long double>(computed) - exact);
  return error <= ulps * DBL_EPSILON * std::fabs(exact) + std::numeric_limits<double>::denorm_min();
}

// Points from -1000 to 1000, dense near 0 and around the usual switch points (0, -log 2,
// +-37, where exp(-x) drops below an ulp of 1), all giving normal (not subnormal) results.
std::vector<double> sample_points() {
  std::vector<double> xs = {0.0, 1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.1, 0.5, 0.6931471805599453, 0.7, 1.0,
                            2.0, 5.0, 10.0, 20.0, 33.0, 36.5, 37.0, 37.5, 40.0, 50.0, 100.0, 300.0, 700.0, 1000.0};
  const std::size_t positive = xs.size();
  for (std::size_t i = 1; i < positive; ++i) xs.push_back(-xs[i]);
  for (double x = -60.0; x <= 60.0; x += 0.37) xs.push_back(x);
  return xs;
}

long double exact_softplus(long double x) { return std::log1p(std::exp(x)); }
long double exact_sigmoid(long double x) { return 1.0L / (1.0L + std::exp(-x)); }
long double exact_log1m_exp(long double x) {
  // 1 - e^x loses digits in long double too as x -> 0; there e^x - 1 is taken from expm1.
  return x > -0.5L ? std::log(-std::expm1(x)) : std::log1p(-std::exp(x));
}
// log(e^a + e^b) = m + log(1 + e^(min - m)) with m = max(a, b): the same number, written so
// that a result near 0 (log(1 + tiny)) keeps its digits in long double as well.
long double exact_log_add_exp(long double a, long double b) {
  const long double m = std::max(a, b);
  return m + std::log1p(std::exp(std::min(a, b) - m));
}

TEST_CASE("numerics: softplus(x) = log(1 + e^x) within 2 ulps on [-1000, 1000]") {
  for (double x : sample_points()) {
    if (x < -700) continue;  // the exact value is subnormal or below; checked in the next case
    INFO("x = ", x, ", softplus = ", nm::softplus(x), ", exact = ", static_cast<double>(exact_softplus(x)));
    CHECK(within_ulps(nm::softplus(x), exact_softplus(x), 2));
  }
}

TEST_CASE("numerics: softplus at the extremes: log 2 at 0, x at +1000, 0 at -1000 (e^-1000 < 1e-434), "
          "e^x for x <= -40, and +-inf") {
  CHECK(within_ulps(nm::softplus(0.0), log_2, 1));
  CHECK(nm::softplus(1000.0) == 1000.0);
  CHECK(nm::softplus(-1000.0) == 0.0);
  CHECK(nm::softplus(inf) == inf);
  CHECK(nm::softplus(-inf) == 0.0);
  // log(1 + u) = u - u^2/2 + ..., and u = e^x <= e^-40 makes u^2/2 invisible
  for (double x : {-40.0, -100.0, -700.0}) CHECK(within_ulps(nm::softplus(x), std::exp(static_cast<long double>(x)), 2));
  // softplus(x) - softplus(-x) = x
  for (double x : {0.3, 3.0, 30.0, 300.0}) CHECK(nm::softplus(x) - nm::softplus(-x) == doctest::Approx(x).epsilon(1e-15));
}

TEST_CASE("numerics: log_sigmoid(x) = -log(1 + e^-x) within 2 ulps, exactly -1000 at -1000 and 0 at +1000") {
  for (double x : sample_points()) {
    if (x > 700) continue;
    INFO("x = ", x);
    CHECK(within_ulps(nm::log_sigmoid(x), -exact_softplus(-x), 2));
  }
  CHECK(within_ulps(nm::log_sigmoid(0.0), -log_2, 1));
  CHECK(nm::log_sigmoid(-1000.0) == -1000.0);
  CHECK(nm::log_sigmoid(1000.0) == 0.0);  // exact value -e^-1000 rounds to 0
  CHECK(nm::log_sigmoid(-inf) == -inf);
  CHECK(nm::log_sigmoid(inf) == 0.0);
  // log sigmoid(x) - log sigmoid(-x) = x (the log-odds)
  for (double x : {-30.0, -2.0, 0.5, 20.0})
    CHECK(nm::log_sigmoid(x) - nm::log_sigmoid(-x) == doctest::Approx(x).epsilon(1e-15));
}

TEST_CASE("numerics: sigmoid(x) = 1 / (1 + e^-x) within 3 ulps, 1/2 at 0, 1 and 0 at +-1000 and +-inf, "
          "sigmoid(x) + sigmoid(-x) = 1") {
  for (double x : sample_points()) {
    INFO("x = ", x);
    const double s = nm::sigmoid(x);
    CHECK(s >= 0.0);
    CHECK(s <= 1.0);
    CHECK(within_ulps(s, exact_sigmoid(x), 3));
    CHECK(s + nm::sigmoid(-x) == doctest::Approx(1.0).epsilon(1e-15));
  }
  CHECK(nm::sigmoid(0.0) == 0.5);
  CHECK(nm::sigmoid(1000.0) == 1.0);
  CHECK(nm::sigmoid(-1000.0) == 0.0);
  CHECK(nm::sigmoid(inf) == 1.0);
  CHECK(nm::sigmoid(-inf) == 0.0);
  // below -37, sigmoid(x) = e^x / (1 + e^x) ~ e^x to relative e^x
  CHECK(within_ulps(nm::sigmoid(-700.0), std::exp(-700.0L), 2));
}

TEST_CASE("numerics: log1m_exp(x) = log(1 - e^x) within 3 ulps for -1000 <= x < 0, on both sides of -log 2") {
  std::vector<double> xs;
  for (double x : sample_points())
    if (x < 0) xs.push_back(x);
  // either side of the switch at -log 2 = -0.69314718055994530942
  for (double x : {-0.6931471805599453, -0.6931471805599454, -0.6931471805599452, -0.69, -0.70})
    xs.push_back(x);
  for (double x : xs) {
    if (x < -700) continue;
    INFO("x = ", x, ", log1m_exp = ", nm::log1m_exp(x), ", exact = ", static_cast<double>(exact_log1m_exp(x)));
    CHECK(within_ulps(nm::log1m_exp(x), exact_log1m_exp(x), 3));
  }
}

TEST_CASE("numerics: log1m_exp closed forms: -inf at 0, 0 at -inf, -log 2 at -log 2, log(1/4) at log(3/4), "
          "log(-x) for tiny x, -e^x for x <= -40") {
  CHECK(nm::log1m_exp(0.0) == -inf);
  CHECK(nm::log1m_exp(-0.0) == -inf);
  CHECK(nm::log1m_exp(-inf) == 0.0);
  CHECK(nm::log1m_exp(-1000.0) == 0.0);  // exact value -e^-1000 rounds to 0
  const double minus_log_2 = static_cast<double>(-log_2);
  CHECK(within_ulps(nm::log1m_exp(minus_log_2), exact_log1m_exp(minus_log_2), 2));
  CHECK(nm::log1m_exp(minus_log_2) == doctest::Approx(static_cast<double>(-log_2)).epsilon(1e-15));
  const double log_three_quarters = std::log(0.75);
  CHECK(within_ulps(nm::log1m_exp(log_three_quarters), exact_log1m_exp(log_three_quarters), 2));
  CHECK(nm::log1m_exp(log_three_quarters) == doctest::Approx(std::log(0.25)).epsilon(1e-15));
  // 1 - e^x = -x (1 + x/2 + ...): log1m_exp(x) = log(-x) + x/2 + O(x^2)
  for (double x : {-1e-300, -1e-100, -1e-20, -1e-10})
    CHECK(within_ulps(nm::log1m_exp(x), std::log(-static_cast<long double>(x)) + x / 2.0L, 2));
  for (double x : {-40.0, -100.0, -700.0}) CHECK(within_ulps(nm::log1m_exp(x), -std::exp(static_cast<long double>(x)), 2));
}

TEST_CASE("numerics: log_add_exp(a, b) = log(e^a + e^b), symmetric, exact where one side vanishes") {
  const std::vector<double> values = {-1000.0, -700.0, -100.0, -37.0, -5.0, -1.0, -0.25, 0.0, 0.5,
                                      3.0,     36.0,   40.0,   100.0, 709.0, 1000.0};
  for (double a : values)
    for (double b : values) {
      INFO("a = ", a, ", b = ", b);
      const double computed = nm::log_add_exp(a, b);
      CHECK(computed == nm::log_add_exp(b, a));
      CHECK(computed >= std::max(a, b));
      // Within 3 ulps of the result, or of the larger input where the result is near 0
      // (log(e^a + e^b) ~ 0 cancels, and no formula does better than the inputs' own rounding).
      const long double exact = exact_log_add_exp(a, b);
      const long double scale = std::max<long double>(std::fabs(exact), std::fabs(std::max(a, b)));
      CHECK(std::fabs(computed - exact) <= 3 * DBL_EPSILON * scale + std::numeric_limits<double>::denorm_min());
    }
  CHECK(within_ulps(nm::log_add_exp(0.0, 0.0), log_2, 1));
  CHECK(within_ulps(nm::log_add_exp(1000.0, 1000.0), 1000.0L + log_2, 1));
  CHECK(within_ulps(nm::log_add_exp(-1000.0, -1000.0), -1000.0L + log_2, 1));
  CHECK(nm::log_add_exp(1000.0, -1000.0) == 1000.0);
  CHECK(nm::log_add_exp(-1000.0, 1000.0) == 1000.0);
  // log(e^a + e^a) = a + log 2, for every a
  for (double a : {-500.0, -3.0, 7.0, 500.0}) CHECK(within_ulps(nm::log_add_exp(a, a), a + log_2, 2));
}

TEST_CASE("numerics: log_add_exp treats -inf (probability 0) as the identity") {
  CHECK(nm::log_add_exp(-inf, -inf) == -inf);
  for (double x : {-1000.0, -1.0, 0.0, 2.5, 1000.0}) {
    CHECK(nm::log_add_exp(x, -inf) == x);
    CHECK(nm::log_add_exp(-inf, x) == x);
  }
  CHECK(nm::log_add_exp(inf, -inf) == inf);
  CHECK(nm::log_add_exp(inf, 0.0) == inf);
  CHECK(nm::log_add_exp(0.0, inf) == inf);
}

// log(e^inf + e^inf) = inf; the shifted form m + log1p(e^-|a - b|) gives inf - inf = NaN inside.
TEST_CASE("numerics: log_add_exp(inf, inf) = inf, not NaN") {
  CHECK(nm::log_add_exp(inf, inf) == inf);
}

TEST_CASE("numerics: log_bernoulli picks log P(s = 1) or log P(s = 0) and never forms 0 * -inf") {
  CHECK(nm::log_bernoulli(1.0, -0.25, -1.5) == -0.25);
  CHECK(nm::log_bernoulli(0.0, -0.25, -1.5) == -1.5);
  CHECK(nm::log_bernoulli(1.0, 0.0, -inf) == 0.0);
  CHECK(nm::log_bernoulli(0.0, -inf, 0.0) == 0.0);
  CHECK(nm::log_bernoulli(0.0, 0.0, -inf) == -inf);
}

TEST_CASE("numerics: log_odds_on(t) = log(t / (1 + t)): -log1p(1/t) from large odds down to 2^-1024, log t below "
          "(subnormal odds give about -744, not -inf), -inf at 0 and 0 at +inf") {
  for (double t : {1e300, 1e12, 1e8, 2.0, 1.0, 0.5, 1e-8, 1e-300, 0x1.0p-1022, 0x1.0p-1023}) {
    CAPTURE(t);
    const long double exact = -std::log1p(1.0L / static_cast<long double>(t));
    CHECK(nm::log_odds_on(t) == -std::log1p(1.0 / t));  // unchanged where 1 / t is finite
    CHECK(within_ulps(nm::log_odds_on(t), exact, 4));
  }
  const double smallest = std::numeric_limits<double>::denorm_min();
  for (double t : {smallest, 1e-320, 0x1.0p-1025}) {  // 1 / t overflows
    CAPTURE(t);
    CHECK(nm::log_odds_on(t) == std::log(t));
    CHECK(std::isfinite(nm::log_odds_on(t)));
  }
  CHECK(nm::log_odds_on(smallest) == doctest::Approx(-744.44007192138126));
  CHECK(nm::log_odds_on(0.0) == -inf);
  CHECK(nm::log_odds_on(inf) == 0.0);
}

}  // namespace
}  // namespace helmholtz
