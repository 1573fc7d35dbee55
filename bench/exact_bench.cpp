// Benchmark of exact inference (framework/engines/exact_inference.hpp), with its baselines
// measured in the same run:
//   - a naive enumeration written here on purpose without any of the engine's tricks: for
//     every configuration h it fills the hidden states with h for every pattern, recomputes
//     every node from scratch through the plugin interface (Distribution::log_probability
//     on the whole batch, so O(all weights) per pattern per configuration) and folds
//     log P(h, d) into a streaming log-sum-exp;
//   - the machine: a large OpenBLAS dgemm (practical peak) and an FMA loop (theoretical
//     peak), each on 1 and 2 threads.
// The network: one hidden node of H sigmoid units with no parents above V observed units
// (sigmoid, or noisy-or for one row), all with random parameters; N patterns drawn from it.
//
//   exact_bench [--quick] [--export DIR] [--seed S]
//
// --export DIR writes every network, its data, the engine's log p(d) (when it enumerated
// everything) and its measured rates to DIR/case_*.txt, for bench/exact_pytorch.py.
// docs/performance.md explains the figures and how flops are counted.
#include <cblas.h>
#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <boost/random/uniform_real_distribution.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_clock.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/node_states.hpp"
#include "framework/graph/network.hpp"
#include "framework/incremental_statistics.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/linear_likelihood.hpp"
#include "framework/registry.hpp"
#include "framework/vector_math.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::bench {
namespace {

struct Settings {
  bool quick = false;
  std::string export_dir;
  std::uint64_t seed = 20240601;
  double engine_budget_seconds = 3.0;  // per (case, thread count)
  double naive_budget_seconds = 1.5;   // per case
  std::size_t agreement_hidden = 16;   // the naive enumeration runs to the end at this H
  std::size_t dgemm_size = 2000;
  double fma_seconds = 0.5;
};

// ---------------------------------------------------------------------------------------
// Networks: hidden node "h" (H sigmoid units, no parents) -> observed node "v" (V units).

struct CaseSpec {
  std::string observed_kind;  // "sigmoid" or "noisy-or"
  std::size_t hidden = 0;
  std::size_t visible = 0;
  std::size_t patterns = 64;

  std::string name() const {
    std::string kind = observed_kind == "noisy-or" ? "noisyor" : observed_kind;
    return kind + "_H" + std::to_string(hidden) + "_V" + std::to_string(visible) + "_N" +
           std::to_string(patterns);
  }
};

// Parameters drawn uniformly: sigmoid bias and weights in [-1, 1]; noisy-or (whose
// parameters are probabilities) leak in [0, 0.1] and weights in [0, 0.3].
std::unique_ptr<Distribution> random_distribution(const std::string& kind, NodeShape shape, Rng& rng) {
  auto d = builtin_registry().create(kind, shape);
  const bool noisy_or = kind == "noisy-or";
  boost::random::uniform_real_distribution<double> bias(noisy_or ? 0.0 : -1.0, noisy_or ? 0.1 : 1.0);
  boost::random::uniform_real_distribution<double> weight(noisy_or ? 0.0 : -1.0, noisy_or ? 0.3 : 1.0);
  Vector theta = Vector::from_shape({d->parameter_count()});
  for (std::size_t i = 0; i < theta.size(); ++i) theta(i) = i < shape.units ? bias(rng) : weight(rng);
  d->set_parameters(theta);
  d->validate(Where{"exact_bench", 0, 0, "generative." + shape.node});
  return d;
}

Network make_network(const CaseSpec& spec, std::uint64_t seed) {
  Rng rng = make_rng(seed);
  Network network;
  network.name = spec.name();
  network.seed = seed;
  network.nodes.push_back(Node{"h", NodeType::binary, spec.hidden, false});
  network.nodes.push_back(Node{"v", NodeType::binary, spec.visible, true});
  std::vector<Conditional> generative;
  const NodeShape hidden{"h", spec.hidden, {}}, visible{"v", spec.visible, {{"h", spec.hidden}}};
  generative.emplace_back(std::vector<std::size_t>{}, random_distribution("sigmoid", hidden, rng));
  generative.emplace_back(std::vector<std::size_t>{0}, random_distribution(spec.observed_kind, visible, rng));
  network.generative = DirectedModel::from(std::move(generative));
  // Exact inference does not use the recognition model; it is there so that the network is
  // a complete Helmholtz machine.
  std::vector<Conditional> recognition;
  auto q = builtin_registry().create("sigmoid", NodeShape{"h", spec.hidden, {{"v", spec.visible}}});
  q->initialise(rng);
  recognition.emplace_back(std::vector<std::size_t>{1}, std::move(q));
  recognition.emplace_back();
  network.recognition = DirectedModel::from(std::move(recognition));
  return network;
}

// ---------------------------------------------------------------------------------------
// Counting how many configurations a run that was stopped part-way had enumerated.
//
// The engine calls log_firing_from_statistics() (or, for a sigmoid, its
// residual_sum_from_statistics()) of the observed node exactly once per configuration it visits (after each flip, or at a refresh), and checks its interrupt flag
// after each batch it has folded in. A copy of the network whose observed node forwards
// every call to the real plugin and counts those calls therefore tells how many
// configurations were done when a watchdog stopped the run at its time budget.

class CountingDistribution final : public Distribution, public IncrementalStatistics, public LinearLikelihood {
 public:
  CountingDistribution(std::unique_ptr<Distribution> inner, std::atomic<std::uint64_t>& counter)
      : Distribution(inner->shape()),
        inner_(std::move(inner)),
        incremental_(dynamic_cast<const IncrementalStatistics&>(*inner_)),
        linear_(dynamic_cast<const LinearLikelihood&>(*inner_)),
        counter_(counter) {
    declare_parameters(inner_->blocks());  // the same blocks; the values are copied in
    set_parameters(inner_->parameters());
  }

  std::string_view kind() const override { return inner_->kind(); }
  void probabilities(const Matrix& parents, Matrix& p) const override { inner_->probabilities(parents, p); }
  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    inner_->log_firing_probabilities(parents, log_on, log_off);
  }
  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p,
                       Workspace& work) const override {
    inner_->log_probability(parents, states, log_p, work);
  }
  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                           std::span<double> gradient, Workspace& work) const override {
    inner_->accumulate_gradient(parents, states, weights, gradient, work);
  }
  std::unique_ptr<Distribution> clone() const override {
    return std::make_unique<CountingDistribution>(inner_->clone(), counter_);
  }

  std::size_t statistics_per_unit() const override { return incremental_.statistics_per_unit(); }
  void statistics_with_parents_off(double* stats) const override {
    incremental_.statistics_with_parents_off(stats);
  }
  void switch_parent(double* stats, std::size_t parent_unit, bool on) const override {
    incremental_.switch_parent(stats, parent_unit, on);
  }
  bool switch_parent_keeping_digits(double* stats, std::size_t parent_unit, bool on) const override {
    return incremental_.switch_parent_keeping_digits(stats, parent_unit, on);
  }
  void log_firing_from_statistics(const double* stats, double* log_on, double* log_off) const override {
    counter_.fetch_add(1, std::memory_order_relaxed);
    incremental_.log_firing_from_statistics(stats, log_on, log_off);
  }

  void linear_terms(const double* states, double& offset, double* slope) const override {
    linear_.linear_terms(states, offset, slope);
  }
  bool residual_depends_on_state() const override { return linear_.residual_depends_on_state(); }
  // Counted too: the engine takes a sigmoid's residual straight from the statistics, once
  // per configuration, instead of its firing log-probabilities.
  bool sums_residual_from_statistics() const override { return linear_.sums_residual_from_statistics(); }
  double residual_sum_from_statistics(const double* stats) const override {
    counter_.fetch_add(1, std::memory_order_relaxed);
    return linear_.residual_sum_from_statistics(stats);
  }
  void residuals(const double* log_on, const double* log_off, double* on_residual,
                 double* off_residual) const override {
    linear_.residuals(log_on, log_off, on_residual, off_residual);
  }

  // The inner distribution computes; this keeps its values in step with the network's.
  void refresh() override { inner_->set_parameters(parameters()); }

 private:
  std::unique_ptr<Distribution> inner_;
  const IncrementalStatistics& incremental_;
  const LinearLikelihood& linear_;  // the benchmark's observed plugins (sigmoid, noisy-or) have it
  std::atomic<std::uint64_t>& counter_;
};

// The same network with the observed node's distribution wrapped in a counter.
Network counting_copy(const Network& network, std::atomic<std::uint64_t>& counter) {
  Network copy = network;
  std::vector<Conditional> generative;
  for (std::size_t i = 0; i < network.nodes.size(); ++i) {
    const Conditional& c = network.generative.conditionals[i];
    std::unique_ptr<Distribution> d = c.distribution->clone();
    if (network.nodes[i].observed) d = std::make_unique<CountingDistribution>(std::move(d), counter);
    generative.emplace_back(c.parents, std::move(d));
  }
  copy.generative = DirectedModel::from(std::move(generative));
  return copy;
}

// Sets a flag after a number of seconds unless it is dismissed first.
class Watchdog {
 public:
  explicit Watchdog(double seconds)
      : thread_([this, seconds] {
          std::unique_lock lock(mutex_);
          if (!wake_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return dismissed_; }))
            flag_.store(true);
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      dismissed_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  const std::atomic<bool>* flag() const { return &flag_; }

 private:
  std::atomic<bool> flag_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool dismissed_ = false;
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------
// Timing the engine.

struct Run {
  std::uint64_t configurations = 0;  // enumerated (all 2^H when complete)
  double seconds = 0;
  double cpu_seconds = 0;  // process CPU time during the run
  bool complete = false;
  Vector log_likelihood;  // when complete
  double rate(std::size_t patterns) const { return double(configurations) * double(patterns) / seconds; }
};

Run engine_complete(const Network& network, const Matrix& data, unsigned threads) {
  ExactOptions options;
  options.threads = threads;
  const double cpu_start = process_cpu_seconds();
  const auto start = Clock::now();
  ExactResult result = exact_inference(network, data, options);
  Run run;
  run.seconds = seconds_since(start);
  run.cpu_seconds = process_cpu_seconds() - cpu_start;
  run.configurations = result.hidden_configurations;
  run.complete = true;
  run.log_likelihood = std::move(result.log_likelihood);
  return run;
}

Run engine_for_at_most(const Network& counting, std::atomic<std::uint64_t>& counter, const Matrix& data,
                       unsigned threads, double budget_seconds) {
  counter.store(0);
  Watchdog watchdog(budget_seconds);
  ExactOptions options;
  options.threads = threads;
  options.interrupt = watchdog.flag();
  Run run;
  const double cpu_start = process_cpu_seconds();
  const auto start = Clock::now();
  try {
    ExactResult result = exact_inference(counting, data, options);
    run.complete = true;
    run.log_likelihood = std::move(result.log_likelihood);
  } catch (const Interrupted&) {
  }
  run.seconds = seconds_since(start);
  run.cpu_seconds = process_cpu_seconds() - cpu_start;
  run.configurations = counter.load();
  if (run.complete) run.configurations = std::uint64_t{1} << counting.hidden_units();
  return run;
}

// A short counted pilot predicts the time of a complete run; complete runs (best of up to
// three) are made when they fit in the budget, otherwise one run stopped at the budget.
Run time_engine(const Network& network, const Network& counting, std::atomic<std::uint64_t>& counter,
                const Matrix& data, unsigned threads, double budget_seconds) {
  const Run pilot = engine_for_at_most(counting, counter, data, threads, std::min(0.3, budget_seconds / 4));
  const double total = std::ldexp(1.0, static_cast<int>(network.hidden_units()));
  const double predicted =
      pilot.complete ? pilot.seconds : pilot.seconds * total / std::max<double>(1, pilot.configurations);
  if (predicted > budget_seconds) return engine_for_at_most(counting, counter, data, threads, budget_seconds);
  Run best;
  const auto start = Clock::now();
  for (int repeat = 0; repeat < 3; ++repeat) {
    Run run = engine_complete(network, data, threads);
    if (repeat == 0 || run.seconds < best.seconds) best = std::move(run);
    if (seconds_since(start) + best.seconds > budget_seconds) break;
  }
  return best;
}

// The machine is shared: when other work takes a core, a run gets less CPU time than its
// thread count. Such a run is repeated (up to twice) and the one that had the most CPU per
// second of wall time is kept; the table shows that ratio, so a figure measured without its
// cores is visible as such.
Run time_engine_on_cores(const Network& network, const Network& counting, std::atomic<std::uint64_t>& counter,
                         const Matrix& data, unsigned threads, double budget_seconds) {
  Run best;
  for (int attempt = 0; attempt < 3; ++attempt) {
    Run run = time_engine(network, counting, counter, data, threads, budget_seconds);
    if (attempt == 0 || run.cpu_seconds / run.seconds > best.cpu_seconds / best.seconds) best = std::move(run);
    if (best.cpu_seconds / best.seconds >= 0.95 * threads) break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// The naive baseline: everything recomputed for every pattern and configuration.

Run naive_enumeration(const Network& network, const Matrix& data, double budget_seconds /* < 0: no limit */) {
  const ScopedBlasThreads one_blas_thread(1);
  const std::size_t patterns = data.shape(0);
  const std::uint64_t total = std::uint64_t{1} << network.hidden_units();
  NodeStates states;
  ensure_states(network, patterns, states);
  scatter_nodes(data, network.observed_nodes(), states);
  const std::vector<std::size_t> hidden = network.hidden_nodes();
  Vector max = Vector::from_shape({patterns}), sum = Vector::from_shape({patterns});
  max.fill(-std::numeric_limits<double>::infinity());
  sum.fill(0.0);
  Vector joint = Vector::from_shape({patterns}), node_log_p;
  Matrix parents;
  Workspace work;
  Run run;
  const double cpu_start = process_cpu_seconds();
  const auto start = Clock::now();
  std::uint64_t h = 0;
  for (; h < total; ++h) {
    if (budget_seconds >= 0 && h > 0 && seconds_since(start) > budget_seconds) break;
    // Hidden unit i (hidden nodes in declaration order, then unit) is bit i of h.
    std::size_t bit = 0;
    for (std::size_t node : hidden) {
      Matrix& s = states[node];
      for (std::size_t u = 0; u < s.shape(1); ++u, ++bit) {
        const double value = double((h >> bit) & 1u);
        for (std::size_t n = 0; n < patterns; ++n) s(n, u) = value;
      }
    }
    joint.fill(0.0);
    for (std::size_t node : network.generative.order) {
      const Conditional& c = network.generative.conditionals[node];
      gather_parents(c, states, patterns, parents);
      c.distribution->log_probability(parents, states[node], node_log_p, work);
      joint += node_log_p;
    }
    for (std::size_t n = 0; n < patterns; ++n) {
      const double x = joint(n);
      if (x == -std::numeric_limits<double>::infinity()) continue;
      if (x > max(n)) {
        sum(n) = sum(n) * std::exp(max(n) - x) + 1.0;
        max(n) = x;
      } else {
        sum(n) += std::exp(x - max(n));
      }
    }
  }
  run.seconds = seconds_since(start);
  run.cpu_seconds = process_cpu_seconds() - cpu_start;
  run.configurations = h;
  run.complete = h == total;
  if (run.complete) {
    run.log_likelihood = Vector::from_shape({patterns});
    for (std::size_t n = 0; n < patterns; ++n) run.log_likelihood(n) = max(n) + std::log(sum(n));
  }
  return run;
}

double max_relative_difference(const Vector& a, const Vector& b) {
  double worst = 0;
  for (std::size_t n = 0; n < a.size(); ++n) worst = std::max(worst, std::abs(a(n) - b(n)) / std::abs(b(n)));
  return worst;
}

// ---------------------------------------------------------------------------------------
// The machine.

// Runs body(thread index) on `threads` threads at once; returns the wall time.
template <class Body>
double on_threads(unsigned threads, Body body) {
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back(body, t);
  body(0u);
  for (auto& w : workers) w.join();
  return seconds_since(start);
}

constexpr int fma_chains = 12;  // independent chains: more than latency (4) x FMA pipes (2)

// fma_chains x 4 doubles x 2 flops per iteration.
__attribute__((noinline, target("avx2,fma"))) double fma_loop_avx2(std::uint64_t iterations) {
  __m256d acc[fma_chains];
  for (int k = 0; k < fma_chains; ++k) acc[k] = _mm256_set1_pd(0.001 * k);
  const __m256d scale = _mm256_set1_pd(0.999999), shift = _mm256_set1_pd(1e-6);
  for (std::uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < fma_chains; ++k) acc[k] = _mm256_fmadd_pd(acc[k], scale, shift);
  }
  __m256d total = acc[0];
  for (int k = 1; k < fma_chains; ++k) total = _mm256_add_pd(total, acc[k]);
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, total);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

// fma_chains x 8 doubles x 2 flops per iteration.
__attribute__((noinline, target("avx512f"))) double fma_loop_avx512(std::uint64_t iterations) {
  __m512d acc[fma_chains];
  for (int k = 0; k < fma_chains; ++k) acc[k] = _mm512_set1_pd(0.001 * k);
  const __m512d scale = _mm512_set1_pd(0.999999), shift = _mm512_set1_pd(1e-6);
  for (std::uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < fma_chains; ++k) acc[k] = _mm512_fmadd_pd(acc[k], scale, shift);
  }
  __m512d total = acc[0];
  for (int k = 1; k < fma_chains; ++k) total = _mm512_add_pd(total, acc[k]);
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, total);
  double sum = 0;
  for (double x : lanes) sum += x;
  return sum;
}

// Double-precision flops per second of the FMA loop on `threads` threads.
double fma_flops(unsigned threads, bool avx512, double seconds) {
  const double flops_per_iteration = fma_chains * (avx512 ? 8 : 4) * 2;
  auto loop = [avx512](std::uint64_t n) { return avx512 ? fma_loop_avx512(n) : fma_loop_avx2(n); };
  volatile double sink = 0;
  const std::uint64_t probe = 1'000'000;
  const double probe_seconds = on_threads(1, [&](unsigned) { sink = sink + loop(probe); });
  const auto iterations = static_cast<std::uint64_t>(double(probe) * seconds / probe_seconds);
  const double wall = on_threads(threads, [&](unsigned) { sink = sink + loop(iterations); });
  return flops_per_iteration * double(iterations) * threads / wall;
}

// Flops per second of the best of three n x n x n dgemm on `threads` OpenBLAS threads.
double dgemm_flops(std::size_t n, int threads) {
  const ScopedBlasThreads scoped(threads);
  Rng rng = make_rng(7);
  std::vector<double> a(n * n), b(n * n), c(n * n, 0.0);
  for (double& x : a) x = uniform01(rng) - 0.5;
  for (double& x : b) x = uniform01(rng) - 0.5;
  const int size = static_cast<int>(n);
  double best = std::numeric_limits<double>::infinity();
  for (int repeat = 0; repeat < 3; ++repeat) {
    const auto start = Clock::now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0, a.data(), size, b.data(), size,
                0.0, c.data(), size);
    best = std::min(best, seconds_since(start));
  }
  return 2.0 * double(n) * double(n) * double(n) / best;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

double nominal_mhz() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("cpu MHz", 0) == 0) return std::stod(line.substr(line.find(':') + 1));
  return 0;
}

// ---------------------------------------------------------------------------------------
// Where the time of one configuration goes, from the same calls the engine makes, timed
// one at a time (threads = 1): the incremental update of the observed node after a flip,
// its log firing probabilities, the shared likelihood product (one dgemm of
// patterns x 2V x 128 configurations, per configuration) and the exponentials of the
// streaming log-sum-exp.

struct Breakdown {
  double switch_seconds, log_firing_seconds, product_seconds, exp_seconds;
};

Breakdown time_components(const Network& network, const Matrix& data, double seconds) {
  const ScopedBlasThreads one_blas_thread(1);
  const std::size_t v = network.visible_units(), h = network.hidden_units(), patterns = data.shape(0);
  const Distribution& observed = *network.generative.conditionals[1].distribution;
  const auto& incremental = dynamic_cast<const IncrementalStatistics&>(observed);
  const std::size_t per = incremental.statistics_per_unit();
  std::vector<double> stats(v * per), log_on(v), log_off(v);
  incremental.statistics_with_parents_off(stats.data());
  volatile double sink = 0;
  auto time_per_call = [&](auto call) {
    std::uint64_t calls = 0;
    const auto start = Clock::now();
    do {
      for (int i = 0; i < 64; ++i) call(calls++);
    } while (seconds_since(start) < seconds);
    return seconds_since(start) / double(calls);
  };
  Breakdown b;
  std::vector<bool> on(h, false);
  b.switch_seconds = time_per_call([&](std::uint64_t i) {
    const std::size_t k = i % h;
    on[k] = !on[k];
    incremental.switch_parent(stats.data(), k, on[k]);
  });
  b.log_firing_seconds = time_per_call([&](std::uint64_t) {
    incremental.log_firing_from_statistics(stats.data(), log_on.data(), log_off.data());
    sink = sink + log_on[0];
  });
  constexpr std::size_t batch = 128;
  Matrix shared = Matrix::from_shape({patterns, 2 * v}), logs = Matrix::from_shape({batch, 2 * v}), joint;
  for (std::size_t n = 0; n < patterns; ++n)
    for (std::size_t j = 0; j < v; ++j) shared(n, j) = data(n, j), shared(n, v + j) = 1.0 - data(n, j);
  logs.fill(-0.5);
  joint = Matrix::from_shape({patterns, batch});
  b.product_seconds =
      time_per_call([&](std::uint64_t) { multiply_by_transpose(shared, logs.data(), batch, joint); }) / batch;
  std::vector<double> row(patterns * batch, -1.0);
  b.exp_seconds = time_per_call([&](std::uint64_t) {
    std::fill(row.begin(), row.end(), -1.0);
    vector_math::exp_in_place(row.data(), row.size());
    sink = sink + row[0];
  }) / batch;
  return b;
}

// ---------------------------------------------------------------------------------------
// Flop count of the engine (docs/performance.md): per configuration and pattern, the
// shared likelihood product [d | 1 - d] . [log_on | log_off] is 2V multiply-adds = 4V
// flops, and adding the prior, subtracting the running maximum, the exponential and the
// sum are 4 more; per configuration, the incremental update of the observed node after a
// flip is V additions. Logarithms and exponentials of the V firing probabilities are not
// counted (they are not multiply-adds; their cost is shown in the breakdown).
double engine_flops(std::size_t visible, std::size_t patterns, std::uint64_t configurations) {
  return double(configurations) * (double(patterns) * (4.0 * double(visible) + 4.0) + double(visible));
}

void write_values(std::ostream& out, const std::string& key, const double* values, std::size_t count) {
  out << key;
  char buffer[32];
  for (std::size_t i = 0; i < count; ++i) {
    std::snprintf(buffer, sizeof buffer, " %.17g", values[i]);
    out << buffer;
  }
  out << '\n';
}

struct CaseResult {
  CaseSpec spec;
  Run engine1, engine2, naive;
};

void export_case(const std::string& dir, std::size_t index, const CaseSpec& spec, const Network& network,
                 const Matrix& data, const CaseResult& result) {
  std::filesystem::create_directories(dir);
  char name[16];
  std::snprintf(name, sizeof name, "%02zu", index);
  std::ofstream out(dir + "/case_" + name + "_" + spec.name() + ".txt");
  out << "name " << spec.name() << "\nobserved_kind " << spec.observed_kind << "\nhidden " << spec.hidden
      << "\nvisible " << spec.visible << "\npatterns " << spec.patterns << '\n';
  const Vector& hidden = network.generative.conditionals[0].distribution->parameters();
  const Vector& visible = network.generative.conditionals[1].distribution->parameters();
  write_values(out, "hidden_bias", hidden.data(), spec.hidden);
  write_values(out, "visible_bias", visible.data(), spec.visible);
  write_values(out, "weights", visible.data() + spec.visible, spec.visible * spec.hidden);  // V x H, row-major
  write_values(out, "data", data.data(), data.size());                                      // N x V, row-major
  if (result.engine1.complete)
    write_values(out, "helmholtz_log_likelihood", result.engine1.log_likelihood.data(), spec.patterns);
  const double rates[2] = {result.engine1.rate(spec.patterns), result.engine2.rate(spec.patterns)};
  write_values(out, "helmholtz_rate", rates, 2);  // (patterns x configurations) / s, threads 1 and 2
  const double naive = result.naive.rate(spec.patterns);
  write_values(out, "naive_rate", &naive, 1);
}

int run(const Settings& settings) {
  const auto bench_start = Clock::now();
  auto load_average = [] {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("exact_bench%s: %s, %u logical CPUs, nominal %.0f MHz\n", settings.quick ? " --quick" : "",
              cpu_model().c_str(), cores, nominal_mhz());
  std::printf("load average at the start: %s\n\n", load_average().c_str());

  // The machine.
  const bool has_avx512 = __builtin_cpu_supports("avx512f");
  double fma[3] = {0, 0, 0}, gemm[3] = {0, 0, 0};
  for (unsigned t = 1; t <= 2; ++t) {
    fma[t] = fma_flops(t, false, settings.fma_seconds);
    if (has_avx512) fma[t] = std::max(fma[t], fma_flops(t, true, settings.fma_seconds));
    gemm[t] = dgemm_flops(settings.dgemm_size, static_cast<int>(t));
  }
  const double theoretical = 16.0 * nominal_mhz() * 1e6;  // per core: 2 FMA pipes x 4 doubles x 2 flops
  std::printf("Machine peak (double precision, GFlop/s)\n");
  std::printf("  %-52s %10s %10s\n", "", "1 thread", "2 threads");
  std::printf("  %-52s %10.1f %10.1f\n", "FMA loop (12 chains, AVX2 and AVX-512, best)", fma[1] / 1e9, fma[2] / 1e9);
  std::printf("  %-52s %10.1f %10.1f\n", ("OpenBLAS dgemm n = " + std::to_string(settings.dgemm_size)).c_str(),
              gemm[1] / 1e9, gemm[2] / 1e9);
  std::printf("  %-52s %10.1f %10.1f\n", "16 flops/cycle x nominal clock x cores", theoretical / 1e9,
              2 * theoretical / 1e9);
  std::printf("  The FMA loop runs at %.2f GHz if the core retires 16 double flops per cycle (2 FMA pipes x\n",
              fma[1] / 16e9);
  std::printf("  4 doubles x 2): the clock is boosting above the nominal %.0f MHz; the FMA loop is the peak used.\n\n",
              nominal_mhz());

  // Agreement of the engine with the naive enumeration run to the end.
  std::printf("Agreement of log p(d): engine vs naive enumeration of all 2^H configurations\n");
  std::printf("  %-28s %12s %14s %16s\n", "case", "naive s", "max rel diff", "log p(d_0)");
  const std::vector<CaseSpec> agreement = {{"sigmoid", settings.agreement_hidden, 64},
                                           {"noisy-or", settings.agreement_hidden, 64},
                                           {"sigmoid", settings.agreement_hidden - 4, 784}};
  double worst_agreement = 0;
  for (const CaseSpec& spec : agreement) {
    const Network network = make_network(spec, settings.seed);
    Rng rng = make_rng(settings.seed + 1);
    const Matrix data = sample_visible(network, spec.patterns, rng);
    const Run naive = naive_enumeration(network, data, -1);
    const Run engine = engine_complete(network, data, 2);
    const double difference = max_relative_difference(engine.log_likelihood, naive.log_likelihood);
    worst_agreement = std::max(worst_agreement, difference);
    std::printf("  %-28s %12.2f %14.2e %16.6f\n", spec.name().c_str(), naive.seconds, difference,
                engine.log_likelihood(0));
  }
  std::printf("\n");

  // Throughput.
  std::vector<CaseSpec> cases;
  for (std::size_t v : {std::size_t{64}, std::size_t{784}})
    for (std::size_t h : {std::size_t{16}, std::size_t{20}, std::size_t{24}}) cases.push_back({"sigmoid", h, v});
  cases.push_back({"noisy-or", 20, 64});
  cases.push_back({"sigmoid", 20, 784, 1024});
  std::vector<CaseResult> results;
  std::vector<Breakdown> breakdowns;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const CaseSpec& spec = cases[i];
    const Network network = make_network(spec, settings.seed);
    std::atomic<std::uint64_t> counter{0};
    const Network counting = counting_copy(network, counter);
    Rng rng = make_rng(settings.seed + 1);
    const Matrix data = sample_visible(network, spec.patterns, rng);
    CaseResult r{spec, {}, {}, {}};
    r.engine1 = time_engine_on_cores(network, counting, counter, data, 1, settings.engine_budget_seconds);
    r.engine2 = time_engine_on_cores(network, counting, counter, data, 2, settings.engine_budget_seconds);
    r.naive = naive_enumeration(network, data, settings.naive_budget_seconds);
    breakdowns.push_back(time_components(network, data, settings.quick ? 0.05 : 0.3));
    if (!settings.export_dir.empty()) export_case(settings.export_dir, i, spec, network, data, r);
    results.push_back(std::move(r));
  }

  std::printf("Throughput: (patterns x configurations) per second; N patterns, 2^H configurations\n");
  std::printf("  engine: exact_inference (Gray code, incremental statistics, shared products)\n");
  std::printf("  naive:  every node recomputed from scratch per pattern and configuration (1 thread)\n");
  std::printf("  runs marked * stopped at their time budget; their configurations were counted\n");
  std::printf("  %-26s %11s %11s %6s %5s %5s %11s %8s %8s %7s %6s\n", "case", "engine t=1", "engine t=2", "t2/t1",
              "cpu1", "cpu2", "naive", "speed-up", "GFlop/s", "%dgemm", "%FMA");
  for (const CaseResult& r : results) {
    const std::size_t n = r.spec.patterns;
    const Run& best = r.engine2.rate(n) > r.engine1.rate(n) ? r.engine2 : r.engine1;
    const unsigned best_threads = &best == &r.engine2 ? 2 : 1;
    const double gflops = engine_flops(r.spec.visible, n, best.configurations) / best.seconds;
    auto rate = [n](const Run& run) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3g%s", run.rate(n), run.complete ? " " : "*");
      return std::string(text);
    };
    std::printf("  %-26s %11s %11s %6.2f %5.2f %5.2f %11s %7.1fx %8.2f %6.1f%% %5.1f%%\n", r.spec.name().c_str(),
                rate(r.engine1).c_str(), rate(r.engine2).c_str(), r.engine2.rate(n) / r.engine1.rate(n),
                r.engine1.cpu_seconds / r.engine1.seconds, r.engine2.cpu_seconds / r.engine2.seconds,
                rate(r.naive).c_str(), r.engine1.rate(n) / r.naive.rate(n), gflops / 1e9,
                100 * gflops / gemm[best_threads], 100 * gflops / fma[best_threads]);
  }
  std::printf("  cpu1, cpu2: process CPU time / wall time of the engine runs (1.00 and 2.00 on an idle\n");
  std::printf("  machine; less means other work took the cores: such runs were tried up to 3 times and the\n");
  std::printf("  one with the most CPU kept). speed-up = engine t=1 / naive (both one thread). GFlop/s\n");
  std::printf("  and %% of peak: the faster thread count, against dgemm and the FMA loop on as many threads\n\n");

  std::printf("Where the time of one configuration goes (engine t=1, microseconds)\n");
  std::printf("  %-26s %8s %8s %8s %8s %8s %9s\n", "case", "flip", "log-fire", "product", "exp", "sum",
              "measured");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Breakdown& b = breakdowns[i];
    const CaseResult& r = results[i];
    const double sum = b.switch_seconds + b.log_firing_seconds + b.product_seconds + b.exp_seconds;
    std::printf("  %-26s %8.3f %8.3f %8.3f %8.3f %8.3f %9.3f\n", r.spec.name().c_str(), 1e6 * b.switch_seconds,
                1e6 * b.log_firing_seconds, 1e6 * b.product_seconds, 1e6 * b.exp_seconds, 1e6 * sum,
                1e6 * r.engine1.seconds / double(r.engine1.configurations));
  }
  std::printf("  flip: switch_parent (V additions); log-fire: log_firing_from_statistics (V pairs of log\n");
  std::printf("  firing probabilities); product: dgemm N x 2V x 128, per configuration; exp: N exponentials;\n");
  std::printf("  sum: of those four; measured: engine t=1 time per configuration\n\n");

  std::printf("Target: speed-up >= 20x at H = 20, V = 64: ");
  for (const CaseResult& r : results)
    if (r.spec.hidden == 20 && r.spec.visible == 64 && r.spec.observed_kind == "sigmoid")
      std::printf("%.1fx (%s)\n", r.engine1.rate(64) / r.naive.rate(64),
                  r.engine1.rate(64) / r.naive.rate(64) >= 20 ? "met" : "NOT met");
  std::printf("Worst relative difference of log p(d), engine vs naive: %.2e\n", worst_agreement);
  std::printf("Total time %.0f s; load average at the end %s\n", seconds_since(bench_start), load_average().c_str());
  return worst_agreement < 1e-9 ? 0 : 1;
}

}  // namespace
}  // namespace helmholtz::bench

int main(int argc, char** argv) {
  helmholtz::bench::Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      settings.quick = true;
    } else if (arg == "--export" && i + 1 < argc) {
      settings.export_dir = argv[++i];
    } else if (arg == "--seed" && i + 1 < argc) {
      settings.seed = std::stoull(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: exact_bench [--quick] [--export DIR] [--seed S]\n");
      return 2;
    }
  }
  if (settings.quick) {
    settings.engine_budget_seconds = 0.4;
    settings.naive_budget_seconds = 0.2;
    settings.agreement_hidden = 12;
    settings.dgemm_size = 800;
    settings.fma_seconds = 0.1;
  }
  try {
    return helmholtz::bench::run(settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exact_bench: %s\n", e.what());
    return 1;
  }
}
