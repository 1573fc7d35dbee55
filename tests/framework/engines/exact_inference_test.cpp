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
