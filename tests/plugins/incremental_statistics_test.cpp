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
// 1.96 + 1e100 - 1e100 come back as 0, and a unit that can fire would look as if it could
// not. switch_parent_keeping_digits says so, and statistics recomputed from the parents that
// are on (by additions) are right again.
TEST_CASE("switch_parent_keeping_digits reports a switch that cancelled most of a unit's sum (odds 1.96 + 1e100 - "
          "1e100, a noisy-or leak of 1e-300 after a cause of 1 - 2^-53), and none in ordinary walks") {
  struct Case {
    std::string kind;
    Vector theta;  // bias, then the weights from parent units 0, 1, 2
  };
  const std::vector<Case> cases = {
      {"odds-sum", {1.96, 1e100, 5e-324, 0.3}},
      {"noisy-or", {1e-300, 1.0 - 0x1.0p-53, 5e-324, 0.5}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.kind);
    auto d = builtin_registry().create(c.kind, NodeShape{"child", 1, {{"a", 3}}});
    d->set_parameters(c.theta);
    const auto* incremental = dynamic_cast<const IncrementalStatistics*>(d.get());
    REQUIRE(incremental != nullptr);
    std::vector<double> stats(incremental->statistics_per_unit()), fresh(stats.size());
    incremental->statistics_with_parents_off(stats.data());
    CHECK(incremental->switch_parent_keeping_digits(stats.data(), 0, true));  // additions keep them
    CHECK(incremental->switch_parent_keeping_digits(stats.data(), 1, true));
    CHECK(!incremental->switch_parent_keeping_digits(stats.data(), 0, false));  // the large term leaves
    // Recomputed with parent 1 on only, the unit fires as the plugin says it does from there.
    incremental->statistics_with_parents_off(fresh.data());
    incremental->switch_parent(fresh.data(), 1, true);
    double on = 0, off = 0;
    incremental->log_firing_from_statistics(fresh.data(), &on, &off);
    Matrix row = xt::zeros<double>({std::size_t{1}, std::size_t{3}});
    row(0, 1) = 1.0;
    Matrix direct_on, direct_off;
    d->log_firing_probabilities(row, direct_on, direct_off);
    CHECK(std::isfinite(on));
    CHECK(on == doctest::Approx(direct_on(0, 0)).epsilon(1e-12));
  }
  // Ordinary parameters: no walk ever cancels 16 bits (those of the tests above).
  Rng rng = make_rng(33);
  for (const std::string kind : {"odds-sum", "noisy-or"}) {
    auto d = builtin_registry().create(kind, NodeShape{"child", 5, {{"a", 3}, {"b", 4}}});
    testing::randomise(*d, rng, false);
    const auto* incremental = dynamic_cast<const IncrementalStatistics*>(d.get());
    std::vector<double> stats(5 * incremental->statistics_per_unit());
    incremental->statistics_with_parents_off(stats.data());
    std::vector<bool> on(7, false);
    for (int step = 0; step < 2000; ++step) {
      const std::size_t k = static_cast<std::size_t>(step * 5 % 7);
      on[k] = !on[k];
      CHECK(incremental->switch_parent_keeping_digits(stats.data(), k, on[k]));
    }
  }
}
