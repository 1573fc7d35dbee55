#pragma once
// The wake-sleep algorithm (Hinton, Dayan, Frey & Neal 1995; Dayan et al. 1995, section 3).
//   Wake:  clamp a data pattern d, draw h ~ Q(.|d) bottom-up with the recognition model, and
//          move the generative parameters along  d/d theta log P(h, d)   (for a sigmoid unit
//          the delta rule  dW_jk = rate (s_j - p_j) s_k).
//   Sleep: draw a fantasy (h, d) ~ P top-down with the generative model, and move the
//          recognition parameters along  d/d phi log Q(h | d).
// Both phases go through the plugins' gradients and projections, so noisy-or and odds-sum
// nodes learn too and stay in range. With batch size B, each step uses the mean gradient
// over B patterns and B fantasies (B = 1 is the online rule of the papers).
#include <atomic>
#include <cstdint>
#include <functional>

#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"

namespace helmholtz {

struct WakeSleepOptions {
  std::size_t epochs = 10;
  double generative_rate = 0.01;   // learning rate of the wake phase
  double recognition_rate = 0.01;  // learning rate of the sleep phase
  std::size_t batch_size = 1;
  std::uint64_t seed = 0;          // same seed, same data order, samples and result
  bool shuffle = true;             // visit the patterns in a new random order every epoch
  // Checked between minibatches; when set, training stops with the parameters reached.
  const std::atomic<bool>* interrupt = nullptr;
};

struct EpochReport {
  std::size_t epoch = 0;  // 1-based
  double seconds = 0;
  double patterns_per_second = 0;
  // Mean sampled bound -F (one sample per pattern) on up to the first 1000 training
  // patterns, drawn from a random stream of its own so that reporting never changes training.
  double sampled_bound = 0;
};

struct TrainingOutcome {
  std::size_t epochs_completed = 0;
  bool interrupted = false;
};

// Trains `network` in place on data (patterns x visible units).
TrainingOutcome train_wake_sleep(Network& network, const Matrix& data, const WakeSleepOptions& options,
                                 const std::function<void(const EpochReport&)>& on_epoch = {});

}  // namespace helmholtz
