#include "framework/engines/free_energy.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include "framework/engines/recognition.hpp"
#include "framework/engines/thread_cpu_time.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/numerics.hpp"
#include "framework/patterns.hpp"

namespace helmholtz {
namespace {

// Patterns that draw from one random stream: the work is split into chunks of this many
// patterns, chunk c drawing from stream c of the seed taken from the caller's generator,
// so that the estimates do not depend on how many threads share the chunks.
constexpr std::size_t chunk_patterns = 64;  // 4 chunks for 200 patterns: both cores busy

}  // namespace

SampledEstimates sampled_estimates(const Network& network, const Matrix& data, std::size_t samples, Rng& rng,
                                   const SampledOptions& options) {
  const std::atomic<bool>* interrupt = options.interrupt;
  const auto& progress = options.progress;
  unsigned threads = options.threads;
  if (samples == 0) throw Error("the number of samples must be at least 1");
  const std::size_t patterns = data.shape(0);
  SampledEstimates out{Vector::from_shape({patterns}), Vector::from_shape({patterns})};
  const std::uint64_t base = rng();  // one draw: the seed of every chunk's stream
  const std::size_t chunks = (patterns + chunk_patterns - 1) / chunk_patterns;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, chunks)));
  std::optional<ScopedBlasThreads> one_blas_thread;  // with threads of our own, BLAS gets one
  if (threads > 1) one_blas_thread.emplace(1);

  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopped{false};
  std::vector<std::exception_ptr> errors(threads);
  // Progress: rows drawn (a pattern's sample) over patterns x samples, reported by the
  // calling thread only, between its own samples and then while it waits for the others.
  const double total_rows = static_cast<double>(patterns) * static_cast<double>(samples);
  std::atomic<std::uint64_t> rows_drawn{0};
  std::atomic<unsigned> workers_running{threads - 1};
  auto last_report = std::chrono::steady_clock::now();
  auto report = [&] {
    if (!progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_report).count() < options.progress_interval) return;
    last_report = now;
    progress(static_cast<double>(rows_drawn.load(std::memory_order_relaxed)) / total_rows);
  };
  auto work = [&](unsigned t) {
    const bool caller = t + 1 == threads;
    try {
      RecognitionSampler recognition(network);
      DirectionLogProbability log_joint(network.generative);
      Vector log_q, bound_sum, log_weight_sum;
      Matrix block;
      for (std::size_t c = next++; c < chunks; c = next++) {
        const std::size_t first = c * chunk_patterns, count = std::min(chunk_patterns, patterns - first);
        copy_rows(data, first, count, block);
        Rng stream = make_rng(stream_seed(base, c));
        bound_sum = xt::zeros<double>({count});
        log_weight_sum = Vector::from_shape({count});
        log_weight_sum.fill(-numerics::infinity);
        for (std::size_t s = 0; s < samples; ++s) {
          if ((interrupt && interrupt->load(std::memory_order_relaxed)) || stopped.load(std::memory_order_relaxed)) {
            stopped = true;
            return;
          }
          // The first-layer probabilities of a block are the same for every sample: kept.
          const NodeStates& states =
              s == 0 ? recognition.sample_repeatedly(block, stream, log_q) : recognition.resample(stream, log_q);
          const Vector& log_p = log_joint(states);
          for (std::size_t n = 0; n < count; ++n) {
            const double log_weight = log_p(n) - log_q(n);  // log q > -inf: h was drawn from Q
            bound_sum(n) += log_weight;
            log_weight_sum(n) = numerics::log_add_exp(log_weight_sum(n), log_weight);
          }
          rows_drawn.fetch_add(count, std::memory_order_relaxed);
          if (caller) report();
        }
        const double k = static_cast<double>(samples);
        for (std::size_t n = 0; n < count; ++n) {
          out.sampled_bound(first + n) = bound_sum(n) / k;
          out.importance_log_likelihood(first + n) = log_weight_sum(n) - std::log(k);
        }
      }
    } catch (...) {
      errors[t] = std::current_exception();
      stopped = true;
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 0; t + 1 < threads; ++t)
    workers.emplace_back([&, t] {
      work(t);
      workers_running.fetch_sub(1);
    });
  work(threads - 1);  // the calling thread takes its share, then reports while the others finish
  while (progress && workers_running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    report();
  }
  for (auto& w : workers) w.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  if (stopped) throw Interrupted();
  return out;
}

double estimate_sampled_seconds(const Network& network, const Matrix& data, std::size_t samples, const Rng& rng,
                                const SampledOptions& options, double calibration_seconds) {
  const std::size_t patterns = data.shape(0);
  if (patterns == 0 || samples == 0) return 0;
  const std::size_t chunks = (patterns + chunk_patterns - 1) / chunk_patterns;
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, chunks)));
  SampledOptions one;
  one.threads = 1;
  one.interrupt = options.interrupt;
  // The first chunk of patterns with 1, 2, 4, ... samples, then more patterns with every sample,
  // until the slices have taken calibration_seconds or the slice is the whole work. The first
  // slice pays for first allocations: it counts only if it is all there is.
  std::size_t rows = std::min(chunk_patterns, patterns), draws = 1;
  double seconds = 0, timed = 0;
  Matrix slice;
  for (bool first = true;; first = false) {
    copy_rows(data, 0, rows, slice);
    Rng copy = rng;  // the caller's generator is left as it was
    const double start = thread_cpu_seconds();
    sampled_estimates(network, slice, draws, copy, one);
    const double elapsed = thread_cpu_seconds() - start;
    const bool whole = draws == samples && rows == patterns;
    if (!first || whole) {
      seconds += elapsed;
      timed += static_cast<double>(rows) * static_cast<double>(draws);
    }
    if (whole || (!first && seconds >= calibration_seconds)) break;
    if (draws < samples) draws = std::min(samples, 2 * draws);
    else rows = std::min(patterns, 2 * rows);
  }
  return seconds / timed * static_cast<double>(patterns) * static_cast<double>(samples) / threads;
}

Vector exact_bound(const Network& network, const Matrix& data, const ExactOptions& options) {
  ExactOptions with_bound = options;
  with_bound.free_energy_bound = true;
  return exact_inference(network, data, with_bound).free_energy_bound;
}

}  // namespace helmholtz
