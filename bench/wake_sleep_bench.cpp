// Benchmark of wake-sleep training (framework/engines/training/), with a baseline
// measured in the same run:
//   - the engine: train() with no progress callback, so that only training is
//     timed (shuffle, minibatch copy, recognition sample, wake update, fantasy, sleep update);
//   - a direct implementation of the same algorithm written here for one layered sigmoid
//     network and nothing else: flat parameter arrays in the engine's layout, CBLAS calls
//     straight into them (dgemv/dger when the batch has one pattern, dgemm otherwise), no
//     plugin interface, no gradient buffer, no projection, no log Q. It draws the same random
//     numbers in the same order as the engine, so both must end with the same parameters
//     (checked below); its speed is what the engine's design costs on top of the arithmetic.
// PyTorch, the outside yardstick, runs in bench/wake_sleep_pytorch.py on the networks and
// data this program exports (--export DIR), and prints the ratios. The program also counts
// the buffers the engine allocates per training step (calls of posix_memalign, which
// xtensor's allocator uses). docs/performance.md explains the figures.
//
// Networks (sigmoid everywhere, layered top -> ... -> observed, recognition reversed):
//   bars       1-8-16     models/bars.yaml,    2000 bars images (datasets::bars)
//   shifter    1-24-32    models/shifter.yaml, 10000 shifter patterns (datasets::shifter)
//   net32      2-16-32    parameters drawn from seed 1, 10000 shifter patterns
//   net64      4-16-64    parameters drawn from seed 1, 10000 patterns sampled from
//                         models/layered64.yaml
//   mnist784   10-100-784 initial parameters drawn as the model files draw them (seed 1);
//                         1000 patterns sampled from a random teacher network of that shape
//                         (every parameter uniform in [-1, 1]).
// Batch sizes 1 (the online rule of the papers), 10 and 100; OpenBLAS threads 1 and 2.
// A rate is patterns per second of wall-clock time, the best of 3 runs of whole epochs,
// each run from the same initial parameters; runs are long enough to take about --budget
// seconds.
//
//   wake_sleep_bench [--quick] [--export DIR] [--seed S] [--budget SECONDS] [--models DIR]
//   wake_sleep_bench --profile engine|direct NETWORK BATCH [--budget SECONDS]
//
// --export DIR writes, for each network, its initial parameters, data, learning rate, the
// measured rates, and two checks for the yardstick: (1) the random numbers and the engine's
// parameters after a few steps without shuffling (PyTorch must reach the same parameters
// from the same uniforms), (2) bars only: the engine's parameters after a few epochs of
// online training from several seeds (PyTorch trains from the same start with its own
// random numbers; the exact log-likelihoods must agree statistically).
#include <cblas.h>
#include <dlfcn.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>
#include <xtensor/xview.hpp>

#include "plugins/builtin.hpp"
#include "framework/datasets/bars.hpp"
#include "framework/datasets/shifter.hpp"
#include "bench/bench_clock.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/graph/network.hpp"
#include "framework/io/model_file.hpp"
#include "framework/numerics.hpp"

#ifndef HELMHOLTZ_SOURCE_DIR
#define HELMHOLTZ_SOURCE_DIR "."
#endif

// Every Matrix and Vector buffer comes from xtensor's aligned allocator, which calls
// posix_memalign directly (operator new never sees it). Counting the calls here tells how
// many buffers a training step allocates.
namespace {
std::atomic<long> aligned_allocations{0};
}
extern "C" int posix_memalign(void** pointer, std::size_t alignment, std::size_t size) {
  using Real = int (*)(void**, std::size_t, std::size_t);
  static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "posix_memalign"));
  aligned_allocations.fetch_add(1, std::memory_order_relaxed);
  return real(pointer, alignment, size);
}

namespace helmholtz::bench {
namespace {

struct Settings {
  bool quick = false;
  std::string export_dir;
  std::string models_dir = std::string(HELMHOLTZ_SOURCE_DIR) + "/models";
  std::uint64_t seed = 20240601;
  double budget_seconds = 0.5;  // per timed run; 3 runs per (network, batch, threads)
  std::size_t runs = 3;
  std::vector<std::size_t> batch_sizes{1, 10, 100};
  std::vector<int> blas_threads{1, 2};
  // Statistical check on bars: online training from the same start, several seeds.
  std::size_t check_epochs = 10;
  std::size_t check_seeds = 4;
  // --profile WHICH NETWORK BATCH: train only that (engine or direct) for about --budget
  // seconds on one BLAS thread and print the rate, for running under perf or callgrind.
  std::string profile_which, profile_network;
  std::size_t profile_batch = 1;
};

// ---------------------------------------------------------------------------------------
// Networks: a chain of sigmoid nodes, layer 0 at the top.

struct Case {
  std::string name;
  std::string description;
  Network network;                 // the initial parameters every run starts from
  std::vector<std::size_t> layers;  // node index of each layer, top first, observed last
  Matrix data;
  double rate = 0.01;  // both phases
};

// The layers of a chain top -> ... -> observed whose recognition model is the reverse chain;
// throws otherwise, since the direct implementation and the yardstick handle only that.
std::vector<std::size_t> chain_layers(const Network& network) {
  std::vector<std::size_t> layers(network.generative.order.begin(), network.generative.order.end());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const Conditional& g = network.generative.conditionals[layers[l]];
    const bool last = l + 1 == layers.size();
    if (!g.distribution || g.distribution->kind() != "sigmoid" ||
        g.parents != (l == 0 ? std::vector<std::size_t>{} : std::vector<std::size_t>{layers[l - 1]}) ||
        network.nodes[layers[l]].observed != last)
      throw Error("wake_sleep_bench: network '" + network.name + "' is not a sigmoid chain");
    const Conditional& r = network.recognition.conditionals[layers[l]];
    if (last ? r.distribution != nullptr
             : (!r.distribution || r.distribution->kind() != "sigmoid" ||
                r.parents != std::vector<std::size_t>{layers[l + 1]}))
      throw Error("wake_sleep_bench: network '" + network.name + "' has a recognition model that is not the reverse chain");
  }
  return layers;
}

// A layered sigmoid network, top first, the last layer observed; its parameters drawn from
// `seed` as a model file without explicit parameters draws them.
std::string layered_yaml(const std::string& name, std::uint64_t seed, const std::vector<std::size_t>& sizes) {
  std::string nodes, generative;
  for (std::size_t l = 0; l < sizes.size(); ++l) {
    const std::string layer = "l" + std::to_string(l);
    nodes += "  - {name: " + layer + ", type: binary, size: " + std::to_string(sizes[l]) +
             (l + 1 == sizes.size() ? ", observed: true}\n" : "}\n");
    generative += "  " + layer + ": {distribution: sigmoid" +
                  (l == 0 ? std::string("}\n") : ", parents: [l" + std::to_string(l - 1) + "]}\n");
  }
  return "name: " + name + "\nseed: " + std::to_string(seed) + "\nnodes:\n" + nodes + "generative:\n" + generative;
}

std::vector<Case> make_cases(const Settings& settings) {
  std::vector<Case> cases;
  Rng rng = make_rng(settings.seed);
  {
    Case c;
    c.name = "bars";
    c.description = "1-8-16, models/bars.yaml, 2000 bars images";
    c.network = read_model(settings.models_dir + "/bars.yaml");
    c.data = datasets::bars(2000, rng);
    c.rate = 0.05;
    cases.push_back(std::move(c));
  }
  {
    Case c;
    c.name = "shifter";
    c.description = "1-24-32, models/shifter.yaml, 10000 shifter patterns";
    c.network = read_model(settings.models_dir + "/shifter.yaml");
    std::vector<bool> direction;
    c.data = datasets::shifter(10000, rng, direction);
    c.rate = 0.02;
    cases.push_back(std::move(c));
  }
  {  // the 32-16-2: two top units, the shifter's data
    Case c;
    c.name = "net32";
    c.description = "2-16-32, parameters drawn from seed 1, 10000 shifter patterns";
    c.network = parse_model(layered_yaml("net32", 1, {2, 16, 32}), "net32");
    std::vector<bool> direction;
    c.data = datasets::shifter(10000, rng, direction);
    c.rate = 0.02;
    cases.push_back(std::move(c));
  }
  {  // 64-16-4: data from the shipped 4-16-64 network, the student drawn afresh
    Case c;
    c.name = "net64";
    c.description = "4-16-64, parameters drawn from seed 1, 10000 patterns sampled from models/layered64.yaml";
    c.network = parse_model(layered_yaml("net64", 1, {4, 16, 64}), "net64");
    c.data = sample_visible(read_model(settings.models_dir + "/layered64.yaml"), 10000, rng);
    c.rate = 0.02;
    cases.push_back(std::move(c));
  }
  {
    Case c;
    c.name = "mnist784";
    c.description = "10-100-784, 1000 patterns sampled from a random teacher";
    c.network = parse_model(layered_yaml("mnist784", 1, {10, 100, 784}), "mnist784");
    Network teacher = parse_model(layered_yaml("teacher", 2, {10, 100, 784}), "teacher");
    boost::random::uniform_real_distribution<double> uniform(-1.0, 1.0);
    for (auto& conditional : teacher.generative.conditionals) {
      Vector theta = conditional.distribution->parameters();
      for (double& x : theta) x = uniform(rng);
      conditional.distribution->set_parameters(theta);
    }
    c.data = sample_visible(teacher, 1000, rng);
    c.rate = 0.01;
    cases.push_back(std::move(c));
  }
  for (Case& c : cases) c.layers = chain_layers(c.network);
  return cases;
}

// ---------------------------------------------------------------------------------------
// The direct implementation. Parameters of layer l: generative [b | W] with W n_l x n_{l-1}
// (l >= 1), recognition [c | R] with R n_l x n_{l+1} (l < L), row-major: the engine's
// layout, so that the two can be compared entry by entry.

class DirectWakeSleep {
 public:
  explicit DirectWakeSleep(const Case& c) {
    const std::size_t layers = c.layers.size();
    for (std::size_t l = 0; l < layers; ++l) {
      const std::size_t node = c.layers[l];
      sizes_.push_back(c.network.nodes[node].size);
      const ParameterView g = c.network.generative.conditionals[node].distribution->parameters();
      generative_.emplace_back(g.begin(), g.end());
      if (l + 1 < layers) {
        const ParameterView r = c.network.recognition.conditionals[node].distribution->parameters();
        recognition_.emplace_back(r.begin(), r.end());
      }
    }
    states_.resize(layers);
    fantasy_.resize(layers);
  }

  // Same schedule and random streams as the engine's trainer: epoch e draws from
  // epoch_rng(seed, e), Fisher-Yates with Boost.Random over 0..N-1, then per minibatch the
  // recognition sample (bottom-up), the wake update, the fantasy (top-down) and the sleep update.
  void train(const Matrix& data, std::size_t epochs, std::size_t batch_size, double rate, std::uint64_t seed,
             bool shuffle = true) {
    const std::size_t patterns = data.shape(0), width = data.shape(1), top = sizes_.size() - 1;
    std::vector<std::size_t> order(patterns);
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
      Rng rng = epoch_rng(seed, epoch + 1);
      std::iota(order.begin(), order.end(), std::size_t{0});
      if (shuffle)
        for (std::size_t i = patterns; i > 1; --i)
          std::swap(order[i - 1], order[boost::random::uniform_int_distribution<std::size_t>(0, i - 1)(rng)]);
      for (std::size_t first = 0; first < patterns; first += batch_size) {
        const std::size_t count = std::min(batch_size, patterns - first);
        resize(count);
        double* x = states_[top].data();
        for (std::size_t n = 0; n < count; ++n)
          std::copy(data.data() + order[first + n] * width, data.data() + (order[first + n] + 1) * width,
                    x + n * width);
        step(count, rate, rng);
      }
    }
  }

  const std::vector<double>& generative(std::size_t l) const { return generative_[l]; }
  const std::vector<double>& recognition(std::size_t l) const { return recognition_[l]; }

 private:
  void resize(std::size_t count) {
    if (count == count_) return;
    count_ = count;
    std::size_t widest = 0;
    for (std::size_t l = 0; l < sizes_.size(); ++l) {
      states_[l].resize(count * sizes_[l]);
      fantasy_[l].resize(count * sizes_[l]);
      widest = std::max(widest, sizes_[l]);
    }
    work_.resize(count * widest);
  }

  // out (count x n) = b + in (count x m) W^T, for parameters [b | W].
  void affine(const double* in, std::size_t count, std::size_t m, const double* theta, std::size_t n,
              double* out) const {
    for (std::size_t r = 0; r < count; ++r) std::copy(theta, theta + n, out + r * n);
    if (m == 0) return;
    if (count == 1)
      cblas_dgemv(CblasRowMajor, CblasNoTrans, int(n), int(m), 1.0, theta + n, int(m), in, 1, 1.0, out, 1);
    else
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(count), int(n), int(m), 1.0, in, int(m), theta + n,
                  int(m), 1.0, out, int(n));
  }

  // The delta rule for every unit: work holds p on entry; theta += alpha [sum_r d_r | d^T in]
  // with d = s - p.
  void delta_rule(const double* s, const double* in, std::size_t count, std::size_t m, double alpha, double* theta,
                  std::size_t n) {
    double* d = work_.data();
    for (std::size_t i = 0; i < count * n; ++i) d[i] = s[i] - d[i];
    for (std::size_t r = 0; r < count; ++r)
      for (std::size_t j = 0; j < n; ++j) theta[j] += alpha * d[r * n + j];
    if (m == 0) return;
    if (count == 1)
      cblas_dger(CblasRowMajor, int(n), int(m), alpha, d, 1, in, 1, theta + n, int(m));
    else
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(n), int(m), int(count), alpha, d, int(n), in, int(m),
                  1.0, theta + n, int(m));
  }

  // p = sigmoid(work) in place, then s = [u < p] drawn row by row as sample_bernoulli does.
  void sample(std::size_t size, double* s, Rng& rng) {
    double* p = work_.data();
    for (std::size_t i = 0; i < size; ++i) {
      p[i] = numerics::sigmoid(p[i]);
      s[i] = uniform01(rng) < p[i] ? 1.0 : 0.0;
    }
  }

  void sigmoid_in_place(std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) work_[i] = numerics::sigmoid(work_[i]);
  }

  void step(std::size_t count, double rate, Rng& rng) {
    const std::size_t top = sizes_.size() - 1;
    const double alpha = rate / double(count);
    auto& s = states_;
    // Wake: h ~ Q(.|d) bottom-up.
    for (std::size_t l = top; l-- > 0;) {
      affine(s[l + 1].data(), count, sizes_[l + 1], recognition_[l].data(), sizes_[l], work_.data());
      sample(count * sizes_[l], s[l].data(), rng);
    }
    // ... then the generative delta rule on (h, d).
    for (std::size_t l = 0; l <= top; ++l) {
      const double* parents = l == 0 ? nullptr : s[l - 1].data();
      const std::size_t m = l == 0 ? 0 : sizes_[l - 1];
      affine(parents, count, m, generative_[l].data(), sizes_[l], work_.data());
      sigmoid_in_place(count * sizes_[l]);
      delta_rule(s[l].data(), parents, count, m, alpha, generative_[l].data(), sizes_[l]);
    }
    // Sleep: a fantasy (h, d) ~ P top-down with the updated generative model ...
    auto& f = fantasy_;
    for (std::size_t l = 0; l <= top; ++l) {
      const double* parents = l == 0 ? nullptr : f[l - 1].data();
      affine(parents, count, l == 0 ? 0 : sizes_[l - 1], generative_[l].data(), sizes_[l], work_.data());
      sample(count * sizes_[l], f[l].data(), rng);
    }
    // ... then the recognition delta rule on it (node order does not matter: each node's
    // update reads only the states and its own parameters).
    for (std::size_t l = 0; l < top; ++l) {
      affine(f[l + 1].data(), count, sizes_[l + 1], recognition_[l].data(), sizes_[l], work_.data());
      sigmoid_in_place(count * sizes_[l]);
      delta_rule(f[l].data(), f[l + 1].data(), count, sizes_[l + 1], alpha, recognition_[l].data(), sizes_[l]);
    }
  }

  std::vector<std::size_t> sizes_;
  std::vector<std::vector<double>> generative_, recognition_;
  std::vector<std::vector<double>> states_, fantasy_;
  std::vector<double> work_;
  std::size_t count_ = 0;
};

// ---------------------------------------------------------------------------------------
// Timing.

TrainingOptions engine_options(const Case& c, std::size_t epochs, std::size_t batch, std::uint64_t seed) {
  TrainingOptions options;
  options.epochs = epochs;
  options.generative_rate = c.rate;
  options.recognition_rate = c.rate;
  options.batch_size = batch;
  options.seed = seed;
  return options;
}

struct Timing {
  double rate = 0;          // patterns per second, best run
  double cpu_per_wall = 0;  // process CPU seconds per wall second in the best run
  std::size_t epochs = 0;   // per run
};

// `run(epochs)` trains from the initial parameters (copying them is not timed: the callable
// receives its fresh copy already made by `prepare`).
template <class Prepare, class Run>
Timing time_best(const Settings& settings, std::size_t patterns, Prepare prepare, Run run) {
  // One epoch to calibrate, then runs of as many epochs as fill the budget.
  auto state = prepare();
  auto start = Clock::now();
  run(state, 1);
  const double one_epoch = std::max(seconds_since(start), 1e-6);
  Timing timing;
  timing.epochs = std::max<std::size_t>(1, std::size_t(std::ceil(settings.budget_seconds / one_epoch)));
  double best = 1e300;
  for (std::size_t r = 0; r < settings.runs; ++r) {
    state = prepare();
    const double cpu = process_cpu_seconds();
    start = Clock::now();
    run(state, timing.epochs);
    const double wall = seconds_since(start);
    if (wall < best) {
      best = wall;
      timing.cpu_per_wall = (process_cpu_seconds() - cpu) / wall;
    }
  }
  timing.rate = double(timing.epochs * patterns) / best;
  return timing;
}

// ---------------------------------------------------------------------------------------
// Checks.

double max_difference(const ParameterView& engine, const std::vector<double>& direct) {
  double worst = 0;
  for (std::size_t i = 0; i < engine.size(); ++i) worst = std::max(worst, std::abs(engine(i) - direct[i]));
  return worst;
}

// The engine: the generic trainer with the wake-sleep algorithm, no reports.
TrainingOutcome train_engine(Network& network, const Matrix& data, const TrainingOptions& options) {
  TrainingSetup setup;
  return train(network, data, options, setup);
}

// Trains the engine and the direct implementation side by side on the same random stream and
// returns the largest difference of any parameter.
double engine_direct_difference(const Case& c, std::size_t epochs, std::size_t batch, std::uint64_t seed,
                                bool shuffle, std::size_t patterns) {
  const Matrix data = xt::view(c.data, xt::range(0, std::min(patterns, c.data.shape(0))), xt::all());
  Network network = c.network;
  TrainingOptions options = engine_options(c, epochs, batch, seed);
  options.shuffle = shuffle;
  train_engine(network, data, options);
  DirectWakeSleep direct(c);
  direct.train(data, epochs, batch, c.rate, seed, shuffle);
  double worst = 0;
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    worst = std::max(worst, max_difference(network.generative.conditionals[c.layers[l]].distribution->parameters(),
                                           direct.generative(l)));
    if (l + 1 < c.layers.size())
      worst = std::max(worst, max_difference(network.recognition.conditionals[c.layers[l]].distribution->parameters(),
                                             direct.recognition(l)));
  }
  return worst;
}

// Aligned allocations per step of train_wake_sleep: one epoch over 2 * `steps` minibatches
// minus one epoch over `steps` (set-up costs cancel).
double allocations_per_step(const Case& c, std::size_t batch, std::size_t steps) {
  auto count = [&](std::size_t patterns) {
    const Matrix data = xt::view(c.data, xt::range(0, patterns), xt::all());
    Network network = c.network;
    const long before = aligned_allocations.load();
    train_engine(network, data, engine_options(c, 1, batch, 1));
    return aligned_allocations.load() - before;
  };
  return double(count(2 * steps * batch) - count(steps * batch)) / double(steps);
}

// ---------------------------------------------------------------------------------------
// Export for bench/wake_sleep_pytorch.py: one `key value value ...` line per field.

void write_values(std::ostream& out, const std::string& key, const double* values, std::size_t n) {
  out << key;
  char buffer[32];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buffer, sizeof buffer, " %.17g", values[i]);
    out << buffer;
  }
  out << '\n';
}

void write_parameters(std::ostream& out, const std::string& prefix, const Case& c, const Network& network) {
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    const Vector& g = network.generative.conditionals[c.layers[l]].distribution->parameters();
    write_values(out, prefix + "generative_" + std::to_string(l), g.data(), g.size());
    if (l + 1 < c.layers.size()) {
      const Vector& r = network.recognition.conditionals[c.layers[l]].distribution->parameters();
      write_values(out, prefix + "recognition_" + std::to_string(l), r.data(), r.size());
    }
  }
}

// A few steps without shuffling from the initial parameters: the uniforms the engine draws
// (in its order: recognition layers bottom-up, then generative layers top-down, each
// patterns x units row by row) and the parameters it ends with.
void write_step_check(std::ostream& out, const std::string& key, const Case& c, std::size_t batch,
                      std::size_t steps, std::uint64_t seed) {
  const std::size_t patterns = batch * steps;
  const Matrix data = xt::view(c.data, xt::range(0, patterns), xt::all());
  std::size_t hidden = 0, all = 0;
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    all += c.network.nodes[c.layers[l]].size;
    if (l + 1 < c.layers.size()) hidden += c.network.nodes[c.layers[l]].size;
  }
  Rng rng = epoch_rng(seed, 1);  // the stream of the engine's first (and only) epoch
  std::vector<double> uniforms(patterns * (hidden + all));
  for (double& u : uniforms) u = uniform01(rng);
  Network network = c.network;
  TrainingOptions options = engine_options(c, 1, batch, seed);
  options.shuffle = false;
  train_engine(network, data, options);
  out << key << "_batch " << batch << '\n' << key << "_steps " << steps << '\n';
  write_values(out, key + "_uniforms", uniforms.data(), uniforms.size());
  write_parameters(out, key + "_", c, network);
}

int profile(const Settings& settings, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    if (c.name != settings.profile_network) continue;
    openblas_set_num_threads(1);
    const std::size_t batch = settings.profile_batch;
    Timing timing;
    if (settings.profile_which == "engine")
      timing = time_best(
          settings, c.data.shape(0), [&] { return c.network; },
          [&](Network& network, std::size_t epochs) {
            train_engine(network, c.data, engine_options(c, epochs, batch, settings.seed));
          });
    else if (settings.profile_which == "direct")
      timing = time_best(
          settings, c.data.shape(0), [&] { return DirectWakeSleep(c); },
          [&](DirectWakeSleep& direct, std::size_t epochs) { direct.train(c.data, epochs, batch, c.rate, settings.seed); });
    else
      throw Error("wake_sleep_bench: --profile takes engine or direct, not '" + settings.profile_which + "'");
    std::printf("%s %s batch %zu: %.0f patterns per second (%zu epochs per run)\n", settings.profile_which.c_str(),
                c.name.c_str(), batch, timing.rate, timing.epochs);
    return 0;
  }
  throw Error("wake_sleep_bench: no network '" + settings.profile_network + "' (bars, shifter, net32, net64, mnist784)");
}

int run(const Settings& settings) {
  std::vector<Case> cases = make_cases(settings);
  if (!settings.profile_which.empty()) return profile(settings, cases);
  if (!settings.export_dir.empty()) std::filesystem::create_directories(settings.export_dir);
  int status = 0;

  std::printf("wake-sleep training, patterns per second (wall clock, best of %zu runs of ~%.2g s)\n",
              settings.runs, settings.budget_seconds);
  std::printf("engine: train_engine(); direct: the same algorithm hand-written on flat arrays + CBLAS\n");
  std::printf("OpenBLAS: %s (kernels: %s)\n\n", openblas_get_config(), openblas_get_corename());

  // Agreement first: a benchmark of a wrong computation means nothing.
  std::printf("== engine and direct implementation on the same random stream (largest parameter difference)\n");
  for (const Case& c : cases)
    for (std::size_t batch : {std::size_t{1}, std::size_t{10}}) {
      const double diff = engine_direct_difference(c, 2, batch, settings.seed + 7, true, 200);
      const bool ok = diff < 1e-9;
      std::printf("  %-9s batch %-3zu 2 epochs x 200 patterns, shuffled: %.2e %s\n", c.name.c_str(), batch, diff,
                  ok ? "ok" : "DISAGREE");
      if (!ok) status = 1;
    }
  std::printf("\n== buffers the engine allocates per training step (posix_memalign calls; 0 is the design)\n");
  for (const Case& c : cases)
    std::printf("  %-9s batch 1: %5.1f   batch 10: %5.1f\n", c.name.c_str(), allocations_per_step(c, 1, 100),
                allocations_per_step(c, 10, 10));
  std::printf("\n");

  std::printf("%-9s %5s %7s | %12s %8s | %12s %8s | %12s\n", "network", "batch", "threads", "engine", "cpu/wall",
              "direct", "cpu/wall", "engine/direct");
  std::string trained_report;  // printed after the table
  struct Row {
    std::size_t batch;
    int threads;
    Timing engine, direct;
  };
  for (const Case& c : cases) {
    std::vector<Row> rows;
    const std::size_t patterns = c.data.shape(0);
    for (std::size_t batch : settings.batch_sizes)
      for (int threads : settings.blas_threads) {
        openblas_set_num_threads(threads);
        Row row{batch, threads, {}, {}};
        row.engine = time_best(
            settings, patterns, [&] { return c.network; },
            [&](Network& network, std::size_t epochs) {
              train_engine(network, c.data, engine_options(c, epochs, batch, settings.seed));
            });
        row.direct = time_best(
            settings, patterns, [&] { return DirectWakeSleep(c); },
            [&](DirectWakeSleep& direct, std::size_t epochs) {
              direct.train(c.data, epochs, batch, c.rate, settings.seed);
            });
        std::printf("%-9s %5zu %7d | %12.0f %8.2f | %12.0f %8.2f | %12.2f\n", c.name.c_str(), batch, threads,
                    row.engine.rate, row.engine.cpu_per_wall, row.direct.rate, row.direct.cpu_per_wall,
                    row.engine.rate / row.direct.rate);
        std::fflush(stdout);
        rows.push_back(row);
      }
    openblas_set_num_threads(1);

    if (settings.export_dir.empty()) continue;
    std::ofstream out(settings.export_dir + "/network_" + c.name + ".txt");
    out << "name " << c.name << "\ndescription " << c.description << "\nsizes";
    for (std::size_t node : c.layers) out << ' ' << c.network.nodes[node].size;
    out << "\npatterns " << patterns << '\n';
    write_values(out, "rate", &c.rate, 1);
    std::string data(patterns * c.data.shape(1), '0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = c.data.data()[i] != 0.0 ? '1' : '0';
    out << "data " << data << '\n';
    write_parameters(out, "initial_", c, c.network);
    for (const Row& row : rows) {
      const std::string suffix = "_" + std::to_string(row.batch) + "_" + std::to_string(row.threads);
      write_values(out, "helmholtz_rate" + suffix, &row.engine.rate, 1);
      write_values(out, "direct_rate" + suffix, &row.direct.rate, 1);
    }
    write_step_check(out, "check_online", c, 1, 3, settings.seed + 11);
    write_step_check(out, "check_batch", c, 10, 3, settings.seed + 13);
    if (c.name == "bars") {
      // Online training from the same start with several seeds; the yardstick compares the
      // exact log-likelihood of these models with that of its own.
      out << "trained_epochs " << settings.check_epochs << "\ntrained_seeds " << settings.check_seeds << '\n';
      trained_report += "\nbars, " + std::to_string(settings.check_epochs) +
                        " epochs online from the same start (for the yardstick's check), exact mean log p(d) of the "
                        "training data (nats):\n";
      for (std::size_t s = 0; s < settings.check_seeds; ++s) {
        Network network = c.network;
        train_engine(network, c.data, engine_options(c, settings.check_epochs, 1, settings.seed + 100 + s));
        write_parameters(out, "trained_" + std::to_string(s) + "_", c, network);
        const double log_likelihood = xt::mean(exact_inference(network, c.data).log_likelihood)();
        write_values(out, "trained_" + std::to_string(s) + "_exact_log_likelihood", &log_likelihood, 1);
        char line[64];
        std::snprintf(line, sizeof line, "  seed %zu: %.4f\n", s, log_likelihood);
        trained_report += line;
      }
    }
    if (!out) throw Error("wake_sleep_bench: cannot write to " + settings.export_dir);
  }
  std::printf("%s", trained_report.c_str());
  return status;
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
    } else if (arg == "--budget" && i + 1 < argc) {
      settings.budget_seconds = std::stod(argv[++i]);
    } else if (arg == "--models" && i + 1 < argc) {
      settings.models_dir = argv[++i];
    } else if (arg == "--profile" && i + 3 < argc) {
      settings.profile_which = argv[++i];
      settings.profile_network = argv[++i];
      settings.profile_batch = std::stoul(argv[++i]);
      settings.runs = 1;
    } else {
      std::fprintf(stderr,
                   "usage: wake_sleep_bench [--quick] [--export DIR] [--seed S] [--budget SECONDS] [--models DIR]\n"
                   "       wake_sleep_bench --profile engine|direct bars|shifter|net32|net64|mnist784 BATCH [--budget SECONDS]\n");
      return 2;
    }
  }
  if (settings.quick) {
    settings.budget_seconds = std::min(settings.budget_seconds, 0.1);
    settings.check_epochs = 3;
    settings.check_seeds = 3;
  }
  try {
    return helmholtz::bench::run(settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wake_sleep_bench: %s\n", e.what());
    return 1;
  }
}
