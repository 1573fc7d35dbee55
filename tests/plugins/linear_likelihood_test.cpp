// The optional LinearLikelihood capability of the built-in plugins that have it (sigmoid,
// noisy-or): offset(s) + slope(s) . x + sum_j (s_j ? on_residual_j : off_residual_j), the
// residuals taken from the firing log-probabilities at x, equals log P(s | x) written out by
// hand in long double (tests/support/log_space_reference.hpp), to 1e-12 relative, with
// extreme parameters (sigmoid weights of +-20, noisy-or parameters of exactly 0 and 1);
// an impossible state gives exactly -inf.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "framework/linear_likelihood.hpp"
#include "framework/numerics.hpp"
#include "framework/registry.hpp"
#include "tests/support/log_space_reference.hpp"
#include "tests/support/random_networks.hpp"

using namespace helmholtz;

TEST_CASE("linear likelihood: offset + slope . x + residual is log P(s | x), exactly -inf where impossible") {
  Rng rng = make_rng(41);
  std::size_t impossible_seen = 0;
  for (const std::string kind : {"sigmoid", "noisy-or"}) {
    CAPTURE(kind);
    for (int trial = 0; trial < 30; ++trial) {
      auto d = builtin_registry().create(kind, NodeShape{"child", 5, {{"a", 3}, {"b", 4}}});
      testing::randomise(*d, rng);
      const auto* linear = dynamic_cast<const LinearLikelihood*>(d.get());
      REQUIRE(linear != nullptr);
      const std::size_t units = 5, k_count = 7;
      for (int draw = 0; draw < 20; ++draw) {
        Matrix parents = Matrix::from_shape({std::size_t{1}, k_count});
        std::vector<int> x(k_count), s(units);
        for (std::size_t k = 0; k < k_count; ++k) parents(0, k) = x[k] = uniform01(rng) < 0.5;
        std::vector<double> states(units);
        for (std::size_t j = 0; j < units; ++j) states[j] = s[j] = uniform01(rng) < 0.5;
        double offset = 0;
        std::vector<double> slope(k_count), on_residual(units), off_residual(units);
        linear->linear_terms(states.data(), offset, slope.data());
        Matrix log_on, log_off;
        d->log_firing_probabilities(parents, log_on, log_off);
        linear->residuals(log_on.data(), log_off.data(), on_residual.data(), off_residual.data());
        const bool by_state = linear->residual_depends_on_state();
        double total = offset;
        for (std::size_t k = 0; k < k_count; ++k) total += slope[k] * x[k];
        REQUIRE(std::isfinite(total));  // the linear part never carries an impossibility
        for (std::size_t j = 0; j < units; ++j) total += s[j] && by_state ? on_residual[j] : off_residual[j];
        long double expected = 0;
        for (std::size_t j = 0; j < units; ++j) expected += reference::unit_log_probability(*d, j, x, s[j]);
        if (std::isinf(expected)) {
          ++impossible_seen;
          CHECK(total == -numerics::infinity);
        } else {
          REQUIRE(std::isfinite(total));
          CHECK(std::abs(total - static_cast<double>(expected)) <= 1e-12 * std::max(1.0L, std::abs(expected)));
        }
      }
    }
  }
  CHECK(impossible_seen > 0);  // the extremes did produce impossible states
}
