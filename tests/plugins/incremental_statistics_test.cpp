// The optional IncrementalStatistics capability of every built-in plugin: after any walk of
// single parent flips, the firing log-probabilities from the statistics equal those the
// plugin computes from the parents directly, with exact zeros kept exact (-inf stays -inf,
// however many additions and subtractions came before).
#include <doctest/doctest.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "framework/incremental_statistics.hpp"
#include "framework/registry.hpp"
#include "tests/support/random_networks.hpp"

using namespace helmholtz;

namespace {

void check_walk(Distribution& d, Rng& rng, std::size_t flips) {
  const auto* incremental = dynamic_cast<const IncrementalStatistics*>(&d);
  REQUIRE(incremental != nullptr);
  const std::size_t units = d.shape().units, parents = d.shape().parent_units();
  std::vector<double> stats(units * incremental->statistics_per_unit());
  incremental->statistics_with_parents_off(stats.data());
  Matrix row = xt::zeros<double>({std::size_t{1}, parents});
  Matrix direct_on, direct_off;
  std::vector<double> on(units), off(units);
  boost::random::uniform_int_distribution<std::size_t> pick(0, parents - 1);
  for (std::size_t step = 0; step < flips; ++step) {
    const std::size_t k = pick(rng);
    row(0, k) = 1.0 - row(0, k);
    incremental->switch_parent(stats.data(), k, row(0, k) != 0.0);
    incremental->log_firing_from_statistics(stats.data(), on.data(), off.data());
    d.log_firing_probabilities(row, direct_on, direct_off);
    for (std::size_t j = 0; j < units; ++j) {
      for (auto [mine, theirs] : {std::pair{on[j], direct_on(0, j)}, std::pair{off[j], direct_off(0, j)}}) {
        if (std::isinf(theirs) || std::isinf(mine)) {
          REQUIRE(mine == theirs);
        } else {
          REQUIRE(std::abs(mine - theirs) <= 1e-9 * std::max(1.0, std::abs(theirs)));
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("incremental statistics follow any walk of parent flips, exactly at 0 and 1") {
  Rng rng = make_rng(31);
  for (const auto& kind : testing::builtin_kinds) {
    CAPTURE(kind);
    for (int trial = 0; trial < 20; ++trial) {
      auto d = builtin_registry().create(kind, NodeShape{"child", 5, {{"a", 3}, {"b", 4}}});
      testing::randomise(*d, rng);
      check_walk(*d, rng, 2000);
    }
  }
}

TEST_CASE("a unit that cannot fire (no leak, only its parents' small weights) returns exactly to -inf") {
  // Sums like ((0 + 0.1) + 0.2) - 0.1 - 0.2 are not exactly 0 in floating point; the
  // statistics must count the active causes so that the unit's state is exact again.
  Rng rng = make_rng(32);
  for (const std::string kind : {"odds-sum", "noisy-or"}) {
    CAPTURE(kind);
    auto d = builtin_registry().create(kind, NodeShape{"child", 1, {{"a", 3}}});
    Vector theta = {0.0, 0.1, 0.2, 0.7};  // bias 0, then the three weights
    d->set_parameters(theta);
    check_walk(*d, rng, 5000);
  }
}

// A sum of terms of one sign loses the small ones when a large one switches off: odds of
// 1.96 + 1e100 - 1e100 come back as 0, and a unit that can fire would look as if it
// could not. Exact enumeration recomputes such a node from its parents instead; the plugin
// says when (a unit's non-zero terms spanning more than 2^16).
TEST_CASE("switching_off_keeps_digits: false where a unit's terms span more than 2^16 (odds 1e100 beside 1.96, a "
          "leak of 1e-300 beside a cause of 1 - 2^-53), true for ordinary parameters and exact 0s and 1s") {
  struct Case {
    std::string kind;
    Vector theta;  // bias, then the three weights
    bool keeps_digits;
  };
  const std::vector<Case> cases = {
      {"odds-sum", {1.96, 1e100, 5e-324, 0.3}, false},
      {"odds-sum", {0.0, 1e-300, 0.5, 0.0}, false},
      {"odds-sum", {1.96, 0.0, 0.001, 2.0}, true},  // 0 is no term; 2 / 0.001 < 2^16
      {"odds-sum", {0.0, 0.0, 0.0, 0.0}, true},
      {"noisy-or", {1e-300, 1.0 - 0x1.0p-53, 0.5, 0.0}, false},
      {"noisy-or", {0.05, 1.0, 0.0, 0.5}, true},  // 1 is counted apart, 0 is no term
      {"noisy-or", {0.01, 0.9, 0.5, 0.2}, true},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    CAPTURE(i);
    CAPTURE(c.kind);
    auto d = builtin_registry().create(c.kind, NodeShape{"child", 1, {{"a", 3}}});
    d->set_parameters(c.theta);
    const auto* incremental = dynamic_cast<const IncrementalStatistics*>(d.get());
    REQUIRE(incremental != nullptr);
    CHECK(incremental->switching_off_keeps_digits() == c.keeps_digits);
  }
  auto sigmoid = builtin_registry().create("sigmoid", NodeShape{"child", 1, {{"a", 3}}});
  sigmoid->set_parameters(Vector{1.96, 1e100, 5e-324, 0.3});  // absolute errors in a: harmless
  CHECK(dynamic_cast<const IncrementalStatistics*>(sigmoid.get())->switching_off_keeps_digits());
}
