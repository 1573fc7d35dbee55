// The property test for parameters at and beyond their plugins' limits (sigmoid +-1e3 to
// +-1e6, noisy-or exactly 0 and 1, odds-sum 0 and 1e12, nodes without parents, all parents
// off): on hundreds of random networks mixing the three plugins in both directions
// (tests/support/extreme_networks.hpp), sampling, exact enumeration by every path, the
// posterior, the bounds, the importance estimates and one epoch of every training algorithm
// give finite numbers, or an exact -inf where a probability is truly 0, and never NaN.
// Exact values are checked against a long-double brute force
// (tests/support/log_space_reference.hpp).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <fstream>
#include <string>
#include <vector>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/free_energy.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "framework/numerics.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/extreme_networks.hpp"
#include "tests/support/log_space_reference.hpp"
#include "tests/support/opaque_distribution.hpp"

using namespace helmholtz;

namespace {

constexpr double minus_infinity = -numerics::infinity;

// The absolute error a double computation of log P may carry at these parameters: sigmoid's
// affine statistic a = b + W x is a sum of terms up to the largest |parameter|, and exact
// enumeration updates sums like it one flip at a time (1024 flips between recomputations),
// so each carries an absolute rounding error of a few ulps of that largest term per step.
double rounding_scale(const Network& network) {
  double largest = 1.0;
  for (const auto* model : {&network.generative, &network.recognition})
    for (const auto& c : model->conditionals)
      if (c.distribution && c.distribution->kind() == "sigmoid")
        for (double x : c.distribution->parameters()) largest = std::max(largest, std::abs(x));
  return largest;
}

// |actual - expected| within 1e-9 relative, plus the rounding of terms of `scale` nats over a
// walk of flips; -inf is equal only to -inf.
bool agrees(double actual, long double expected, double scale) {
  if (std::isinf(expected)) return actual == minus_infinity;
  if (!std::isfinite(actual)) return false;
  const long double tolerance = 1e-9L * std::max(1.0L, std::abs(expected)) + 1e-12L * scale;
  return std::abs(actual - expected) <= tolerance;
}

bool binary(const Matrix& states) {
  for (double s : states)
    if (s != 0.0 && s != 1.0) return false;
  return true;
}

// A log-probability, a bound or an estimate: a finite number or -inf, never NaN or +inf.
bool finite_or_minus_infinity(double x) { return std::isfinite(x) || x == minus_infinity; }

// Random networks of the within tier: a quarter factorising (the matrix-product path of
// log p(d)), one in 24 with 11 or 12 hidden units (the factorised path's high bits, Gray-code
// walks past the recomputation interval) and one in 80 with 13 (two shares of the
// configurations, merged, on two threads).
Network within_network(Rng& rng, int trial, bool wide = true) {
  testing::ShapeOptions shape;
  shape.factorising = trial % 4 == 1;
  if (wide && trial % 24 == 5) {
    shape.most_hidden_units = 12;
    shape.least_hidden_units = 11;
    shape.most_visible_units = 2;
  } else if (wide && trial % 80 == 79) {
    shape.most_hidden_units = shape.least_hidden_units = 13;
    shape.most_visible_units = 2;
  }
  return testing::extreme_network(rng, shape, testing::Extremes::within);
}

// The network with every generative distribution wrapped so that it hides its optional
// capabilities: exact enumeration then takes its generic path.
Network opaque(const Network& network) {
  Network out = network;
  for (auto& c : out.generative.conditionals)
    if (c.distribution) c.distribution = std::make_unique<testing::OpaqueDistribution>(std::move(c.distribution));
  return out;
}

std::string describe(const Network& network) {
  std::string out;
  for (std::size_t i = 0; i < network.nodes.size(); ++i) {
    out += network.nodes[i].name + (network.nodes[i].observed ? "(v" : "(h") + std::to_string(network.nodes[i].size) + ")";
    for (const auto* model : {&network.generative, &network.recognition}) {
      const Conditional& c = model->conditionals[i];
      if (!c.distribution) continue;
      out += model == &network.generative ? " P:" : " Q:";
      out += std::string(c.distribution->kind()) + "[";
      for (std::size_t p : c.parents) out += network.nodes[p].name + " ";
      out += "] {";
      for (double x : c.distribution->parameters()) out += format_number(x) + " ";
      out += "}";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

bool binary(const MatrixF& states) {
  for (float s : states)
    if (s != 0.0f && s != 1.0f) return false;
  return true;
}

TEST_CASE("extreme parameters: sampling gives states of 0 and 1 whose log-probabilities are finite, in double and "
          "single precision") {
  Rng rng = make_rng(1301);
  for (int trial = 0; trial < 300; ++trial) {
    Network network = within_network(rng, trial);
    CAPTURE(trial);
    INFO(describe(network));
    AncestralSampler sampler(network);
    const NodeStates& fantasy = sampler.sample(40, rng);
    for (const Matrix& states : fantasy) REQUIRE(binary(states));
    // What P drew has P > 0, so a finite log P: a state that P calls impossible was never drawn.
    DirectionLogProbability log_joint(network.generative);
    const Vector& log_p = log_joint(fantasy);
    for (double x : log_p) CHECK(std::isfinite(x));
    // Q from the fantasies' visible units, the same for what Q drew.
    Matrix data;
    gather_nodes(network.observed_nodes(), fantasy, data);
    RecognitionSampler recognition(network);
    Vector log_q;
    const NodeStates& recognised = recognition.sample(data, rng, log_q);
    for (const Matrix& states : recognised) REQUIRE(binary(states));
    for (double x : log_q) CHECK(std::isfinite(x));
    // In float (train --precision float32): the parameters rounded to float (1e-300 to 0).
    network.generative.enable_single_precision();
    network.recognition.enable_single_precision();
    AncestralSamplerF single_sampler(network);
    const NodeStatesF& single_fantasy = single_sampler.sample(40, rng);
    for (const MatrixF& states : single_fantasy) REQUIRE(binary(states));
    MatrixF single_data;
    gather_nodes(network.observed_nodes(), single_fantasy, single_data);
    RecognitionSamplerF single_recognition(network);
    VectorF single_log_q;
    for (const MatrixF& states : single_recognition.sample(single_data, rng, single_log_q)) REQUIRE(binary(states));
    for (float x : single_log_q) CHECK(std::isfinite(x));
  }
}

TEST_CASE("extreme parameters: every path of exact log p(d) agrees with brute force, -inf exactly where p(d) = 0") {
  Rng rng = make_rng(1302);
  for (int trial = 0; trial < 240; ++trial) {
    const Network network = within_network(rng, trial);
    CAPTURE(trial);
    INFO(describe(network));
    const Matrix all = all_visible_patterns(network);
    const double scale = rounding_scale(network);
    ExactOptions walk, threads, posterior, bound;
    walk.factorised = false;
    threads.threads = 2;
    posterior.posterior_marginals = posterior.posterior_mode = true;
    bound.free_energy_bound = true;
    const std::vector<std::pair<std::string, Vector>> paths = {
        {"default", exact_inference(network, all).log_likelihood},
        {"per-pattern walk", exact_inference(network, all, walk).log_likelihood},
        {"two threads", exact_inference(network, all, threads).log_likelihood},
        {"with the posterior", exact_inference(network, all, posterior).log_likelihood},
        {"with the bound", exact_inference(network, all, bound).log_likelihood},
        {"generic plugins", exact_inference(opaque(network), all).log_likelihood},
    };
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      const long double expected = reference::log_likelihood(network, all, n);
      for (const auto& [path, log_p] : paths) {
        CAPTURE(path);
        CAPTURE(n);
        CAPTURE(log_p(n));
        CAPTURE(static_cast<double>(expected));
        CHECK(agrees(log_p(n), expected, scale));
      }
    }
  }
}

TEST_CASE("extreme parameters: posterior marginals lie in [0, 1] and agree with brute force, NaN only where p(d) = 0") {
  Rng rng = make_rng(1303);
  for (int trial = 0; trial < 200; ++trial) {
    const Network network = within_network(rng, trial, false);  // brute-force marginals: small
    CAPTURE(trial);
    INFO(describe(network));
    const Matrix all = all_visible_patterns(network);
    ExactOptions options;
    options.posterior_marginals = options.posterior_mode = true;
    const ExactResult result = exact_inference(network, all, options);
    const std::size_t h_units = network.hidden_units();
    const double scale = rounding_scale(network);
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      CAPTURE(n);
      const long double log_p = reference::log_likelihood(network, all, n);
      if (std::isinf(log_p)) {  // no posterior: the engine marks it NaN, the CLI "impossible"
        CHECK(result.log_likelihood(n) == minus_infinity);
        for (std::size_t u = 0; u < h_units; ++u) CHECK(std::isnan(result.posterior_marginals(n, u)));
        CHECK(result.mode_log_joint(n) == minus_infinity);
        continue;
      }
      std::vector<long double> marginal(h_units, 0);
      for (unsigned long long h = 0; h < (1ull << h_units); ++h) {
        const long double lj = reference::log_joint(network, h, all, n);
        for (std::size_t u = 0; u < h_units; ++u)
          if ((h >> u) & 1u) marginal[u] += std::exp(lj - log_p);
      }
      for (std::size_t u = 0; u < h_units; ++u) {
        const double m = result.posterior_marginals(n, u);
        CAPTURE(u);
        CAPTURE(m);
        CAPTURE(static_cast<double>(marginal[u]));
        CHECK(m >= 0.0);
        CHECK(m <= 1.0);
        CHECK(std::abs(m - static_cast<double>(marginal[u])) <= 1e-9 + 1e-12 * scale);
      }
      // The mode is a configuration P(h, d) > 0 reaches: its joint is finite and the largest.
      unsigned long long mode = 0;
      for (std::size_t u = 0; u < h_units; ++u) mode |= static_cast<unsigned long long>(result.posterior_mode(n, u)) << u;
      CHECK(agrees(result.mode_log_joint(n), reference::log_joint(network, mode, all, n), scale));
    }
  }
}

TEST_CASE("extreme parameters: the exact bound agrees with brute force, is at most log p(d), and is -inf only where Q "
          "reaches an impossible h") {
  Rng rng = make_rng(1304);
  for (int trial = 0; trial < 200; ++trial) {
    const Network network = within_network(rng, trial, false);  // the brute-force bound: small
    CAPTURE(trial);
    INFO(describe(network));
    const Matrix all = all_visible_patterns(network);
    ExactOptions options;
    options.free_energy_bound = true;
    const ExactResult result = exact_inference(network, all, options);
    const double scale = rounding_scale(network);
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      const double bound = result.free_energy_bound(n);
      const long double expected = reference::free_energy_bound(network, all, n);
      CAPTURE(n);
      CAPTURE(bound);
      CAPTURE(static_cast<double>(expected));
      CHECK(finite_or_minus_infinity(bound));
      CHECK(agrees(bound, expected, scale));
      if (std::isfinite(bound)) CHECK(bound <= result.log_likelihood(n) + 1e-9 * std::max(1.0, std::abs(bound)) + 1e-12 * scale);
    }
  }
}

TEST_CASE("extreme parameters: the sampled bound and importance estimate are finite or -inf, -inf for impossible "
          "data, and never NaN") {
  Rng rng = make_rng(1305);
  for (int trial = 0; trial < 200; ++trial) {
    const Network network = within_network(rng, trial);
    CAPTURE(trial);
    INFO(describe(network));
    const Matrix all = all_visible_patterns(network);
    SampledOptions options;
    options.threads = 1;
    const SampledEstimates estimates = sampled_estimates(network, all, 8, rng, options);
    const Vector log_p = exact_inference(network, all).log_likelihood;
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      CAPTURE(n);
      CAPTURE(estimates.sampled_bound(n));
      CAPTURE(estimates.importance_log_likelihood(n));
      CHECK(finite_or_minus_infinity(estimates.sampled_bound(n)));
      CHECK(finite_or_minus_infinity(estimates.importance_log_likelihood(n)));
      if (log_p(n) == minus_infinity) {  // every h makes P(h, d) = 0
        CHECK(estimates.sampled_bound(n) == minus_infinity);
        CHECK(estimates.importance_log_likelihood(n) == minus_infinity);
      }
    }
  }
}

namespace {

// One epoch of `options` on `data`; every parameter must come out finite and in its valid
// range (a run that diverges keeps the parameters it started from, finite too). Returns
// whether it diverged.
bool train_one_epoch(Network network, const Matrix& data, const TrainingOptions& options, bool reports = false) {
  TrainingSetup setup;
  // With reports: the sampled bound, the objective and, on the data as validation, the exact
  // log-likelihood and bound after the epoch, each a number or -inf (the objective NaN when
  // the algorithm follows none).
  if (reports) setup.validation = &data;
  std::function<void(const EpochReport&)> check_report;
  if (reports) check_report = [](const EpochReport& r) {
    CHECK(finite_or_minus_infinity(r.sampled_bound));
    CHECK((std::isnan(r.objective) || finite_or_minus_infinity(r.objective)));
    CHECK(finite_or_minus_infinity(r.validation_log_likelihood));
    CHECK(finite_or_minus_infinity(r.validation_exact_bound));
    CHECK(finite_or_minus_infinity(r.validation_sampled_bound));
  };
  const TrainingOutcome outcome = train(network, data, options, setup, check_report);
  for (const auto* model : {&network.generative, &network.recognition}) {
    for (double x : model->parameters) REQUIRE(std::isfinite(x));
    for (std::size_t i = 0; i < model->conditionals.size(); ++i)
      if (const auto& d = model->conditionals[i].distribution) CHECK_NOTHROW(d->validate(Where{"trained", 0, 0, ""}));
  }
  // And the trained network still gives no NaN.
  const Vector log_p = exact_inference(network, data).log_likelihood;
  for (double x : log_p) CHECK(finite_or_minus_infinity(x));
  return outcome.diverged;
}

// Patterns the model draws, and the all-off and all-on patterns (often impossible).
Matrix training_data(const Network& network, Rng& rng) {
  const Matrix drawn = sample_visible(network, 4, rng);
  Matrix data = Matrix::from_shape({6, network.visible_units()});
  for (std::size_t n = 0; n < 6; ++n)
    for (std::size_t c = 0; c < data.shape(1); ++c) data(n, c) = n < 4 ? drawn(n, c) : n == 4 ? 0.0 : 1.0;
  return data;
}

}  // namespace

TEST_CASE("extreme parameters: one epoch of every training algorithm leaves every parameter finite and valid") {
  Rng rng = make_rng(1306);
  const std::vector<std::string> algorithms = builtin_algorithms().names();
  for (int trial = 0; trial < 60; ++trial) {
    testing::ShapeOptions shape;
    shape.most_hidden_units = 6;
    shape.most_visible_units = 4;
    const Network network = testing::extreme_network(rng, shape, testing::Extremes::within);
    CAPTURE(trial);
    INFO(describe(network));
    const Matrix data = training_data(network, rng);
    for (const std::string& algorithm : algorithms) {
      CAPTURE(algorithm);
      TrainingOptions options;
      options.algorithm = algorithm;
      options.epochs = 1;
      options.seed = static_cast<std::uint64_t>(trial);
      options.generative_rate = options.recognition_rate = 0.1;
      options.samples = 3;
      for (int variant = 0; variant < 6; ++variant) {
        CAPTURE(variant);
        TrainingOptions o = options;
        o.batch_size = variant % 2 == 0 ? 1 : 3;
        if (variant == 2) o.optimizer = "momentum";
        if (variant == 3) o.natural_coordinates = true;
        if (variant == 4) {
          o.weight_decay = 0.01;
          o.sleep_updates = true;
        }
        if (variant == 5) {
          if (algorithm == "deterministic") o.optimizer = "cg";
          else if (algorithm == "wake-sleep" || algorithm == "rws") o.single_precision = true;
          else continue;
        }
        // Without weight decay no run diverges. With it one may, and then keeps its start:
        // a step in log coordinates can take an odds-sum weight of 1e100 past the double
        // range (the deterministic cost's gradient grows as 1 / p, capped at 1e12), where it
        // is clamped to 1.8e308, and the decay's -lambda theta^2 in v is then -inf.
        const bool diverged = train_one_epoch(network, data, o, variant == 0);
        if (o.weight_decay == 0.0) CHECK(!diverged);
      }
    }
  }
}

TEST_CASE("parameters far beyond training's reach (sigmoid +-1e100, odds 1e300 and 1e308): no NaN from any engine") {
  Rng rng = make_rng(1307);
  for (int trial = 0; trial < 120; ++trial) {
    testing::ShapeOptions shape;
    shape.factorising = trial % 4 == 1;
    const Network network = testing::extreme_network(rng, shape, testing::Extremes::beyond);
    CAPTURE(trial);
    INFO(describe(network));
    AncestralSampler sampler(network);
    for (const Matrix& states : sampler.sample(20, rng)) REQUIRE(binary(states));
    const Matrix all = all_visible_patterns(network);
    ExactOptions walk, everything;
    walk.factorised = false;
    everything.posterior_marginals = everything.posterior_mode = everything.free_energy_bound = true;
    const Vector fast = exact_inference(network, all).log_likelihood;
    const Vector slow = exact_inference(network, all, walk).log_likelihood;
    const ExactResult full = exact_inference(network, all, everything);
    const Vector generic = exact_inference(opaque(network), all).log_likelihood;
    const SampledEstimates sampled = sampled_estimates(network, all, 4, rng);
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      CAPTURE(n);
      for (double x : {fast(n), slow(n), full.log_likelihood(n), generic(n), full.free_energy_bound(n),
                       sampled.sampled_bound(n), sampled.importance_log_likelihood(n)}) {
        CAPTURE(x);
        CHECK(finite_or_minus_infinity(x));
      }
      // Where p(d) = 0 is certain (every configuration is impossible), every path says so.
      const long double expected = reference::log_likelihood(network, all, n);
      if (std::isinf(expected))
        for (double x : {fast(n), slow(n), full.log_likelihood(n), generic(n)}) CHECK(x == minus_infinity);
      for (std::size_t u = 0; u < network.hidden_units(); ++u) {
        const double m = full.posterior_marginals(n, u);
        CHECK((std::isnan(m) ? full.log_likelihood(n) == minus_infinity : m >= 0.0 && m <= 1.0));
      }
    }
    const Matrix data = training_data(network, rng);
    for (const std::string& algorithm : builtin_algorithms().names()) {
      CAPTURE(algorithm);
      TrainingOptions options;
      options.algorithm = algorithm;
      options.epochs = 1;
      options.batch_size = 2;
      options.samples = 3;
      train_one_epoch(network, data, options);
      // In float, sigmoid's 1e100 rounds to inf: the run may diverge, but keeps finite values.
      options.single_precision = algorithm == "wake-sleep" || algorithm == "rws";
      if (options.single_precision) train_one_epoch(network, data, options);
    }
  }
}

TEST_CASE("data impossible under the model (noisy-or and odds-sum bias 0 with every parent off): log p = -inf with "
          "a note, through the CLI") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("helmholtz_extreme_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  // v (noisy-or) has leaks [0, 0, 1] and certain causes: v[0] fires only under h[0] or h[1],
  // v[1] only under h[0], v[2] always; w (odds-sum) has odds 0 whatever h is. h is almost
  // surely off (sigmoid biases -1e6 and -1e3) but never certainly: its tiny probabilities
  // keep the patterns that need it finite (-1e3 and -1e6 nats).
  const std::string model = (dir / "impossible.yaml").string(), data = (dir / "impossible.data").string();
  std::ofstream(model) << "nodes:\n  - {name: h, type: binary, size: 2}\n"
                          "  - {name: v, type: binary, size: 3, observed: true}\n"
                          "  - {name: w, type: binary, size: 1, observed: true}\n"
                          "generative:\n  h: {distribution: sigmoid, bias: [-1e6, -1e3]}\n"
                          "  v: {distribution: noisy-or, parents: [h], bias: [0, 0, 1], weights: {h: [[1, 1], [1, 0], [0, 0]]}}\n"
                          "  w: {distribution: odds-sum, parents: [h], bias: [0], weights: {h: [[0, 0]]}}\n";
  // 1: v[0] on with v[1] off needs h = 01: about -1e3 nats. 2: v[1] on needs h[0], v[0] off
  // needs every parent off: impossible. 3: h = 00, almost certain. 4: v[2] off: impossible.
  // 5: w on with odds 0: impossible. 6: h[0] on: about -1e6 nats.
  std::ofstream(data) << "1010\n0110\n0010\n0000\n0011\n1110\n";
  const Network network = read_model(model);
  const Vector log_p = exact_inference(network, read_data(data, 4)).log_likelihood;
  for (std::size_t n : {1, 3, 4}) CHECK(log_p(n) == minus_infinity);
  CHECK(std::abs(log_p(0) + 1e3) < 1.0);
  CHECK(std::abs(log_p(2)) < 1e-6);
  CHECK(std::abs(log_p(5) + 1e6) < 1.0);

  const Run exact = run({"exact", model, "--data", data});
  CHECK(exact.status == 0);
  CHECK(!contains(exact.out, "nan"));
  CHECK(contains(exact.out, "-inf"));
  CHECK(contains(exact.out, "3 of 6 patterns are impossible under the model (p(d) = 0): log p(d) = -inf is exact"));
  const Run json = run({"exact", model, "--data", data, "--json"});
  CHECK(json.status == 0);
  CHECK(!contains(json.out, "nan"));
  CHECK(contains(json.out, "\"impossible_patterns\": [2, 4, 5]"));
  const Run evaluate = run({"evaluate", model, "--data", data, "--samples", "5", "--json"});
  CHECK(evaluate.status == 0);
  CHECK(!contains(evaluate.out, "nan"));
  CHECK(contains(evaluate.out, "\"impossible_patterns\": [2, 4, 5]"));
  // Training on them does not crash or write NaN: the first step lifts the leaks and odds into
  // their learning ranges, where every pattern is possible again.
  const std::string trained = (dir / "trained.yaml").string();
  const Run train = run({"train", model, "--data", data, "--epochs", "1", "--seed", "1", "-o", trained});
  CHECK(train.status == 0);
  CHECK(!contains(slurp(trained), "nan"));
  const Vector after = exact_inference(read_model(trained), read_data(data, 4)).log_likelihood;
  for (double x : after) CHECK(std::isfinite(x));
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}
