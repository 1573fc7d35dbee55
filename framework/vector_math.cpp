#include "framework/vector_math.hpp"

#include <cmath>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "framework/numerics.hpp"

namespace helmholtz::vector_math {
namespace {

using batch = xsimd::batch<double>;
using int_batch = xsimd::batch<std::int64_t>;
constexpr std::size_t width = batch::size;

// exp(x) for x <= 0, within 0.61 units in the last place (as xsimd::exp) at 2.5 times its
// speed: xsimd's double exp forms 2^k lane by lane on AVX2, which has no double -> int64
// conversion. Here k = round(x / ln 2) comes out of the rounding of x / ln 2 + 1.5 2^52 (its
// low mantissa bits), r = x - k ln 2 in two parts (Cody-Waite), exp(r) on |r| <= ln 2 / 2 is
// its Taylor polynomial of degree 13 (truncation under 5e-18), and 2^k is added to the
// exponent bits. A batch with a lane below -708 (where 2^k leaves the normal range), -inf
// or NaN goes to std::exp lane by lane (xsimd::exp flushes the subnormal results to 0).
inline batch exp_nonpositive(const batch& x) {
  if (!xsimd::all(x >= batch(-708.0))) {
    alignas(64) double lanes[width];
    x.store_aligned(lanes);
    for (double& v : lanes) v = std::exp(v);
    return batch::load_aligned(lanes);
  }
  const batch shifter(0x1.8p52);
  const batch t = xsimd::fma(x, batch(1.4426950408889634074), shifter);
  const batch k = t - shifter;
  batch r = xsimd::fnma(k, batch(6.93147180369123816490e-01), x);  // ln 2, high part
  r = xsimd::fnma(k, batch(1.90821492927058770002e-10), r);        // ln 2, low part
  batch p(1.0 / 6227020800.0);
  for (double c : {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
                   1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0})
    p = xsimd::fma(p, r, batch(c));
  const int_batch k_bits = xsimd::bitwise_cast<int_batch>(t) - xsimd::bitwise_cast<int_batch>(shifter);
  return xsimd::bitwise_cast<batch>(xsimd::bitwise_cast<int_batch>(p) + (k_bits << 52));
}

}  // namespace

double maximum(const double* x, std::size_t n) {
  std::size_t i = 0;
  double m = -numerics::infinity;
  if (n >= 2 * width) {
    batch m0 = batch::load_unaligned(x), m1 = batch::load_unaligned(x + width);
    for (i = 2 * width; i + 2 * width <= n; i += 2 * width) {
      m0 = xsimd::max(m0, batch::load_unaligned(x + i));
      m1 = xsimd::max(m1, batch::load_unaligned(x + i + width));
    }
    alignas(64) double out[width];
    xsimd::max(m0, m1).store_aligned(out);
    for (double v : out) m = std::max(m, v);
  }
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

bool all_finite(const double* x, std::size_t n) {
  // x - x is 0 for a finite x and NaN for an infinity or a NaN, and a NaN survives the sums:
  // three operations per lane against five for a test of the exponent bits.
  std::size_t i = 0;
  batch s0(0.0), s1(0.0);
  for (; i + 2 * width <= n; i += 2 * width) {
    const batch a = batch::load_unaligned(x + i), b = batch::load_unaligned(x + i + width);
    s0 += a - a;
    s1 += b - b;
  }
  double s = xsimd::hadd(s0 + s1);
  for (; i < n; ++i) s += x[i] - x[i];
  return s == s;
}

double exp_shifted_sum(double* x, std::size_t n, double shift) {
  std::size_t i = 0;
  const batch c(shift);
  batch s0(0.0), s1(0.0);
  for (; i + 2 * width <= n; i += 2 * width) {
    const batch a = exp_nonpositive(batch::load_unaligned(x + i) - c);  // shift: at least every x
    const batch b = exp_nonpositive(batch::load_unaligned(x + i + width) - c);
    a.store_unaligned(x + i);
    b.store_unaligned(x + i + width);
    s0 += a;
    s1 += b;
  }
  double s = xsimd::hadd(s0 + s1);
  for (; i < n; ++i) s += x[i] = std::exp(x[i] - shift);
  return s;
}

double softplus_sum(const double* a, std::size_t n) {
  constexpr std::size_t chunk = 128;  // per lane: at most 2^128, so 2^512 over the lanes
  const batch zero(0.0), one(1.0);
  double total = 0.0;
  std::size_t i = 0;
  while (i + width <= n) {
    batch positive(0.0), product(1.0);
    const std::size_t stop = std::min(n - (n - i) % width, i + chunk * width);
    for (; i < stop; i += width) {
      const batch x = batch::load_unaligned(a + i);
      positive += xsimd::max(x, zero);
      product *= one + exp_nonpositive(-xsimd::abs(x));
    }
    alignas(64) double lanes[width];
    product.store_aligned(lanes);
    double lane_product = 1.0;
    for (double p : lanes) lane_product *= p;
    total += xsimd::hadd(positive) + std::log(lane_product);
  }
  for (; i < n; ++i) total += numerics::softplus(a[i]);
  return total;
}

void exp_in_place(double* x, std::size_t n) {
  std::size_t i = 0;
  for (; i + width <= n; i += width) xsimd::exp(batch::load_unaligned(x + i)).store_unaligned(x + i);
  for (; i < n; ++i) x[i] = std::exp(x[i]);
}

void sigmoid_in_place(double* x, std::size_t n) {
  std::size_t i = 0;
  const batch zero(0.0), one(1.0);
  for (; i + width <= n; i += width) {
    const batch a = batch::load_unaligned(x + i);
    const batch e = exp_nonpositive(-xsimd::abs(a));
    const batch r = one / (one + e);
    xsimd::select(a >= zero, r, e * r).store_unaligned(x + i);
  }
  for (; i < n; ++i) x[i] = numerics::sigmoid(x[i]);
}

void log_sigmoid_pair(const double* a, double* log_on, double* log_off, std::size_t n) {
  std::size_t i = 0;
  const batch zero(0.0);
  for (; i + width <= n; i += width) {
    const batch x = batch::load_unaligned(a + i);
    const batch tail = xsimd::log1p(exp_nonpositive(-xsimd::abs(x)));
    (xsimd::min(x, zero) - tail).store_unaligned(log_on + i);
    (xsimd::min(-x, zero) - tail).store_unaligned(log_off + i);
  }
  for (; i < n; ++i) {  // a may be log_on itself: read it first
    const double x = a[i];
    log_on[i] = numerics::log_sigmoid(x);
    log_off[i] = numerics::log_sigmoid(-x);
  }
}

double log_sigmoid_sum(const double* a, const double* s, std::size_t n) {
  std::size_t i = 0;
  const batch zero(0.0);
  batch sum0(0.0), sum1(0.0);
  for (; i + 2 * width <= n; i += 2 * width) {
    // x = a if s != 0, -a if s = 0; log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)).
    const batch x0 = xsimd::select(batch::load_unaligned(s + i) != zero, batch::load_unaligned(a + i),
                                   -batch::load_unaligned(a + i));
    const batch x1 = xsimd::select(batch::load_unaligned(s + i + width) != zero, batch::load_unaligned(a + i + width),
                                   -batch::load_unaligned(a + i + width));
    sum0 += xsimd::min(x0, zero) - xsimd::log1p(exp_nonpositive(-xsimd::abs(x0)));
    sum1 += xsimd::min(x1, zero) - xsimd::log1p(exp_nonpositive(-xsimd::abs(x1)));
  }
  double total = xsimd::hadd(sum0 + sum1);
  for (; i < n; ++i) total += numerics::log_sigmoid(s[i] != 0.0 ? a[i] : -a[i]);
  return total;
}

void log1m_exp(const double* log_off, double* log_on, std::size_t n) {
  std::size_t i = 0;
  const batch minus_log_2(-0.6931471805599453);
  // xsimd's log (8.1) is wrong for subnormal arguments (log 5e-324 = -746.52, not -744.44):
  // a lane with -expm1(x) below the smallest normal number, x in (-2^-1022, 0], goes to the
  // scalar rule with the rest of its batch.
  const batch subnormal_result(-0x1p-1022);
  for (; i + width <= n; i += width) {
    const batch x = batch::load_unaligned(log_off + i);
    if (xsimd::any(x > subnormal_result)) {
      for (std::size_t k = i; k < i + width; ++k) log_on[k] = numerics::log1m_exp(log_off[k]);
      continue;
    }
    // Maechler's rule per lane; both branches only when the lanes disagree.
    const auto near = x > minus_log_2;
    batch y;
    if (xsimd::all(near)) y = xsimd::log(-xsimd::expm1(x));
    else if (xsimd::none(near)) y = xsimd::log1p(-xsimd::exp(x));
    else y = xsimd::select(near, xsimd::log(-xsimd::expm1(x)), xsimd::log1p(-xsimd::exp(x)));
    y.store_unaligned(log_on + i);
  }
  for (; i < n; ++i) log_on[i] = numerics::log1m_exp(log_off[i]);
}

void log_odds_pair(const double* t, double* log_on, double* log_off, std::size_t n) {
  std::size_t i = 0;
  for (; i + width <= n; i += width) {
    const batch x = batch::load_unaligned(t + i);
    const batch off = -xsimd::log1p(x);
    const batch inverse = batch(1.0) / x;
    batch on = -xsimd::log1p(inverse);
    if (xsimd::any(inverse == batch(numerics::infinity))) {  // t below 2^-1024, or 0: log t
      alignas(64) double lanes[width];
      x.store_aligned(lanes);
      for (double& lane : lanes) lane = numerics::log_odds_on(lane);
      on = batch::load_aligned(lanes);
    }
    off.store_unaligned(log_off + i);
    on.store_unaligned(log_on + i);  // t may be log_on itself: written last
  }
  for (; i < n; ++i) {
    const double odds = t[i];
    log_off[i] = -std::log1p(odds);
    log_on[i] = numerics::log_odds_on(odds);
  }
}

namespace {
using batch_f = xsimd::batch<float>;
constexpr std::size_t width_f = batch_f::size;
}  // namespace

void sigmoid_in_place(float* x, std::size_t n) {
  std::size_t i = 0;
  const batch_f zero(0.0f), one(1.0f);
  for (; i + width_f <= n; i += width_f) {
    const batch_f a = batch_f::load_unaligned(x + i);
    const batch_f e = xsimd::exp(-xsimd::abs(a));
    const batch_f r = one / (one + e);
    xsimd::select(a >= zero, r, e * r).store_unaligned(x + i);
  }
  for (; i < n; ++i) {
    const float e = std::exp(-std::abs(x[i])), r = 1.0f / (1.0f + e);
    x[i] = x[i] >= 0.0f ? r : e * r;
  }
}

void log_sigmoid_pair(const float* a, float* log_on, float* log_off, std::size_t n) {  // a may be log_on
  std::size_t i = 0;
  const batch_f zero(0.0f);
  for (; i + width_f <= n; i += width_f) {
    const batch_f x = batch_f::load_unaligned(a + i);
    const batch_f tail = xsimd::log1p(xsimd::exp(-xsimd::abs(x)));
    (xsimd::min(x, zero) - tail).store_unaligned(log_on + i);
    (xsimd::min(-x, zero) - tail).store_unaligned(log_off + i);
  }
  for (; i < n; ++i) {  // a may be log_on itself: read it first
    const float x = a[i], tail = std::log1p(std::exp(-std::abs(x)));
    log_on[i] = std::min(x, 0.0f) - tail;
    log_off[i] = std::min(-x, 0.0f) - tail;
  }
}

double log_sigmoid_sum(const float* a, const float* s, std::size_t n) {
  std::size_t i = 0;
  const batch_f zero(0.0f), one(1.0f), two(2.0f);
  batch_f sum(0.0f);
  for (; i + width_f <= n; i += width_f) {
    // x = a if s = 1, -a if s = 0; log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)).
    const batch_f x = batch_f::load_unaligned(a + i) * (two * batch_f::load_unaligned(s + i) - one);
    sum += xsimd::min(x, zero) - xsimd::log1p(xsimd::exp(-xsimd::abs(x)));
  }
  double total = 0.0;
  alignas(32) float lanes[width_f];
  sum.store_aligned(lanes);
  for (float lane : lanes) total += lane;
  for (; i < n; ++i) {
    const float x = s[i] != 0.0f ? a[i] : -a[i];
    total += std::min(x, 0.0f) - std::log1p(std::exp(-std::abs(x)));
  }
  return total;
}

}  // namespace helmholtz::vector_math
