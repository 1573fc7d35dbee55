// The linear-likelihood path of exact enumeration (log P(d | h) = offset(d) + slope(d) . h +
// residual(h, d), the linear part carried along the Gray-code walk) against the generic path
// (the same network with every plugin's optional capabilities hidden) and against a long-double
// brute force (tests/support/log_space_reference.hpp), to 1e-12 relative, on random networks
// mixing the three plugins with extreme parameters (sigmoid weights of +-20, noisy-or
// parameters of exactly 0 and 1), with one and two threads: log p(d), posterior marginals,
// posterior mode and the exact bound -F.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "framework/engines/exact_inference.hpp"
#include "framework/incremental_statistics.hpp"
#include "framework/linear_likelihood.hpp"
#include "framework/numerics.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/opaque_distribution.hpp"
#include "tests/support/log_space_reference.hpp"
#include "tests/support/random_networks.hpp"

using namespace helmholtz;

namespace {

constexpr double tolerance = 1e-12;

// |a - b| <= tolerance * max(1, |b|), with -inf equal only to -inf.
void check_close(double actual, long double expected) {
  if (std::isinf(expected)) {
    CHECK(actual == -numerics::infinity);
    return;
  }
  REQUIRE(std::isfinite(actual));
  CHECK(std::abs(actual - static_cast<double>(expected)) <= tolerance * std::max(1.0L, std::abs(expected)));
}

using testing::OpaqueDistribution;

Network opaque_copy(const Network& network) {
  Network opaque = network;
  for (auto* model : {&opaque.generative, &opaque.recognition})
    for (auto& c : model->conditionals)
      if (c.distribution) {
        c.distribution = std::make_unique<OpaqueDistribution>(std::move(c.distribution));
        REQUIRE(dynamic_cast<const LinearLikelihood*>(c.distribution.get()) == nullptr);
        REQUIRE(dynamic_cast<const IncrementalStatistics*>(c.distribution.get()) == nullptr);
      }
  return opaque;
}

// The observed node `data` has hidden parents only; its plugin is drawn until it is one with
// the capability, so that every network below takes the linear path for it.
Network network_with_linear_data(const char* shape, Rng& rng) {
  for (;;) {
    Network network = testing::random_network(shape, rng);
    for (std::size_t node = 0; node < network.nodes.size(); ++node)
      if (network.nodes[node].name == "data" &&
          dynamic_cast<const LinearLikelihood*>(network.generative.conditionals[node].distribution.get()))
        return network;
  }
}

// Another observed node (`echo`) on hidden parents: two linear nodes side by side, or one
// linear and one generic (odds-sum), depending on the draw.
const char* const two_likelihoods_shape = R"(
nodes:
  - {name: top,  type: binary, size: 3}
  - {name: mid,  type: binary, size: 4}
  - {name: data, type: binary, size: 4, observed: true}
  - {name: echo, type: binary, size: 2, observed: true}
generative:
  top:  {distribution: KIND}
  mid:  {distribution: KIND, parents: [top]}
  data: {distribution: KIND, parents: [mid, top]}
  echo: {distribution: KIND, parents: [top]}
)";

// 14 hidden units: two threads, and runs past the periodic recomputation (every 1024 flips).
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

Matrix random_patterns(const Network& network, std::size_t count, Rng& rng, double on = 0.5) {
  Matrix data = Matrix::from_shape({count, network.visible_units()});
  for (double& x : data) x = uniform01(rng) < on;
  return data;
}

// Every result of the fast path against the generic path and against brute force.
void check_against_generic_and_brute_force(const Network& network, const Matrix& data, unsigned threads) {
  ExactOptions options;
  options.threads = threads;
  options.posterior_marginals = options.posterior_mode = options.free_energy_bound = true;
  const ExactResult fast = exact_inference(network, data, options);
  const ExactResult generic = exact_inference(opaque_copy(network), data, options);
  const std::size_t h_units = network.hidden_units();
  for (std::size_t n = 0; n < data.shape(0); ++n) {
    const long double log_p = reference::log_likelihood(network, data, n);
    check_close(fast.log_likelihood(n), log_p);
    check_close(generic.log_likelihood(n), log_p);
    check_close(fast.free_energy_bound(n), reference::free_energy_bound(network, data, n));
    check_close(fast.free_energy_bound(n), generic.free_energy_bound(n));
    if (std::isinf(log_p)) {  // impossible pattern: the mode's joint is -inf on both paths
      CHECK(fast.mode_log_joint(n) == -numerics::infinity);
      CHECK(generic.mode_log_joint(n) == -numerics::infinity);
      continue;
    }
    std::vector<long double> marginal(h_units, 0);
    long double best = reference::minus_infinity;
    for (unsigned long long h = 0; h < (1ull << h_units); ++h) {
      const long double lj = reference::log_joint(network, h, data, n);
      best = std::max(best, lj);
      for (std::size_t u = 0; u < h_units; ++u)
        if ((h >> u) & 1u) marginal[u] += std::exp(lj - log_p);
    }
    for (std::size_t u = 0; u < h_units; ++u) {
      CHECK(std::abs(fast.posterior_marginals(n, u) - static_cast<double>(marginal[u])) <= tolerance);
      CHECK(std::abs(fast.posterior_marginals(n, u) - generic.posterior_marginals(n, u)) <= tolerance);
    }
    // The mode's joint is the largest, and it is the joint of the configuration reported.
    check_close(fast.mode_log_joint(n), best);
    check_close(generic.mode_log_joint(n), best);
    unsigned long long mode = 0;
    for (std::size_t u = 0; u < h_units; ++u) mode |= static_cast<unsigned long long>(fast.posterior_mode(n, u)) << u;
    check_close(fast.mode_log_joint(n), reference::log_joint(network, mode, data, n));
  }
}

}  // namespace

TEST_CASE("linear likelihood path: every visible pattern agrees with the generic path and brute force to 1e-12") {
  Rng rng = make_rng(31);
  for (const char* shape : {testing::layered_shape, testing::mixed_shape, two_likelihoods_shape})
    for (int trial = 0; trial < 10; ++trial) {
      const Network network = network_with_linear_data(shape, rng);
      const Matrix data = network.visible_units() <= 8 ? all_visible_patterns(network) : random_patterns(network, 40, rng);
      check_against_generic_and_brute_force(network, data, 1);
    }
}

TEST_CASE("linear likelihood path: sparse patterns (a vector add per unit on, not a product) agree to 1e-12") {
  // With few units on, the noisy-or residual of the units on is summed unit by unit; with
  // many (the test above), by a matrix product. Both against the same references.
  Rng rng = make_rng(33);
  for (const char* shape : {testing::layered_shape, two_likelihoods_shape})
    for (int trial = 0; trial < 10; ++trial) {
      const Network network = network_with_linear_data(shape, rng);
      check_against_generic_and_brute_force(network, random_patterns(network, 30, rng, 0.08), 1);
    }
}

TEST_CASE("linear likelihood path: one and two threads past the recomputation interval agree to 1e-12") {
  Rng rng = make_rng(32);
  for (int trial = 0; trial < 4; ++trial) {
    const Network network = network_with_linear_data(wide_shape, rng);
    const Matrix data = random_patterns(network, 4, rng);
    check_against_generic_and_brute_force(network, data, 1);
    check_against_generic_and_brute_force(network, data, 2);
  }
}

TEST_CASE("noisy-or certain causes make a pattern exactly impossible (-inf, never NaN) on the linear path") {
  // Unit 0 has a leak of 1 (always on); unit 1 fires for certain when h0 is on; unit 2 can
  // fire only through h1 (no leak). Pattern 0: unit 0 off, impossible. Pattern 1: unit 2 on
  // needs h1. Pattern 2: unit 1 off needs h0 off.
  Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 2}
  - {name: data, type: binary, size: 3, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.3, -0.2]}
  data: {distribution: noisy-or, parents: [h], bias: [1, 0.1, 0],
         weights: {h: [[0.5, 0.5], [1, 0], [0, 0.7]]}}
)", "certain.yaml");
  Matrix data = Matrix::from_shape({4, 3});
  const double rows[4][3] = {{0, 0, 0}, {1, 1, 1}, {1, 0, 1}, {1, 0, 0}};
  for (std::size_t n = 0; n < 4; ++n)
    for (std::size_t j = 0; j < 3; ++j) data(n, j) = rows[n][j];
  for (unsigned threads : {1u, 2u}) {
    ExactOptions options;
    options.threads = threads;
    options.posterior_marginals = options.posterior_mode = true;
    const ExactResult result = exact_inference(network, data, options);
    CHECK(result.log_likelihood(0) == -numerics::infinity);
    CHECK(result.mode_log_joint(0) == -numerics::infinity);
    for (std::size_t n = 1; n < 4; ++n) {
      check_close(result.log_likelihood(n), reference::log_likelihood(network, data, n));
      for (std::size_t u = 0; u < 2; ++u) CHECK(std::isfinite(result.posterior_marginals(n, u)));
    }
    CHECK(result.posterior_marginals(2, 0) == 0.0);  // unit 1 off rules out h0
    CHECK(result.posterior_marginals(2, 1) == 1.0);  // unit 2 on needs h1
  }
}
