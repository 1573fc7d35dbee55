// The factorised sum of exact enumeration (log p(d) by matrix products, factorised_sum.hpp)
// against the per-pattern walk and a long-double brute force, to 1e-12 relative, on random
// networks whose observed units are sigmoid and whose hidden units use any of the three
// plugins with extreme parameters; past one run of 2^10 configurations, past one product
// of 64 runs, with two threads and two blocks of patterns; and the underflow guard that
// hands a pattern to the per-pattern walk when scaling may have lost part of its sum.
#include <doctest/doctest.h>

#include <cmath>

#include "framework/engines/configuration_terms.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/factorised_sum.hpp"
#include "framework/numerics.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/extreme_networks.hpp"
#include "tests/support/log_space_reference.hpp"
#include "tests/support/random_networks.hpp"

using namespace helmholtz;

namespace {

constexpr double tolerance = 1e-12;

// |a - b| <= tolerance * max(1, |b|); an impossible pattern (-inf) only as -inf.
void check_close(double actual, double expected) {
  if (expected == -numerics::infinity) {
    CHECK(actual == -numerics::infinity);
    return;
  }
  REQUIRE(std::isfinite(actual));
  CHECK(std::abs(actual - expected) <= tolerance * std::max(1.0, std::abs(expected)));
}

Matrix random_patterns(const Network& network, std::size_t count, Rng& rng) {
  Matrix data = Matrix::from_shape({count, network.visible_units()});
  for (double& x : data) x = uniform01(rng) < 0.5;
  return data;
}

// A shape with its observed node `data` made sigmoid, so that the plan factorises.
std::string with_sigmoid_data(std::string shape) {
  const std::string from = "data:  {distribution: KIND";
  if (const auto at = shape.find(from); at != std::string::npos) shape.replace(at, from.size(), "data:  {distribution: sigmoid");
  return shape;
}

Vector log_likelihood(const Network& network, const Matrix& data, bool factorised, unsigned threads = 1) {
  ExactOptions options;
  options.factorised = factorised;
  options.threads = threads;
  return exact_inference(network, data, options).log_likelihood;
}

// An observed sigmoid root, an observed node of any kind under it (a constant term), two
// sigmoid likelihood nodes, hidden nodes of any kind.
const char* const roles_shape = R"(
nodes:
  - {name: cue,  type: binary, size: 2, observed: true}
  - {name: top,  type: binary, size: 3}
  - {name: mid,  type: binary, size: 4}
  - {name: data, type: binary, size: 4, observed: true}
  - {name: echo, type: binary, size: 2, observed: true}
  - {name: copy, type: binary, size: 2, observed: true}
generative:
  cue:  {distribution: sigmoid}
  top:  {distribution: KIND}
  mid:  {distribution: KIND, parents: [top]}
  data: {distribution: sigmoid, parents: [mid, top]}
  echo: {distribution: sigmoid, parents: [top]}
  copy: {distribution: KIND, parents: [cue]}
)";

// 13 hidden units: 8 runs of 2^10 configurations, high bits from two nodes.
const char* const runs_shape = R"(
nodes:
  - {name: top,  type: binary, size: 4}
  - {name: mid,  type: binary, size: 9}
  - {name: data, type: binary, size: 6, observed: true}
generative:
  top:  {distribution: KIND}
  mid:  {distribution: KIND, parents: [top]}
  data: {distribution: sigmoid, parents: [mid, top]}
)";

// 17 hidden units: 128 runs, two products of 64 runs, two threads.
const char* const products_shape = R"(
nodes:
  - {name: top,  type: binary, size: 5}
  - {name: mid,  type: binary, size: 12}
  - {name: data, type: binary, size: 5, observed: true}
generative:
  top:  {distribution: KIND}
  mid:  {distribution: KIND, parents: [top]}
  data: {distribution: sigmoid, parents: [mid]}
)";

}  // namespace

TEST_CASE("factorised sum: log p(d) agrees with the per-pattern walk and brute force to 1e-12") {
  Rng rng = make_rng(41);
  for (const char* shape : {testing::layered_shape, roles_shape, runs_shape})
    for (int trial = 0; trial < 8; ++trial) {
      CAPTURE(trial);
      const Network network = testing::random_network(with_sigmoid_data(shape), rng);
      REQUIRE(TermPlan(network, network.generative, UnitLayout(network)).factorises);
      const Matrix data = random_patterns(network, 12, rng);
      const Vector fast = log_likelihood(network, data, true), walk = log_likelihood(network, data, false);
      for (std::size_t n = 0; n < data.shape(0); ++n) {
        check_close(fast(n), static_cast<double>(reference::log_likelihood(network, data, n)));
        check_close(fast(n), walk(n));
      }
    }
}

TEST_CASE("factorised sum: several products, two threads and two blocks of patterns agree with the walk") {
  Rng rng = make_rng(42);
  for (int trial = 0; trial < 2; ++trial) {
    const Network network = testing::random_network(products_shape, rng);
    const Matrix data = random_patterns(network, 6, rng);
    const Vector walk = log_likelihood(network, data, false);
    for (unsigned threads : {1u, 2u}) {
      const Vector fast = log_likelihood(network, data, true, threads);
      for (std::size_t n = 0; n < data.shape(0); ++n) check_close(fast(n), walk(n));
    }
  }
  // More patterns than one block (2048), on a small network.
  const Network small = testing::random_network(with_sigmoid_data(testing::layered_shape), rng);
  const Matrix many = random_patterns(small, 2100, rng);
  const Vector fast = log_likelihood(small, many, true, 2), walk = log_likelihood(small, many, false, 2);
  for (std::size_t n = 0; n < many.shape(0); n += 7) check_close(fast(n), walk(n));
  check_close(fast(2099), walk(2099));
}

TEST_CASE("factorised sum: a pattern whose scaled sum underflows is reported, and exact_inference redoes it") {
  // testing::underflowing_factorised_sum: for d on, E and s peak at different low parts and
  // their products underflow below the scale the sum can keep.
  const Network network = testing::underflowing_factorised_sum();
  Matrix data = Matrix::from_shape({2, 1});
  data(0, 0) = 1.0;
  data(1, 0) = 0.0;
  const UnitLayout layout(network);
  const TermPlan plan(network, network.generative, layout);
  REQUIRE(plan.factorises);
  TermBlock block;
  block.prepare(plan, data);
  FactorisedBlock factors;
  factors.prepare(plan, block);
  FactorisedWalker walker(plan);
  FactorisedPartial partial;
  walker.run(block, factors, 0, 1024, partial);
  // d on: E peaks at h = all ones (exp(-850 + 900)), the prior at h = 0: every product of
  // the scaled factors is below 1e-250, so the sum is not trusted.
  CHECK(std::isnan(partial.log_sum(0, factors)));
  CHECK(std::isfinite(partial.log_sum(1, factors)));  // d off: both peak at h = 0
  const Vector fast = log_likelihood(network, data, true), walk = log_likelihood(network, data, false);
  for (std::size_t n = 0; n < 2; ++n) {
    check_close(fast(n), static_cast<double>(reference::log_likelihood(network, data, n)));
    check_close(fast(n), walk(n));
  }
}

TEST_CASE("exact results are the same to the last bit with 1, 2 and 3 threads, on either path") {
  // The configurations are cut into the same shares whatever the thread count, and the
  // shares' sums merge in one fixed order.
  Rng rng = make_rng(43);
  const Network network = testing::random_network(with_sigmoid_data(products_shape), rng);
  const Matrix data = random_patterns(network, 5, rng);
  for (const bool factorised : {true, false}) {
    CAPTURE(factorised);
    ExactOptions options;
    options.factorised = factorised;
    options.posterior_marginals = !factorised;
    options.threads = 1;
    const ExactResult one = exact_inference(network, data, options);
    for (unsigned threads : {2u, 3u}) {
      options.threads = threads;
      const ExactResult many = exact_inference(network, data, options);
      CHECK(many.log_likelihood == one.log_likelihood);
      if (!factorised) CHECK(many.posterior_marginals == one.posterior_marginals);
    }
  }
}
