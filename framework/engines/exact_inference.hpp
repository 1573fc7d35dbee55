#pragma once
// Exact inference for small networks by enumerating every configuration h of the hidden
// units: log p(d) = logsumexp_h log P(h, d), the posterior marginals P(h_i = 1 | d) and the
// posterior mode argmax_h P(h | d). Nothing of size 2^H is ever held in memory: the sum is
// a streaming log-sum-exp, merged across threads at the end.
//
// How it is fast (docs/performance.md has the figures):
// - Configurations are visited in Gray-code order, so one hidden unit flips at a time; a
//   plugin with the IncrementalStatistics capability updates its node in O(units) per flip
//   (others are recomputed from their parents, still once per configuration, not per pattern).
// - For an observed node whose parents are all hidden, its firing log-probabilities depend
//   on h alone, so they are computed once per configuration and shared by all patterns:
//     log P(d | h) = sum_j d_j log P(on_j | h) + (1 - d_j) log P(off_j | h),
//   which for a batch of configurations and all patterns is one matrix product; with the
//   plugin's LinearLikelihood capability (sigmoid, noisy-or) it is instead
//     log P(d | h) = offset(d) + slope(d) . h + residual(h, d),
//   the linear part following the Gray-code walk per pattern (one vector add per flip) and the
//   residual computed once per configuration: O(1) per (pattern, configuration).
// - A hidden node whose parents are all observed (the first layer of a recognition model)
//   has firing log-probabilities that depend on d alone: computed once per pattern, then a
//   matrix product with the configurations' bits.
// - The posterior marginals are another matrix product (weights x configuration bits), O(H)
//   per (pattern, configuration); the exact bound adds O(1) (one exp of log Q) per pair.
// - The per-pattern log-sum-exp of a batch is SIMD: block maximum, one exp per element.
// configuration_terms.hpp holds this kernel; this file walks the configurations and reduces.
// - The configuration space is split between threads, and between the ranks of a job.
// - When only log p(d) is asked for and every observed unit is sigmoid under hidden parents,
//   the sum over h factorises into matrix products (factorised_sum.hpp): two flops per
//   (pattern, configuration) instead of an exp.
#include <atomic>
#include <functional>
#include <cstdint>

#include "framework/distributed/communicator.hpp"
#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"

namespace helmholtz {

struct ExactOptions {
  std::size_t max_hidden_units = 30;  // refuse beyond this (2^H configurations)
  unsigned threads = 0;               // 0: one per core
  bool posterior_marginals = false;
  bool posterior_mode = false;
  // Also the exact bound -F = sum_h Q(h|d) [log P(h,d) - log Q(h|d)] (same enumeration).
  bool free_energy_bound = false;
  // log p(d) alone, of a network whose terms factorise (sigmoid observed units under hidden
  // parents), by matrix products (factorised_sum.hpp); false: always the per-pattern walk
  // (for cross-checks). Patterns whose factorised sum may have lost precision to underflow
  // go through the per-pattern walk either way.
  bool factorised = true;
  // Checked between batches; when it becomes true the engine stops and throws Interrupted.
  const std::atomic<bool>* interrupt = nullptr;
  // Called on the calling thread, at most every `progress_interval` seconds, with the
  // fraction of the work done (configurations x pattern blocks), for progress displays.
  std::function<void(double fraction)> progress;
  double progress_interval = 0.5;
  // A job of several ranks (docs/distributed.md): each rank enumerates its part of the
  // configurations (split further over its threads) and the parts are combined in one gather
  // per block of 2048 patterns, in the order one process combines them, so that every rank
  // gets the one-process result to the last bit. Every rank must make the same calls with
  // the same network, data and options (other than threads); the progress fraction is then,
  // on rank 0, the mean over the ranks. nullptr: one process.
  Communicator* communicator = nullptr;
};

struct ExactResult {
  std::uint64_t hidden_configurations = 0;  // 2^H
  Vector log_likelihood;                    // log p(d_n), nats
  Matrix posterior_marginals;               // patterns x hidden units, if asked for; NaN
                                            // for a pattern of probability 0 (no posterior)
  Matrix posterior_mode;                    // patterns x hidden units (0/1), if asked for
  Vector mode_log_joint;                    // log P(mode_n, d_n), if the mode was asked for
  Vector free_energy_bound;                 // -F(d_n), if asked for
};

// Hidden units are numbered by hidden node in declaration order, then unit: bit i of a
// configuration is hidden unit i.
//
// Throws Error if the network has more hidden units than options.max_hidden_units (the
// message states the count and 2^H) or if data does not have one column per visible unit.
ExactResult exact_inference(const Network& network, const Matrix& data, const ExactOptions& options = {});

// The time exact_inference(network, data, options) would take, estimated before doing it by
// timing the real enumeration on a slice: the first configurations (one engine batch, then
// doubling until calibration_seconds have passed or all are done) of the first block of
// patterns, on one thread, in processor time (so that a busy machine does not inflate it).
// The estimate is that time per configuration, times 2^H, times the number of pattern blocks
// (patterns / 2048), divided by the threads the enumeration would use. The first, warm-up
// slice is left out when others follow; on the shipped models the estimate is within 5-20%
// of the processor time the enumeration takes (docs/limits.md). Throws like exact_inference.
// With options.communicator, collective: the whole job's time (its slowest rank's part on
// that rank's threads), from rank 0's measurement, the same on every rank.
struct ExactCost {
  double seconds = 0;                      // the estimate
  std::uint64_t configurations = 0;        // 2^H
  std::size_t patterns = 0;
  unsigned threads = 1;                    // the enumeration's, per rank
  std::size_t ranks = 1;                   // ranks with a part of the work
  std::uint64_t timed_configurations = 0;  // the slice the estimate is measured on
  double timed_seconds = 0;                //   and its time, on one thread
};
ExactCost estimate_exact_cost(const Network& network, const Matrix& data, const ExactOptions& options = {},
                              double calibration_seconds = 0.02);

// Throws the refusal error if H > max_hidden_units; otherwise returns 2^H.
std::uint64_t enumerable_configurations(const Network& network, std::size_t max_hidden_units);

// Every visible pattern, in counting order (pattern i has bit V-1-c of i in column c, so the
// first column is the most significant). Refuses more than max_visible_units columns.
Matrix all_visible_patterns(const Network& network, std::size_t max_visible_units = 20);

// KL(data || model) = sum_d p(d) [log p(d) - log P(d)] in nats, over the patterns of a data
// distribution (one row each, `probabilities` summing to 1; terms with p(d) = 0 add nothing),
// log P(d) by exact enumeration. +inf when the model gives a pattern of the data probability 0.
double divergence_from(const Network& network, const Matrix& patterns, const Vector& probabilities,
                       const ExactOptions& options = {});

}  // namespace helmholtz
