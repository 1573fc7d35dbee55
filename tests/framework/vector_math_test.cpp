// The vectorised kernels against the scalar ones of numerics.hpp (themselves tested
// against long-double references in numerics_test.cpp), on lengths that exercise both the
// vector body and the scalar tail, including the extremes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "framework/numerics.hpp"
#include "framework/vector_math.hpp"

using namespace helmholtz;

namespace {

// Equal within `ulps` units in the last place, or both the same infinity.
bool close(double actual, double expected, double ulps = 4) {
  if (std::isinf(expected)) return actual == expected;
  if (std::isnan(actual)) return false;
  return std::abs(actual - expected) <= ulps * std::numeric_limits<double>::epsilon() * std::max(std::abs(expected), 1e-300);
}

std::vector<double> points(std::initializer_list<double> extremes) {
  std::vector<double> out(extremes);
  for (int i = -400; i <= 400; ++i) out.push_back(i * 0.137);
  return out;
}

}  // namespace

TEST_CASE("log_sigmoid_pair gives log sigmoid(a) and log sigmoid(-a) as the scalar kernel does") {
  const auto a = points({-1000, -745, -40, -1e-300, 0, 1e-300, 40, 745, 1000, 1e300, -1e300});
  std::vector<double> on(a.size()), off(a.size());
  vector_math::log_sigmoid_pair(a.data(), on.data(), off.data(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(a[i]);
    CHECK(close(on[i], numerics::log_sigmoid(a[i])));
    CHECK(close(off[i], numerics::log_sigmoid(-a[i])));
  }
}

TEST_CASE("log_sigmoid_sum is the sum of the scalar log sigmoid(s ? a : -a), tiny terms kept") {
  const auto a = points({-1000, -745, -40, -1e-300, 0, 1e-300, 40, 745, 1000});
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{9}, a.size()}) {
    std::vector<double> s(n);
    for (std::size_t i = 0; i < n; ++i) s[i] = (i * 7 + 3) % 5 < 2 ? 1.0 : 0.0;
    long double expected = 0, magnitude = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double term = numerics::log_sigmoid(s[i] != 0 ? a[i] : -a[i]);
      expected += term;
      magnitude += std::abs(term);
    }
    CAPTURE(n);
    const double sum = vector_math::log_sigmoid_sum(a.data(), s.data(), n);
    CHECK(std::abs(sum - static_cast<double>(expected)) <= 8 * 2.2e-16 * static_cast<double>(magnitude));
  }
  // Terms of e^-40 and e^-690 survive in the vector body: nothing is lost to a cancellation.
  const std::vector<double> large(8, 40.0), larger(8, 690.0), on(8, 1.0);
  CHECK(close(vector_math::log_sigmoid_sum(large.data(), on.data(), 8), 8 * numerics::log_sigmoid(40.0)));
  CHECK(close(vector_math::log_sigmoid_sum(larger.data(), on.data(), 8), 8 * numerics::log_sigmoid(690.0)));
}

TEST_CASE("log1m_exp is log(1 - e^x) on both sides of -log 2, -inf at 0 and 0 at -inf") {
  auto x = points({-numerics::infinity, -1000, -40, -0.6931471805599453, -1e-300, 0});
  for (double& v : x) v = -std::abs(v);
  std::vector<double> out(x.size());
  vector_math::log1m_exp(x.data(), out.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x[i]);
    CHECK(close(out[i], numerics::log1m_exp(x[i])));
  }
}

TEST_CASE("log1m_exp keeps its digits where 1 - e^x is subnormal (x in (-2^-1022, 0)), in every lane") {
  // log(5e-324) is -744.44; xsimd 8.1's vector log gives -746.52 for it. Each value in each
  // position of a batch of eight, the other lanes ordinary.
  const std::vector<double> tiny = {-4.9406564584124654e-324, -1e-320, -3e-315, -1e-310, -1.1125369292536007e-308,
                                    -2.2250738585072009e-308};
  for (double t : tiny)
    for (std::size_t position = 0; position < 8; ++position) {
      std::vector<double> x(8, -0.25), out(8);
      x[position] = t;
      vector_math::log1m_exp(x.data(), out.data(), x.size());
      CAPTURE(t);
      CAPTURE(position);
      CHECK(out[position] == numerics::log1m_exp(t));
      CHECK(out[position] == doctest::Approx(std::log(-t)).epsilon(1e-15));
    }
}

TEST_CASE("log_odds_pair gives log t/(1+t) and log 1/(1+t), -inf for on at t = 0, digits kept at large t") {
  auto t = points({0, 1e-300, 1e-8, 1, 1e8, 1e16, 1e300});
  for (double& v : t) v = std::abs(v);
  std::vector<double> on(t.size()), off(t.size());
  vector_math::log_odds_pair(t.data(), on.data(), off.data(), t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    CAPTURE(t[i]);
    const long double odds = t[i];
    CHECK(close(off[i], static_cast<double>(-std::log1p(odds))));
    CHECK(close(on[i], odds == 0 ? -numerics::infinity : static_cast<double>(-std::log1p(1 / odds))));
  }
}

TEST_CASE("exp_in_place is exp, with exact 0 far below and 1 at 0") {
  auto x = points({-1e300, -800, -745, 0, 700});
  std::vector<double> y = x;
  vector_math::exp_in_place(y.data(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x[i]);
    CHECK(close(y[i], std::exp(x[i])));
  }
}

TEST_CASE("sigmoid_in_place is the scalar sigmoid, exactly 0 and 1 far out") {
  auto x = points({-1e300, -800, -40, 0, 40, 800, 1e300});
  std::vector<double> y = x;
  vector_math::sigmoid_in_place(y.data(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x[i]);
    CHECK(close(y[i], numerics::sigmoid(x[i])));
  }
  CHECK(y[0] == 0.0);
  CHECK(y[6] == 1.0);
}

TEST_CASE("exp_shifted_sum: each exp(x - shift) within one unit in the last place of long double exp, and their sum") {
  // Random x in [-745, 0] and the edges of the fast path (-708, the normal range's end;
  // denormal results; exactly 0; -inf), in batches that mix them, with shift 0.
  std::vector<double> x = {0.0, -1e-300, -0.5, -0.34657359027997264, -0.34657359027997275, -1.0, -707.9, -708.0,
                           -708.0000001, -709.5, -740.0, -745.2, -746.0, -numerics::infinity, -20.0, -3.0};
  std::uint64_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x.push_back(-745.0 * static_cast<double>(state >> 11) / 9007199254740992.0);
  }
  std::vector<double> y = x;
  long double expected_sum = 0;
  const double sum = vector_math::exp_shifted_sum(y.data(), y.size(), 0.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x[i]);
    const long double reference = std::exp(static_cast<long double>(x[i]));
    expected_sum += reference;
    const double tolerance = std::max(std::numeric_limits<double>::epsilon() * static_cast<double>(reference),
                                      std::numeric_limits<double>::denorm_min());
    CHECK(std::abs(static_cast<long double>(y[i]) - reference) <= tolerance);
  }
  CHECK(std::abs(sum - static_cast<double>(expected_sum)) <= 1e-15 * static_cast<double>(expected_sum));
}

TEST_CASE("softplus_sum is the sum of the scalar softplus, extremes included") {
  const auto a = points({-1000, -745, -709, -708, -40, -1e-300, 0, 1e-300, 40, 708, 709, 745, 1000});
  long double expected = 0;
  for (double v : a) expected += numerics::softplus(v);
  CHECK(std::abs(vector_math::softplus_sum(a.data(), a.size()) - static_cast<double>(expected)) <=
        1e-15 * static_cast<double>(expected));
}

TEST_CASE("all_finite finds an infinity or a NaN anywhere, in the vector body and in the tail") {
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{9}, std::size_t{100}}) {
    std::vector<double> x(n, 1e308);
    CHECK(vector_math::all_finite(x.data(), n));
    for (std::size_t at : {std::size_t{0}, n / 2, n - 1})
      for (double bad : {numerics::infinity, -numerics::infinity, std::numeric_limits<double>::quiet_NaN()}) {
        CAPTURE(n);
        CAPTURE(at);
        std::vector<double> y = x;
        y[at] = bad;
        CHECK_FALSE(vector_math::all_finite(y.data(), n));
      }
  }
  CHECK(vector_math::all_finite(nullptr, 0));
  const double extremes[] = {std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::denorm_min(), -0.0};
  CHECK(vector_math::all_finite(extremes, 4));
}
