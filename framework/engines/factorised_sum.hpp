#pragma once
// log sum_h P(h, d) by matrix products, for a network whose plan factorises
// (TermPlan::factorises: sigmoid observed units under hidden parents, any prior nodes):
//   log P(h, d) = c(d) + u(d) . h + S(h),
// c and the slope u per pattern (LinearLikelihood), S shared by every pattern. Split h into
// its low L bits l and its high bits t, u . h = u_low . l + u_high . t:
//   sum_h exp(u . h + S(h)) = sum_t exp(u_high . t) sum_l E[d, l] s_t[l],
//   E[d, l] = exp(u_low(d) . l),   s_t[l] = exp(S(t, l)),
// and the inner sums of a batch of high parts t, for every pattern at once, are one matrix
// product E (patterns x 2^L) times [s_t] (2^L x batch): two flops per (pattern,
// configuration) at the machine's matrix-product rate, where the per-pattern walk
// (configuration_terms.hpp) spends an add and an exp. In Gray-code order each run of 2^L
// consecutive configurations has one high part and every low part, so S comes from the same
// incremental walk, shared by all patterns, and threads split the runs.
//
// Scaling keeps every factor in [0, 1]: each row of E by its largest entry, each s_t by its
// largest. The sums are of positive terms, so an inner sum that stays above `tiny` keeps
// its relative precision (a few units of 1e-13). One below it may have lost terms to
// underflow (extreme parameters, where E and s_t peak at different l): the bounds on what
// such runs may hold are summed per pattern, and a pattern for which the sum is not
// negligible against the total is reported doubtful, for the caller to compute by the per-pattern walk.
#include <atomic>
#include <cstdint>
#include <functional>

#include "framework/engines/configuration_terms.hpp"

namespace helmholtz {

// What a block of patterns needs, computed once and shared read-only by the threads.
struct FactorisedBlock {
  std::size_t low_bits = 0;  // L
  Matrix low_exp;            // patterns x 2^L: E[d, l] / max_l E[d, l]
  Vector offset;             // patterns: offset(d) + log max_l E[d, l]

  // From a TermBlock prepared on a plan that factorises.
  void prepare(const TermPlan& plan, const TermBlock& block);
};

// Per-pattern results of one share of the configurations: sum = sum of exp(x - max) over
// the contributions x seen, and lost = log of the summed bounds on contributions lost to
// underflow.
struct FactorisedPartial {
  Vector max, sum, lost;
  void reset(std::size_t patterns);
  void merge(const FactorisedPartial& other);
  // log sum_h P(h, d_n) without the constant terms, or NaN when the lost part may matter.
  double log_sum(std::size_t n, const FactorisedBlock& block) const;
};

class FactorisedWalker {
 public:
  explicit FactorisedWalker(const TermPlan& plan);

  // Progress and interruption, as the per-pattern enumerator has them: configurations done,
  // a call after every run of 2^L, and a flag checked between runs (throws Interrupted).
  std::atomic<std::uint64_t>* done = nullptr;
  std::function<void()> on_batch;
  const std::atomic<bool>* interrupt = nullptr;

  // Gray-code indices [begin, end), both multiples of 2^L.
  void run(const TermBlock& block, const FactorisedBlock& factors, std::uint64_t begin, std::uint64_t end,
           FactorisedPartial& out);

  // The low bits L for H hidden units (at most 10: rows of 1024 factors).
  static std::size_t low_bits(std::size_t hidden_units);
  static constexpr std::size_t runs_per_product = 64;

 private:
  void close_run(std::size_t r, std::uint64_t high);
  void flush(const TermBlock& block, const FactorisedBlock& factors, std::size_t runs, FactorisedPartial& out);

  const TermPlan& plan_;
  TermWalker walker_;
  Matrix shared_;                // runs x 2^L: s_t / max s_t, a run per row
  Vector run_max_;               // per run: log max s_t, or -inf when every s_t is 0
  std::vector<std::uint64_t> run_high_;
  Matrix sums_;                  // patterns x runs: the product
  Vector high_dot_;              // patterns: u_high . t of one run
};

}  // namespace helmholtz
