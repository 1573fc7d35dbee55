// Tests of the sigmoid plugin (logistic belief-network unit):
//   a_j = b_j + sum_k W_jk s_k,   p_j = P(s_j = 1 | parents) = 1 / (1 + exp(-a_j)),
//   log P(s | parents) = sum_j [s_j log p_j + (1 - s_j) log(1 - p_j)],
// with every parameter real (finite). The references below are scalar loops in long double,
// written from these formulas and the documented parameter layout, not from the plugin.
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "tests/plugins/plugin_test_support.hpp"

namespace helmholtz {
namespace {

using namespace plugin_test;

const std::string kind = "sigmoid";

long double activation(const Vector& theta, const Matrix& parents, std::size_t n, std::size_t j) {
  long double a = theta(bias_index(j));
  for (std::size_t k = 0; k < parent_units; ++k) a += static_cast<long double>(theta(weight_index(j, k))) * parents(n, k);
  return a;
}

long double reference_p(const Vector& theta, const Matrix& parents, std::size_t n, std::size_t j) {
  return 1.0L / (1.0L + std::exp(-activation(theta, parents, n, j)));
}

// log(p) and log(1 - p) written as -log(1 + exp(-+a)), which long double evaluates without
// overflow for |a| up to 11000, so the reference also holds for saturated units.
long double reference_log_p(const Vector& theta, const Matrix& parents, const Matrix& states, std::size_t n) {
  long double sum = 0;
  for (std::size_t j = 0; j < units; ++j) {
    const long double a = activation(theta, parents, n, j);
    sum += states(n, j) != 0.0 ? -std::log1p(std::exp(-a)) : -std::log1p(std::exp(a));
  }
  return sum;
}

// d/db_j = sum_n (s_nj - p_nj),  d/dW_jk = sum_n (s_nj - p_nj) x_nk  (the delta rule).
Vector reference_gradient(const Vector& theta, const Matrix& parents, const Matrix& states) {
  Vector g = filled(parameter_count, 0.0);
  for (std::size_t n = 0; n < parents.shape(0); ++n)
    for (std::size_t j = 0; j < units; ++j) {
      const double delta = static_cast<double>(states(n, j) - reference_p(theta, parents, n, j));
      g(bias_index(j)) += delta;
      for (std::size_t k = 0; k < parent_units; ++k) g(weight_index(j, k)) += delta * parents(n, k);
    }
  return g;
}

TEST_CASE("sigmoid: probabilities are 1 / (1 + exp(-(b_j + sum_k W_jk s_k))), batched and one pattern at a time") {
  Rng rng = make_rng(11);
  for (int trial = 0; trial < 5; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, -2.0, 2.0));
    check_probabilities(*plugin, random_bits(rng, 9, parent_units), reference_p, 1e-14);
  }
}

TEST_CASE("sigmoid: log_probability of each pattern is sum_j log p_j (on) or log(1 - p_j) (off)") {
  Rng rng = make_rng(12);
  for (int trial = 0; trial < 5; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, -2.0, 2.0));
    const Matrix parents = random_bits(rng, 10, parent_units);
    const Matrix states = random_bits(rng, 10, units, false);
    const Vector log_p = log_probabilities_of(*plugin, parents, states);
    REQUIRE(log_p.size() == 10);
    for (std::size_t n = 0; n < 10; ++n) {
      long double expected = 0;  // literally log(p) or log(1 - p)
      for (std::size_t j = 0; j < units; ++j) {
        const long double p = reference_p(plugin->parameters(), parents, n, j);
        expected += states(n, j) != 0.0 ? std::log(p) : std::log(1.0L - p);
      }
      INFO("pattern ", n);
      CHECK(log_p(n) == doctest::Approx(static_cast<double>(expected)).epsilon(1e-13));
    }
  }
}

TEST_CASE("sigmoid: log_firing_probabilities give log p_j and log(1 - p_j)") {
  Rng rng = make_rng(13);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(uniform_vector(rng, parameter_count, -2.0, 2.0));
  const Matrix parents = random_bits(rng, 6, parent_units);
  Matrix log_on, log_off;
  plugin->log_firing_probabilities(parents, log_on, log_off);
  REQUIRE(log_on.shape(0) == 6);
  REQUIRE(log_off.shape(0) == 6);
  for (std::size_t n = 0; n < 6; ++n)
    for (std::size_t j = 0; j < units; ++j) {
      const long double p = reference_p(plugin->parameters(), parents, n, j);
      CHECK(log_on(n, j) == doctest::Approx(static_cast<double>(std::log(p))).epsilon(1e-13));
      CHECK(log_off(n, j) == doctest::Approx(static_cast<double>(std::log(1.0L - p))).epsilon(1e-13));
    }
}

TEST_CASE("sigmoid: accumulate_gradient equals central differences of sum_n log P(s_n | x_n) for every parameter") {
  Rng rng = make_rng(14);
  for (int trial = 0; trial < 4; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, -2.0, 2.0));
    const Matrix parents = random_bits(rng, 8, parent_units);
    const Matrix states = random_bits(rng, 8, units, false);
    const Vector analytic = gradient_of(*plugin, parents, states);
    check_close(*plugin, analytic, central_differences(*plugin, parents, states, 1e-5), 1e-6);
    // and the delta rule written out
    check_close(*plugin, analytic, reference_gradient(plugin->parameters(), parents, states), 1e-12);
  }
}

TEST_CASE("sigmoid: accumulate_gradient adds scale * gradient to what the vector holds") {
  Rng rng = make_rng(15);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(uniform_vector(rng, parameter_count, -2.0, 2.0));
  check_gradient_scales_and_accumulates(*plugin, random_bits(rng, 7, parent_units), random_bits(rng, 7, units, false),
                                        rng);
}

TEST_CASE("sigmoid: saturated weights +-30 and +-1000 give p in [0, 1], finite log P = -log(1 + exp(-+a)), "
          "gradient sum_n (s - p) x, never NaN") {
  Rng rng = make_rng(16);
  for (double magnitude : {30.0, 1000.0}) {
    for (int trial = 0; trial < 3; ++trial) {
      INFO("|parameters| = ", magnitude, ", trial ", trial);
      auto plugin = make_plugin(kind);
      Vector theta = Vector::from_shape({parameter_count});
      for (double& x : theta) x = uniform01(rng) < 0.5 ? -magnitude : magnitude;
      plugin->set_parameters(theta);
      CHECK(validation_message(*plugin) == "");
      const Matrix parents = random_bits(rng, 12, parent_units);
      const Matrix states = random_bits(rng, 12, units, false);

      const Matrix p = probabilities_of(*plugin, parents);
      for (std::size_t n = 0; n < 12; ++n)
        for (std::size_t j = 0; j < units; ++j) {
          INFO("pattern ", n, ", unit ", j);
          REQUIRE(p(n, j) >= 0.0);
          REQUIRE(p(n, j) <= 1.0);
          const double expected = static_cast<double>(reference_p(theta, parents, n, j));
          CHECK(std::abs(p(n, j) - expected) <= 1e-15 * std::max(1e-300, expected) + 1e-300);
        }

      // A sigmoid unit is never certain, so every log-probability is finite (about -|a| when
      // the state is the unlikely one), and exactly 0 where exp(-|a|) is below half an ulp of 1.
      const Vector log_p = log_probabilities_of(*plugin, parents, states);
      for (std::size_t n = 0; n < 12; ++n) {
        INFO("pattern ", n);
        REQUIRE(std::isfinite(log_p(n)));
        CHECK(log_p(n) <= 0.0);
        const double expected = static_cast<double>(reference_log_p(theta, parents, states, n));
        CHECK(log_p(n) == doctest::Approx(expected).epsilon(1e-14));
      }

      const Vector g = gradient_of(*plugin, parents, states);
      for (double x : g) REQUIRE(std::isfinite(x));
      check_close(*plugin, g, reference_gradient(theta, parents, states), 1e-12);
    }
  }
}

TEST_CASE("sigmoid: the all-on pattern at a = +-6000 gives p exactly 1 or 0 and log P exactly 0 for the likely state") {
  auto plugin = make_plugin(kind);
  Vector theta = filled(parameter_count, 1000.0);
  for (std::size_t k = 0; k < parent_units; ++k) theta(weight_index(1, k)) = -1000.0;
  theta(bias_index(1)) = -1000.0;
  plugin->set_parameters(theta);  // a_0 = a_2 = +6000, a_1 = -6000 when every parent is on
  Matrix parents = Matrix::from_shape({1, parent_units});
  parents.fill(1.0);
  const Matrix p = probabilities_of(*plugin, parents);
  CHECK(p(0, 0) == 1.0);
  CHECK(p(0, 1) == 0.0);
  CHECK(p(0, 2) == 1.0);
  Matrix likely = Matrix::from_shape({1, units}), unlikely = Matrix::from_shape({1, units});
  likely(0, 0) = 1, likely(0, 1) = 0, likely(0, 2) = 1;
  unlikely(0, 0) = 0, unlikely(0, 1) = 1, unlikely(0, 2) = 0;
  CHECK(log_probabilities_of(*plugin, parents, likely)(0) == 0.0);
  CHECK(log_probabilities_of(*plugin, parents, unlikely)(0) == -18000.0);  // -6000 per unit
  // d/da log P = s - p: 0 for the likely states, +-1 for the unlikely ones.
  const Vector g_likely = gradient_of(*plugin, parents, likely);
  const Vector g_unlikely = gradient_of(*plugin, parents, unlikely);
  for (std::size_t j = 0; j < units; ++j) {
    CHECK(g_likely(bias_index(j)) == 0.0);
    CHECK(g_unlikely(bias_index(j)) == (j == 1 ? 1.0 : -1.0));
  }
}

TEST_CASE("sigmoid: validate rejects non-finite parameters, naming the first one, and accepts any finite value") {
  auto plugin = make_plugin(kind);
  Vector theta = filled(parameter_count, -1e300);
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "");

  theta(weight_index(2, 2)) = inf;
  plugin->set_parameters(theta);
  try {
    plugin->validate(model_place(kind));
    FAIL("validate accepted weights[mid][2][0] = inf");
  } catch (const InputError& e) {
    CHECK(e.message() == "weights[mid][2][0] is inf, but must be finite");
    CHECK(std::string(e.what()) ==
          "models/x.yaml, line 14, column 9: generative.data (sigmoid): weights[mid][2][0] is inf, but must be finite");
    CHECK(e.where().line == 14);
    CHECK(e.where().column == 9);
  }

  theta(bias_index(1)) = nan;  // earlier in the layout, so named first
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "bias[1] is nan, but must be finite");

  theta = filled(parameter_count, 0.0);
  theta(weight_index(0, 1)) = -inf;
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "weights[top][0][1] is -inf, but must be finite");
}

TEST_CASE("sigmoid: projection into the learning ranges leaves finite values unchanged and sends NaN to 0") {
  Rng rng = make_rng(17);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, -50.0, 50.0);
  theta(4) = nan;
  plugin->set_parameters(theta);
  plugin->project_into_learning_ranges();
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i));
    CHECK(plugin->parameters()(i) == (i == 4 ? 0.0 : theta(i)));
  }
  CHECK(validation_message(*plugin) == "");
}

// The range of a sigmoid parameter is "finite", so the nearest value in range to +-inf is
// +-DBL_MAX (or any finite value): after project_into_learning_ranges(), validate() must accept.
TEST_CASE("sigmoid: projection into the learning ranges brings +-inf into the finite range, so validate() accepts afterwards") {
  auto plugin = make_plugin(kind);
  Vector theta = filled(parameter_count, 0.25);
  theta(bias_index(0)) = inf;
  theta(weight_index(1, 3)) = -inf;
  plugin->set_parameters(theta);
  plugin->project_into_learning_ranges();
  CHECK(std::isfinite(plugin->parameters()(bias_index(0))));
  CHECK(std::isfinite(plugin->parameters()(weight_index(1, 3))));
  CHECK(validation_message(*plugin) == "");
}

TEST_CASE("sigmoid: a step in natural coordinates sets theta + rate * direction, and probabilities follow the new theta") {
  Rng rng = make_rng(18);
  auto plugin = make_plugin(kind);
  const Vector theta = uniform_vector(rng, parameter_count, -1.0, 1.0);
  const Vector direction = uniform_vector(rng, parameter_count, -10.0, 10.0);
  plugin->set_parameters(theta);
  natural_step(*plugin, direction, 0.125);
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i));
    CHECK(plugin->parameters()(i) == doctest::Approx(theta(i) + 0.125 * direction(i)).epsilon(1e-15));
  }
  const Matrix parents = random_bits(rng, 5, parent_units);
  const Matrix p = probabilities_of(*plugin, parents);
  for (std::size_t n = 0; n < 5; ++n)
    for (std::size_t j = 0; j < units; ++j)
      CHECK(p(n, j) == doctest::Approx(static_cast<double>(reference_p(plugin->parameters(), parents, n, j)))
                           .epsilon(1e-14));
  CHECK_THROWS_AS(natural_step(*plugin, filled(parameter_count - 1, 0.0), 1.0), Error);
}

TEST_CASE("sigmoid: write() then read() gives back every parameter bit for bit") {
  Rng rng = make_rng(19);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, -3.0, 3.0);
  theta(0) = 0.1 + 0.2;  // needs 17 significant digits
  theta(1) = -1000.0;
  theta(2) = 1.0 / 3.0;
  theta(3) = 1e-300;
  theta(4) = -4.9e-324;  // the smallest subnormal
  theta(5) = 1.7976931348623157e308;
  theta(6) = 0.0;
  plugin->set_parameters(theta);
  check_round_trip_is_exact(*plugin);
}

TEST_CASE("sigmoid: initialise() with the same seed gives the same parameters, all finite") {
  check_initialise(kind);
}

}  // namespace
}  // namespace helmholtz
