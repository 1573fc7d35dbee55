#pragma once
// The variational free-energy bound of a Helmholtz machine (Dayan et al. 1995, eq. 5-6;
// Hinton et al. 1995) and importance-sampled estimates of log p(d), generic over plugins:
//   -F(d) = E_{h ~ Q(.|d)} [ log P(h, d) - log Q(h | d) ] <= log p(d),
//   log p(d) - (-F(d)) = KL( Q(.|d) || P(.|d) ).
#include <atomic>
#include <cstddef>
#include <functional>

#include "framework/engines/exact_inference.hpp"
#include "framework/graph/network.hpp"
#include "framework/random.hpp"

namespace helmholtz {

struct SampledEstimates {
  Vector sampled_bound;              // (1/S) sum_s [log P(h_s, d) - log Q(h_s | d)], h_s ~ Q(.|d)
  Vector importance_log_likelihood;  // log (1/S) sum_s P(h_s, d) / Q(h_s | d)
};

struct SampledOptions {
  // Checked between samples; when set, Interrupted is thrown.
  const std::atomic<bool>* interrupt = nullptr;
  // Blocks of 64 patterns share the threads (0: one per core); each block draws from its own
  // stream, seeded from one number drawn from the caller's generator, so the estimates are
  // the same for any number of threads.
  unsigned threads = 0;
  // Called on the calling thread at most every progress_interval seconds with the fraction
  // of the draws done (for progress displays).
  std::function<void(double fraction)> progress;
  double progress_interval = 0.5;
};

// Both estimates from the same `samples` draws per pattern (data: patterns x visible units).
SampledEstimates sampled_estimates(const Network& network, const Matrix& data, std::size_t samples, Rng& rng,
                                   const SampledOptions& options = {});

// The time sampled_estimates(network, data, samples, rng, options) would take, estimated by
// timing it on slices (the first 64 patterns with 1, 2, 4, ... samples, then more patterns)
// on one thread, from a copy of `rng`, until calibration_seconds have passed: that time per
// (pattern, sample), times patterns x samples, over the threads the estimates would use.
double estimate_sampled_seconds(const Network& network, const Matrix& data, std::size_t samples, const Rng& rng,
                                const SampledOptions& options = {}, double calibration_seconds = 0.02);

// The exact bound, by enumerating every hidden configuration:
//   -F(d) = sum_h Q(h | d) [log P(h, d) - log Q(h | d)].
// Refuses networks with more than options.max_hidden_units hidden units, like exact_inference.
Vector exact_bound(const Network& network, const Matrix& data, const ExactOptions& options = {});

}  // namespace helmholtz
