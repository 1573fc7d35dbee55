// Exact enumeration against a deliberately simple long-double brute force
// (tests/support/log_space_reference.hpp), on random networks mixing the three plugins
// with extreme parameters.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>

#include "plugins/builtin.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/thread_cpu_time.hpp"
#include "framework/incremental_statistics.hpp"
#include "framework/numerics.hpp"
#include "framework/registry.hpp"
#include "tests/support/opaque_distribution.hpp"
#include "tests/support/log_space_reference.hpp"
#include "tests/support/random_networks.hpp"

using namespace helmholtz;

namespace {

// |a - b| <= tolerance * max(1, |b|), with -inf equal only to -inf.
void check_close(double actual, long double expected, double tolerance = 1e-9) {
  if (std::isinf(expected)) {
    CHECK(actual == -numerics::infinity);
    return;
  }
  REQUIRE(std::isfinite(actual));
  CHECK(std::abs(actual - static_cast<double>(expected)) <= tolerance * std::max(1.0L, std::abs(expected)));
}

double log_sum_exp(const Vector& v) {
  double total = -numerics::infinity;
  for (double x : v) total = numerics::log_add_exp(total, x);
  return total;
}

}  // namespace

TEST_CASE("log p(d) of every visible pattern equals brute force to 1e-9, and the probabilities sum to 1") {
  Rng rng = make_rng(11);
  for (const char* shape : {testing::layered_shape, testing::mixed_shape}) {
    for (int trial = 0; trial < 12; ++trial) {
      const Network network = testing::random_network(shape, rng);
      const Matrix all = all_visible_patterns(network);
      const ExactResult result = exact_inference(network, all);
      CHECK(result.hidden_configurations == (1u << network.hidden_units()));
      for (std::size_t n = 0; n < all.shape(0); ++n) check_close(result.log_likelihood(n), reference::log_likelihood(network, all, n));
      CHECK(std::abs(std::expm1(log_sum_exp(result.log_likelihood))) <= 1e-9);
    }
  }
}

TEST_CASE("posterior marginals and mode agree with brute force") {
  Rng rng = make_rng(12);
  for (int trial = 0; trial < 8; ++trial) {
    const Network network = testing::random_network(trial % 2 ? testing::layered_shape : testing::mixed_shape, rng);
    const Matrix all = all_visible_patterns(network);
    ExactOptions options;
    options.posterior_marginals = options.posterior_mode = true;
    const ExactResult result = exact_inference(network, all, options);
    const std::size_t h_units = network.hidden_units();
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      const long double log_p = reference::log_likelihood(network, all, n);
      if (std::isinf(log_p)) continue;  // the posterior of an impossible pattern is undefined
      std::vector<long double> marginal(h_units, 0);
      long double best = reference::minus_infinity;
      for (unsigned long long h = 0; h < (1ull << h_units); ++h) {
        const long double lj = reference::log_joint(network, h, all, n);
        best = std::max(best, lj);
        for (std::size_t u = 0; u < h_units; ++u)
          if ((h >> u) & 1u) marginal[u] += std::exp(lj - log_p);
      }
      for (std::size_t u = 0; u < h_units; ++u)
        CHECK(std::abs(result.posterior_marginals(n, u) - static_cast<double>(marginal[u])) <= 1e-9);
      // The mode's joint is the largest, and it is the joint of the configuration reported.
      check_close(result.mode_log_joint(n), best);
      unsigned long long mode = 0;
      for (std::size_t u = 0; u < h_units; ++u) mode |= static_cast<unsigned long long>(result.posterior_mode(n, u)) << u;
      check_close(result.mode_log_joint(n), reference::log_joint(network, mode, all, n));
    }
  }
}

namespace {

// A 14-hidden-unit network: 16384 configurations, enough for two threads and for the
// periodic exact recomputation of the incremental statistics (every 1024 flips).
const char* const wide_shape = R"(
nodes:
  - {name: top,  type: binary, size: 4}
  - {name: mid,  type: binary, size: 10}
  - {name: data, type: binary, size: 6, observed: true}
generative:
  top:  {distribution: KIND}
  mid:  {distribution: KIND, parents: [top]}
  data: {distribution: KIND, parents: [mid, top]}
)";

}  // namespace

TEST_CASE("two threads and Gray-code runs past the recomputation interval agree with brute force") {
  Rng rng = make_rng(13);
  for (int trial = 0; trial < 3; ++trial) {
    const Network network = testing::random_network(wide_shape, rng);
    Matrix data = Matrix::from_shape({5, network.visible_units()});
    for (double& x : data) x = uniform01(rng) < 0.5;
    ExactOptions one, two;
    one.threads = 1;
    two.threads = 2;
    const Vector a = exact_inference(network, data, one).log_likelihood;
    const Vector b = exact_inference(network, data, two).log_likelihood;
    for (std::size_t n = 0; n < data.shape(0); ++n) {
      const long double expected = reference::log_likelihood(network, data, n);
      check_close(a(n), expected);
      check_close(b(n), expected);
    }
  }
}

namespace {

using testing::OpaqueDistribution;

}  // namespace

TEST_CASE("a plugin without incremental statistics goes through the generic path with the same result") {
  Rng rng = make_rng(14);
  for (int trial = 0; trial < 4; ++trial) {
    Network network = testing::random_network(testing::layered_shape, rng);
    Network opaque = network;
    for (auto& c : opaque.generative.conditionals) {
      c.distribution = std::make_unique<OpaqueDistribution>(std::move(c.distribution));
      REQUIRE(dynamic_cast<const IncrementalStatistics*>(c.distribution.get()) == nullptr);
    }
    const Matrix all = all_visible_patterns(network);
    const Vector fast = exact_inference(network, all).log_likelihood;
    const Vector generic = exact_inference(opaque, all).log_likelihood;
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      check_close(generic(n), reference::log_likelihood(network, all, n));
      check_close(fast(n), reference::log_likelihood(network, all, n));
    }
  }
}

TEST_CASE("more hidden units than the limit is refused with the count and 2^H, before any work") {
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 31}
  - {name: d, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  d: {distribution: sigmoid, parents: [h]}
)", "big.yaml");
  const Matrix data = xt::zeros<double>({1, 2});
  CHECK_THROWS_WITH_AS(exact_inference(network, data),
                       doctest::Contains("H = 31 hidden units (2^31 = 2147483648 configurations), above the limit of 30"),
                       Error);
  ExactOptions options;
  options.max_hidden_units = 20;
  CHECK_THROWS_WITH_AS(exact_inference(network, data, options), doctest::Contains("above the limit of 20"), Error);
}

TEST_CASE("an interrupt request stops enumeration with Interrupted") {
  Rng rng = make_rng(15);
  const Network network = testing::random_network(wide_shape, rng);
  const Matrix data = Matrix(xt::zeros<double>({std::size_t{2}, network.visible_units()}));
  std::atomic<bool> stop{true};
  ExactOptions options;
  options.interrupt = &stop;
  CHECK_THROWS_AS(exact_inference(network, data, options), Interrupted);
}

// Eighteen hidden units in two layers above 16 observed ones, every node sigmoid: log p(d)
// alone goes by the factorised sum, with the posterior by the per-pattern walk.
const char* const timed_shape = R"(
nodes:
  - {name: top,  type: binary, size: 4}
  - {name: mid,  type: binary, size: 14}
  - {name: data, type: binary, size: 16, observed: true}
generative:
  top:  {distribution: sigmoid}
  mid:  {distribution: sigmoid, parents: [top]}
  data: {distribution: sigmoid, parents: [mid, top]}
)";

TEST_CASE("estimate_exact_cost: a small enumeration is timed whole, and the estimate is of its size") {
  Rng rng = make_rng(21);
  const Network network = testing::random_network(testing::layered_shape, rng);
  const Matrix data = xt::zeros<double>({std::size_t{7}, network.visible_units()});
  const ExactCost cost = estimate_exact_cost(network, data);
  CHECK(cost.configurations == 64);
  CHECK(cost.patterns == 7);
  CHECK(cost.threads == 1);  // fewer configurations than make two shares
  CHECK(cost.timed_configurations == 64);
  CHECK(cost.seconds > 0);
  CHECK(cost.seconds < 0.1);
  CHECK(estimate_exact_cost(network, Matrix::from_shape({0, network.visible_units()})).seconds == 0);
  CHECK_THROWS_WITH_AS(estimate_exact_cost(network, xt::zeros<double>({1, 3})),
                       doctest::Contains("3 columns, but the network has 4 visible units"), Error);
}

TEST_CASE("estimate_exact_cost: within a factor of 3 of the processor time the enumeration then takes") {
  // Processor time of the calling thread, which runs everything with threads = 1: what the
  // estimate measures, and unlike the wall clock not stretched by a busy machine.
  Rng rng = make_rng(22);
  const Network network = testing::random_network(timed_shape, rng, false);
  Matrix data = Matrix::from_shape({100, network.visible_units()});
  boost::random::uniform_real_distribution<double> uniform01(0.0, 1.0);
  for (double& x : data) x = uniform01(rng) < 0.5;
  for (const bool posterior : {false, true}) {
    CAPTURE(posterior);
    ExactOptions options;
    options.threads = 1;
    options.posterior_marginals = options.posterior_mode = posterior;
    const ExactCost cost = estimate_exact_cost(network, data, options, 0.005);
    CHECK(cost.threads == 1);
    CHECK(cost.timed_configurations < cost.configurations);  // a slice, not the whole
    const double start = thread_cpu_seconds();
    exact_inference(network, data, options);
    const double seconds = thread_cpu_seconds() - start;
    INFO("estimate " << cost.seconds << " s, measured " << seconds << " s");
    CHECK(cost.seconds > seconds / 3);
    CHECK(cost.seconds < seconds * 3);
  }
}

TEST_CASE("data of the wrong width is refused") {
  Rng rng = make_rng(16);
  const Network network = testing::random_network(testing::layered_shape, rng);
  CHECK_THROWS_WITH_AS(exact_inference(network, xt::zeros<double>({1, 3})),
                       doctest::Contains("3 columns, but the network has 4 visible units"), Error);
}

namespace {

// log p(d) of every row of `data` by exact enumeration, along every path that computes it.
std::vector<Vector> every_path(const Network& network, const Matrix& data) {
  ExactOptions walk, posterior;
  walk.factorised = false;
  posterior.posterior_marginals = true;
  Network opaque = network;
  for (auto& c : opaque.generative.conditionals)
    if (c.distribution) c.distribution = std::make_unique<OpaqueDistribution>(std::move(c.distribution));
  return {exact_inference(network, data).log_likelihood, exact_inference(network, data, walk).log_likelihood,
          exact_inference(network, data, posterior).log_likelihood, exact_inference(opaque, data).log_likelihood};
}

}  // namespace

// In Gray-code order h[0] switches on, h[1] on, then h[0] off: odds 1.96 + 1e100 + 5e-324 -
// 1e100 come back as 0 by subtraction, and d[0] = 1 would look impossible under h = 01.
TEST_CASE("exact enumeration keeps the odds left when a cause of 1e100 switches off beside one of 5e-324 (odds-sum "
          "bias 1.96)") {
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 2}
  - {name: d, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.5, -0.5]}
  d: {distribution: odds-sum, parents: [h], bias: [1.96, 0], weights: {h: [[1e100, 5e-324], [1e12, 0]]}}
)", "odds.yaml");
  Matrix data = Matrix::from_shape({2, 2});
  data(0, 0) = 1, data(0, 1) = 0;  // nearly all on h[0] off (d[1] off has odds 1e12 against it under h[0] on)
  data(1, 0) = 1, data(1, 1) = 1;
  for (const Vector& log_p : every_path(network, data))
    for (std::size_t n = 0; n < 2; ++n) check_close(log_p(n), reference::log_likelihood(network, data, n));
}

// The same for noisy-or's log(1 - p), a sum of log1p(-W): a leak of 1e-300 beside a cause of
// 1 - 2^-53 (log1p = -36.7) leaves 0 after the cause switches off, and log(1 - e^0) = -inf.
TEST_CASE("exact enumeration keeps a noisy-or leak of 1e-300 after a cause of 1 - 2^-53 switches off beside one of "
          "5e-324") {
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 2}
  - {name: v, type: binary, size: 1, observed: true}
  - {name: w, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0, 0]}
  v: {distribution: noisy-or, parents: [h], bias: [1e-300], weights: {h: [[0.99999999999999989, 5e-324]]}}
  w: {distribution: noisy-or, parents: [h], bias: [0], weights: {h: [[1, 0]]}}
recognition:
  h: {distribution: sigmoid, parents: [v, w]}
)", "leak.yaml");
  Matrix data = Matrix::from_shape({1, 2});
  data(0, 0) = 1, data(0, 1) = 0;  // w off: h[0] is off; v on by the leak alone, about -691 nats
  const long double expected = reference::log_likelihood(network, data, 0);
  CHECK(std::abs(expected - (std::log(0.5L) + std::log(1e-300L))) < 1e-6);
  for (const Vector& log_p : every_path(network, data)) check_close(log_p(0), expected);
}

TEST_CASE("a pattern made impossible by its observed-only terms (an observed node under an observed parent) has no "
          "posterior: NaN marginals, like any pattern of probability 0") {
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 1}
  - {name: c, type: binary, size: 1, observed: true}
  - {name: v, type: binary, size: 1, observed: true}
  - {name: e, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.3]}
  c: {distribution: sigmoid, bias: [0]}
  v: {distribution: sigmoid, parents: [h], bias: [0], weights: {h: [[2]]}}
  e: {distribution: noisy-or, parents: [c], bias: [0], weights: {c: [[0.5]]}}
)", "echo.yaml");
  Matrix data = Matrix::from_shape({2, 3});
  data(0, 0) = 0, data(0, 1) = 1, data(0, 2) = 1;  // e on with c off and no leak: impossible
  data(1, 0) = 1, data(1, 1) = 1, data(1, 2) = 1;
  ExactOptions options;
  options.posterior_marginals = options.posterior_mode = true;
  const ExactResult result = exact_inference(network, data, options);
  CHECK(result.log_likelihood(0) == -numerics::infinity);
  CHECK(std::isnan(result.posterior_marginals(0, 0)));
  CHECK(result.mode_log_joint(0) == -numerics::infinity);
  CHECK(std::isfinite(result.log_likelihood(1)));
  CHECK(result.posterior_marginals(1, 0) >= 0.0);
  CHECK(result.posterior_marginals(1, 0) <= 1.0);
}

// The marginal is a part of the weights over their sum, accumulated in another order: with
// h[1] on for certain (bias 745) the quotient came out 1 + 2^-52.
TEST_CASE("the posterior marginal of a unit on for certain (sigmoid bias 745) is 1, never an ulp above") {
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 3}
  - {name: g, type: binary, size: 3}
  - {name: v, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [2, 745, -1]}
  g: {distribution: sigmoid, bias: [0, -2, 1]}
  v: {distribution: sigmoid, parents: [h]}
recognition:
  h: {distribution: sigmoid, parents: [v]}
  g: {distribution: sigmoid, parents: [v]}
)", "certain.yaml");
  const Matrix all = all_visible_patterns(network);
  ExactOptions options;
  options.posterior_marginals = true;
  const ExactResult result = exact_inference(network, all, options);
  for (std::size_t n = 0; n < all.shape(0); ++n) {
    CHECK(result.posterior_marginals(n, 1) >= 1.0 - 1e-15);
    for (std::size_t u = 0; u < 6; ++u) {
      CHECK(result.posterior_marginals(n, u) >= 0.0);
      CHECK(result.posterior_marginals(n, u) <= 1.0);
    }
  }
}

// A prior node's term follows the Gray-code walk by differences: with h[0] off (log P = -1e100)
// the terms of h[2] (-0.47 or -0.97) are absorbed, and when h[0] switches back on they were
// gone, leaving h[2] looking certain (log p(v = 1) came out as log sigmoid(1.2) = -0.263).
TEST_CASE("a prior unit leaving a state of log-probability -1e100 does not take its neighbours' terms with it "
          "(sigmoid biases 1e100 and -3e99 beside -0.5)") {
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 4}
  - {name: v, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [1e100, -3e99, -0.5, 7e98]}
  v: {distribution: sigmoid, parents: [h], bias: [0.2], weights: {h: [[0, 0, 1, 0]]}}
)", "absorbed.yaml");
  const Matrix all = all_visible_patterns(network);
  // h[2] on with probability sigmoid(-0.5), and v then on with sigmoid(1.2), else sigmoid(0.2).
  const long double on = 1 / (1 + std::exp(0.5L));
  const long double v_on = on / (1 + std::exp(-1.2L)) + (1 - on) / (1 + std::exp(-0.2L));
  CHECK(std::abs(reference::log_likelihood(network, all, 1) - std::log(v_on)) < 1e-15L);
  for (const Vector& log_p : every_path(network, all)) {
    check_close(log_p(0), std::log1p(-v_on));
    check_close(log_p(1), std::log(v_on));
  }
}
