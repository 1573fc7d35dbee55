#include "framework/engines/factorised_sum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/error.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/numerics.hpp"
#include "framework/vector_math.hpp"

namespace helmholtz {
namespace {

// Inner sums at or above tiny are trusted; below it, up to 2 tiny may be hidden (terms
// lost to underflow each lose less than the smallest normal number, 2^L of them at most).
constexpr double tiny = 1e-250;
const double log_lost_bound = std::log(2.0 * tiny);
// A possible loss this far (in nats) below the total changes it by less than 1e-16.
constexpr double negligible = 37.0;

// log(e^a + e^b), -inf + -inf = -inf.
double log_add(double a, double b) {
  const double top = std::max(a, b);
  if (top == -std::numeric_limits<double>::infinity()) return top;
  return top + std::log1p(std::exp(std::min(a, b) - top));
}

}  // namespace

std::size_t FactorisedWalker::low_bits(std::size_t hidden_units) { return std::min<std::size_t>(hidden_units, 10); }

void FactorisedBlock::prepare(const TermPlan& plan, const TermBlock& block) {
  low_bits = FactorisedWalker::low_bits(plan.hidden_units);
  const std::size_t patterns = block.data->shape(0), columns = std::size_t{1} << low_bits;
  ensure_shape(low_exp, patterns, columns);
  ensure_shape(offset, patterns);
  std::vector<double> slope(low_bits);
  for (std::size_t n = 0; n < patterns; ++n) {
    double* row = &low_exp(n, 0);
    // u_low . l for every l, each from l with its lowest set bit cleared; the largest is
    // the sum of the positive slopes.
    double largest = 0.0;
    for (std::size_t k = 0; k < low_bits; ++k) {
      slope[k] = plan.any_linear ? block.linear_slope(k, n) : 0.0;
      largest += std::max(slope[k], 0.0);
    }
    row[0] = 0.0;
    for (std::size_t l = 1; l < columns; ++l) row[l] = row[l & (l - 1)] + slope[static_cast<std::size_t>(std::countr_zero(l))];
    for (std::size_t l = 0; l < columns; ++l) row[l] -= largest;
    vector_math::exp_in_place(row, columns);
    offset(n) = (plan.any_linear ? block.linear_offset(n) : 0.0) + largest;
  }
}

void FactorisedPartial::reset(std::size_t patterns) {
  max = Vector::from_shape({patterns});
  max.fill(-numerics::infinity);
  sum = xt::zeros<double>({patterns});
  lost = Vector::from_shape({patterns});
  lost.fill(-numerics::infinity);
}

void FactorisedPartial::merge(const FactorisedPartial& other) {
  for (std::size_t n = 0; n < max.size(); ++n) {
    lost(n) = log_add(lost(n), other.lost(n));
    if (other.sum(n) == 0.0) continue;
    const double m = std::max(max(n), other.max(n));
    sum(n) = (sum(n) == 0.0 ? 0.0 : sum(n) * std::exp(max(n) - m)) + other.sum(n) * std::exp(other.max(n) - m);
    max(n) = m;
  }
}

double FactorisedPartial::log_sum(std::size_t n, const FactorisedBlock& block) const {
  const double total = sum(n) > 0.0 ? max(n) + std::log(sum(n)) : -numerics::infinity;
  if (lost(n) > total - negligible) return std::numeric_limits<double>::quiet_NaN();
  return total + block.offset(n);
}

FactorisedWalker::FactorisedWalker(const TermPlan& plan) : plan_(plan), walker_(plan) {
  if (!plan.factorises) throw Error("FactorisedWalker: the network's terms do not factorise");
  const std::size_t columns = std::size_t{1} << low_bits(plan.hidden_units);
  ensure_shape(shared_, runs_per_product, columns);
  ensure_shape(run_max_, runs_per_product);
  run_high_.resize(runs_per_product);
}

void FactorisedWalker::run(const TermBlock& block, const FactorisedBlock& factors, std::uint64_t begin,
                           std::uint64_t end, FactorisedPartial& out) {
  const std::size_t low = factors.low_bits;
  const std::uint64_t columns = std::uint64_t{1} << low, mask = columns - 1;
  if (begin % columns || end % columns) throw Error("FactorisedWalker: a share that splits a run of configurations");
  out.reset(block.data->shape(0));
  walker_.attach_shared_only();
  std::size_t runs = 0;
  gray_walk(
      begin, end, [&](std::uint64_t h) { walker_.reset(h); }, [&](std::size_t u, std::uint64_t h) { walker_.flip(u, h); },
      [&](std::uint64_t i, std::uint64_t h) {
        walker_.record(0, h);
        shared_(runs, h & mask) = walker_.shared(0);
        if ((i + 1) % columns != 0) return;
        close_run(runs++, h >> low);
        if (runs == runs_per_product || i + 1 == end) {
          flush(block, factors, runs, out);
          runs = 0;
        }
        if (done) done->fetch_add(columns, std::memory_order_relaxed);
        if (on_batch) on_batch();
        if (interrupt && interrupt->load(std::memory_order_relaxed)) throw Interrupted();
      });
}

void FactorisedWalker::close_run(std::size_t r, std::uint64_t high) {
  double* row = &shared_(r, 0);
  const std::size_t columns = shared_.shape(1);
  const double top = vector_math::maximum(row, columns);
  run_high_[r] = high;
  if (top <= impossible_threshold) {  // every configuration of the run is impossible
    std::fill(row, row + columns, 0.0);
    run_max_(r) = -numerics::infinity;
    return;
  }
  for (std::size_t l = 0; l < columns; ++l)  // an impossible configuration contributes exactly 0
    if (row[l] <= impossible_threshold) row[l] = -numerics::infinity;
  vector_math::exp_shifted_sum(row, columns, top);
  run_max_(r) = top;
}

void FactorisedWalker::flush(const TermBlock& block, const FactorisedBlock& factors, std::size_t runs,
                             FactorisedPartial& out) {
  const std::size_t patterns = factors.low_exp.shape(0), columns = factors.low_exp.shape(1);
  ensure_shape(sums_, patterns, runs);
  multiply_by_transpose(patterns, columns, factors.low_exp.data(), columns, shared_.data(), runs, sums_.data(), false);
  ensure_shape(high_dot_, patterns);
  for (std::size_t r = 0; r < runs; ++r) {
    if (run_max_(r) == -numerics::infinity) continue;
    high_dot_.fill(0.0);
    for (std::uint64_t t = plan_.any_linear ? run_high_[r] : 0; t; t &= t - 1) {
      const std::size_t unit = factors.low_bits + static_cast<std::size_t>(std::countr_zero(t));
      const double* slope = &block.linear_slope(unit, 0);
      for (std::size_t n = 0; n < patterns; ++n) high_dot_(n) += slope[n];
    }
    for (std::size_t n = 0; n < patterns; ++n) {
      const double inner = sums_(n, r), base = run_max_(r) + high_dot_(n);
      if (!(inner >= tiny)) {
        out.lost(n) = log_add(out.lost(n), log_lost_bound + base);  // the bounds of every run add up
        continue;
      }
      const double x = base + std::log(inner);
      if (x > out.max(n)) {
        out.sum(n) = out.sum(n) * std::exp(out.max(n) - x) + 1.0;
        out.max(n) = x;
      } else {
        out.sum(n) += std::exp(x - out.max(n));
      }
    }
  }
}

}  // namespace helmholtz
