// Tests of the noisy-or plugin: each active parent unit k turns unit j on with probability
// W_jk, and a leak does so with probability b_j, independently:
//   P(s_j = 0 | x) = (1 - b_j) prod_k (1 - W_jk x_k),   p_j = 1 - P(s_j = 0 | x),
//   log P(s | x) = sum_j [s_j log p_j + (1 - s_j) log(1 - p_j)],   b_j, W_jk in [0, 1].
// The references below are scalar loops in long double written from these formulas and the
// documented parameter layout [b | W row-major], not from the plugin.
#include <algorithm>
#include <cmath>
#include <string>

#include <doctest/doctest.h>

#include "tests/plugins/plugin_test_support.hpp"

namespace helmholtz {
namespace {

using namespace plugin_test;

const std::string kind = "noisy-or";

// (1 - b_j) prod_k (1 - W_jk x_k)
long double reference_off(const Vector& theta, const Matrix& parents, std::size_t n, std::size_t j) {
  long double off = 1.0L - theta(bias_index(j));
  for (std::size_t k = 0; k < parent_units; ++k) off *= 1.0L - theta(weight_index(j, k)) * parents(n, k);
  return off;
}

long double reference_p(const Vector& theta, const Matrix& parents, std::size_t n, std::size_t j) {
  return 1.0L - reference_off(theta, parents, n, j);
}

long double reference_log_p(const Vector& theta, const Matrix& parents, const Matrix& states, std::size_t n) {
  long double sum = 0;
  for (std::size_t j = 0; j < units; ++j) {
    const long double off = reference_off(theta, parents, n, j);
    sum += states(n, j) != 0.0 ? std::log(1.0L - off) : std::log(off);
  }
  return sum;
}

void check_probabilities_match_reference(const Distribution& plugin, const Matrix& parents, double epsilon) {
  check_probabilities(plugin, parents, reference_p, epsilon);
}

bool all_finite(const Vector& v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

TEST_CASE("noisy-or: probabilities are 1 - (1 - b_j) prod_k (1 - W_jk x_k), batched and one pattern at a time") {
  Rng rng = make_rng(21);
  for (int trial = 0; trial < 5; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, 0.0, 1.0));
    check_probabilities(*plugin, random_bits(rng, 9, parent_units), reference_p, 1e-13);
  }
}

TEST_CASE("noisy-or: log_probability of each pattern is sum_j log p_j (on) or log(1 - p_j) (off)") {
  Rng rng = make_rng(22);
  for (int trial = 0; trial < 5; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, 0.02, 0.98));
    check_log_probabilities(*plugin, random_bits(rng, 10, parent_units), random_bits(rng, 10, units, false),
                            reference_log_p, 1e-13);
  }
}

TEST_CASE("noisy-or: log_firing_probabilities give log p_j and log((1 - b_j) prod_k (1 - W_jk x_k))") {
  Rng rng = make_rng(23);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(uniform_vector(rng, parameter_count, 0.02, 0.98));
  const Matrix parents = random_bits(rng, 6, parent_units);
  Matrix log_on, log_off;
  plugin->log_firing_probabilities(parents, log_on, log_off);
  REQUIRE(log_on.shape(0) == 6);
  REQUIRE(log_off.shape(0) == 6);
  for (std::size_t n = 0; n < 6; ++n)
    for (std::size_t j = 0; j < units; ++j) {
      const long double off = reference_off(plugin->parameters(), parents, n, j);
      CHECK(log_on(n, j) == doctest::Approx(static_cast<double>(std::log(1.0L - off))).epsilon(1e-13));
      CHECK(log_off(n, j) == doctest::Approx(static_cast<double>(std::log(off))).epsilon(1e-13));
    }
}

TEST_CASE("noisy-or: accumulate_gradient equals central differences of sum_n log P(s_n | x_n) for every parameter "
          "strictly inside (0, 1)") {
  Rng rng = make_rng(24);
  for (int trial = 0; trial < 4; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, 0.05, 0.95));
    const Matrix parents = random_bits(rng, 8, parent_units);
    const Matrix states = random_bits(rng, 8, units, false);
    check_close(*plugin, gradient_of(*plugin, parents, states), central_differences(*plugin, parents, states, 1e-6),
                1e-6);
  }
}

TEST_CASE("noisy-or: accumulate_gradient adds scale * gradient to what the vector holds") {
  Rng rng = make_rng(25);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(uniform_vector(rng, parameter_count, 0.05, 0.95));
  check_gradient_scales_and_accumulates(*plugin, random_bits(rng, 7, parent_units), random_bits(rng, 7, units, false),
                                        rng);
}

// At W_jk = 1 with parent k on and unit j on, log p_j = log(1 - (1 - W_jk) R) where R is the
// product of the other factors, so d log p_j / dW_jk = R at W_jk = 1 (the only side that
// exists is from below). With two certain causes on, p_j = 1 whatever W_jk: derivative 0.
// The other parameters keep their ordinary central differences.
TEST_CASE("noisy-or: derivative at a parameter exactly 1 is the product of the other factors, "
          "matching a one-sided difference from below") {
  const double h = std::ldexp(1.0, -20);  // x - h and x - 2h are exact at x = 1
  Rng rng = make_rng(26);
  struct Certain {
    const char* what;
    std::vector<std::size_t> ones;  // parameters set to exactly 1
    std::size_t unit;               // the unit they belong to, kept on where they are active
  };
  const std::vector<Certain> cases = {
      {"weights[mid][1][1] = 1", {weight_index(1, 3)}, 1},
      {"bias[0] = 1", {bias_index(0)}, 0},
      {"weights[top][2][0] = weights[mid][2][2] = 1 (two certain causes)", {weight_index(2, 0), weight_index(2, 4)}, 2},
      {"bias[2] = weights[top][2][1] = 1", {bias_index(2), weight_index(2, 1)}, 2},
  };
  for (const auto& c : cases) {
    for (int trial = 0; trial < 3; ++trial) {
      INFO(c.what, ", trial ", trial);
      auto plugin = make_plugin(kind);
      Vector theta = uniform_vector(rng, parameter_count, 0.05, 0.95);
      for (std::size_t i : c.ones) theta(i) = 1.0;
      plugin->set_parameters(theta);
      REQUIRE(validation_message(*plugin) == "");
      const Matrix parents = random_bits(rng, 10, parent_units);
      Matrix states = random_bits(rng, 10, units, false);
      for (std::size_t n = 0; n < 10; ++n) states(n, c.unit) = 1.0;  // the unit on: every pattern possible

      const Vector analytic = gradient_of(*plugin, parents, states);
      REQUIRE(all_finite(analytic));
      Vector numeric = central_differences(*plugin, parents, states, 1e-6);
      for (std::size_t i : c.ones) numeric(i) = one_sided_difference_from_below(*plugin, i, h, parents, states);
      check_close(*plugin, analytic, numeric, 1e-6);

      // The same derivative written out: sum over patterns where this is the only active
      // certain cause of the product of the other factors.
      for (std::size_t i : c.ones) {
        long double expected = 0;
        for (std::size_t n = 0; n < 10; ++n) {
          const bool active = i < units || parents(n, i - units - c.unit * parent_units) != 0.0;
          std::size_t other_active = 0;
          for (std::size_t other : c.ones)
            if (other != i && (other < units || parents(n, other - units - c.unit * parent_units) != 0.0))
              ++other_active;
          if (!active || other_active > 0) continue;
          Vector without = theta;
          without(i) = 0.0;
          expected += reference_off(without, parents, n, c.unit);
        }
        INFO(plugin->parameter_name(i));
        CHECK(analytic(i) == doctest::Approx(static_cast<double>(expected)).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("noisy-or: at parameters exactly 0 with every unit off, the gradient is d/dtheta log(1 - theta) = -1 per "
          "active cause, matching a one-sided difference from above") {
  Rng rng = make_rng(27);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(filled(parameter_count, 0.0));
  const Matrix parents = random_bits(rng, 9, parent_units);
  Matrix states = Matrix::from_shape({9, units});
  states.fill(0.0);
  const Vector analytic = gradient_of(*plugin, parents, states);
  const double h = std::ldexp(1.0, -20);
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i));
    double active = 0;  // patterns in which this parameter's cause is active
    for (std::size_t n = 0; n < 9; ++n) active += i < units ? 1.0 : parents(n, (i - units) % parent_units);
    CHECK(analytic(i) == -active);
    CHECK(analytic(i) == doctest::Approx(one_sided_difference_from_above(*plugin, i, h, parents, states)).epsilon(1e-6));
  }
}

TEST_CASE("noisy-or: all parameters exactly 0 give p = 0 exactly, log P = 0 exactly with every unit off and -inf "
          "with any on, gradients finite") {
  Rng rng = make_rng(28);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(filled(parameter_count, 0.0));
  CHECK(validation_message(*plugin) == "");
  const Matrix parents = random_bits(rng, 8, parent_units);
  const Matrix p = probabilities_of(*plugin, parents);
  for (double x : p) CHECK(x == 0.0);
  const Matrix states = random_bits(rng, 8, units);  // row 0 all off, row 1 all on
  const Vector log_p = log_probabilities_of(*plugin, parents, states);
  for (std::size_t n = 0; n < 8; ++n) {
    INFO("pattern ", n);
    bool any_on = false;
    for (std::size_t j = 0; j < units; ++j) any_on = any_on || states(n, j) != 0.0;
    if (any_on)
      CHECK(log_p(n) == -inf);
    else
      CHECK(log_p(n) == 0.0);
  }
  // An impossible pattern (unit on with p = 0) still gives a finite gradient that raises the leak.
  const Vector g = gradient_of(*plugin, parents, states);
  CHECK(all_finite(g));
  for (std::size_t j = 0; j < units; ++j) CHECK(g(bias_index(j)) > 0.0);
}

TEST_CASE("noisy-or: a bias exactly 1 gives p = 1 exactly, log P = 0 exactly with every unit on and -inf with any "
          "off, gradients finite") {
  Rng rng = make_rng(29);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, 0.0, 1.0);
  for (std::size_t j = 0; j < units; ++j) theta(bias_index(j)) = 1.0;
  plugin->set_parameters(theta);
  const Matrix parents = random_bits(rng, 8, parent_units);
  const Matrix p = probabilities_of(*plugin, parents);
  for (double x : p) CHECK(x == 1.0);
  const Matrix states = random_bits(rng, 8, units);  // row 0 all off, row 1 all on
  const Vector log_p = log_probabilities_of(*plugin, parents, states);
  for (std::size_t n = 0; n < 8; ++n) {
    INFO("pattern ", n);
    bool any_off = false;
    for (std::size_t j = 0; j < units; ++j) any_off = any_off || states(n, j) == 0.0;
    if (any_off)
      CHECK(log_p(n) == -inf);
    else
      CHECK(log_p(n) == 0.0);
  }
  const Vector g = gradient_of(*plugin, parents, states);
  CHECK(all_finite(g));
  // Impossible patterns (unit off with b_j = 1) push the bias down.
  for (std::size_t j = 0; j < units; ++j) CHECK(g(bias_index(j)) < 0.0);
}

TEST_CASE("noisy-or: a weight exactly 1 makes p = 1 exactly when its parent is on and leaves the formula when off, "
          "a weight exactly 0 changes nothing") {
  Rng rng = make_rng(30);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, 0.05, 0.95);
  theta(weight_index(0, 2)) = 1.0;  // weights[mid][0][0]
  theta(weight_index(1, 0)) = 0.0;  // weights[top][1][0]
  theta(weight_index(1, 4)) = 0.0;  // weights[mid][1][2]
  plugin->set_parameters(theta);
  const Matrix parents = random_bits(rng, 12, parent_units);
  const Matrix p = probabilities_of(*plugin, parents);
  for (std::size_t n = 0; n < 12; ++n) {
    INFO("pattern ", n);
    if (parents(n, 2) != 0.0)
      CHECK(p(n, 0) == 1.0);
    else
      CHECK(p(n, 0) == doctest::Approx(static_cast<double>(reference_p(theta, parents, n, 0))).epsilon(1e-13));
    CHECK(p(n, 1) == doctest::Approx(static_cast<double>(reference_p(theta, parents, n, 1))).epsilon(1e-13));
  }
  // Unit 0 off while its certain cause is on is impossible: -inf, with a finite gradient
  // that lowers the certain weight. Unit 0 on there contributes exactly log 1 = 0.
  Matrix states = random_bits(rng, 12, units, false);
  const Vector log_p = log_probabilities_of(*plugin, parents, states);
  bool some_impossible = false;
  for (std::size_t n = 0; n < 12; ++n) {
    INFO("pattern ", n);
    CHECK(!std::isnan(log_p(n)));
    if (parents(n, 2) != 0.0 && states(n, 0) == 0.0) {
      CHECK(log_p(n) == -inf);
      some_impossible = true;
    } else {
      CHECK(log_p(n) ==
            doctest::Approx(static_cast<double>(reference_log_p(theta, parents, states, n))).epsilon(1e-13));
    }
  }
  const Vector g = gradient_of(*plugin, parents, states);
  CHECK(all_finite(g));
  if (some_impossible) CHECK(g(weight_index(0, 2)) < 0.0);
}

TEST_CASE("noisy-or: validate rejects values outside [0, 1], naming the parameter, exactly 0 and 1 are accepted") {
  auto plugin = make_plugin(kind);
  Vector theta = filled(parameter_count, 0.0);
  for (std::size_t i = 0; i < parameter_count; i += 2) theta(i) = 1.0;
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "");

  theta(weight_index(2, 2)) = 1.3;
  plugin->set_parameters(theta);
  try {
    plugin->validate(model_place(kind));
    FAIL("validate accepted weights[mid][2][0] = 1.3");
  } catch (const InputError& e) {
    CHECK(e.message() == "weights[mid][2][0] is 1.3, but must be in [0, 1]");
    CHECK(std::string(e.what()) ==
          "models/x.yaml, line 14, column 9: generative.data (noisy-or): weights[mid][2][0] is 1.3, but must be in [0, 1]");
  }
  theta(bias_index(0)) = -0.1;  // earlier in the layout, so named first
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "bias[0] is -0.1, but must be in [0, 1]");

  theta = filled(parameter_count, 0.5);
  theta(weight_index(0, 1)) = nan;
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "weights[top][0][1] is nan, but must be in [0, 1]");
  theta(weight_index(0, 1)) = 1.0000000000000002;  // the next double above 1
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "weights[top][0][1] is 1.0000000000000002, but must be in [0, 1]");
}

// project_into_learning_ranges() keeps learning away from the values that make data impossible (log 0): the leak
// in [margin, 1 - margin] and the weights in [0, 1 - margin], margin = 1e-3, although
// validate() accepts 0 and 1 from a model file.
constexpr double margin = 1e-3;

double clamp_to_learning_range(std::size_t i, double x) {
  const double lower = i < units ? margin : 0.0, upper = 1.0 - margin;
  return std::isnan(x) ? std::clamp(0.0, lower, upper) : std::clamp(x, lower, upper);
}

TEST_CASE("noisy-or: projection into the learning ranges clamps the leak into [1e-3, 1 - 1e-3] and the weights into [0, 1 - 1e-3], "
          "NaN as 0, and leaves values inside unchanged") {
  Rng rng = make_rng(31);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, 0.0, 1.0);
  theta(bias_index(0)) = 0.0;  // valid in a model file, outside the learning range
  theta(bias_index(1)) = 1.5;
  theta(bias_index(2)) = nan;
  theta(weight_index(0, 0)) = -0.5;
  theta(weight_index(0, 1)) = 1.0;
  theta(weight_index(2, 2)) = 1.3;
  theta(weight_index(1, 4)) = nan;
  theta(weight_index(2, 3)) = -inf;
  theta(weight_index(2, 4)) = inf;
  plugin->set_parameters(theta);
  plugin->project_into_learning_ranges();
  const Vector& projected = plugin->parameters();
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i), " was ", theta(i));
    CHECK(projected(i) == clamp_to_learning_range(i, theta(i)));
  }
  CHECK(projected(bias_index(0)) == margin);
  CHECK(projected(bias_index(1)) == 1.0 - margin);
  CHECK(projected(weight_index(0, 1)) == 1.0 - margin);
  CHECK(projected(weight_index(0, 0)) == 0.0);
  CHECK(validation_message(*plugin) == "");
}

// project_into_learning_ranges() changes the parameters, so whatever the plugin derives from them must follow:
// after projecting W = -0.5 and NaN to 0 and W = 1.5 to 1 - 1e-3, p must be the formula at
// the projected values (a stale log(1 - W) = log 1.5 would lower p; a stale "W >= 1, a
// certain cause" would make it exactly 1).
TEST_CASE("noisy-or: after projection into the learning ranges, probabilities are the formula at the projected parameters") {
  Rng rng = make_rng(32);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, 0.05, 0.95);
  theta(weight_index(0, 0)) = -0.5;
  theta(weight_index(1, 3)) = nan;
  theta(weight_index(2, 4)) = 1.5;
  plugin->set_parameters(theta);
  plugin->project_into_learning_ranges();
  REQUIRE(validation_message(*plugin) == "");
  Matrix parents = Matrix::from_shape({1, parent_units});
  parents.fill(1.0);
  check_probabilities_match_reference(*plugin, parents, 1e-13);
  const Matrix p = probabilities_of(*plugin, parents);
  for (double x : p) {
    CHECK(x >= 0.0);
    CHECK(x <= 1.0);
  }
}

TEST_CASE("noisy-or: a step in natural coordinates sets theta + rate * direction clamped to the learning range, and "
          "probabilities follow the new theta") {
  Rng rng = make_rng(33);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, 0.1, 0.9);
  theta(weight_index(2, 1)) = 1.0;  // a certain cause, as a model file may give it
  Vector direction = uniform_vector(rng, parameter_count, -1.0, 1.0);
  direction(weight_index(0, 2)) = 100.0;   // pushed past 1
  direction(weight_index(1, 1)) = -100.0;  // pushed past 0
  direction(bias_index(2)) = -100.0;
  direction(weight_index(2, 1)) = 0.0;
  plugin->set_parameters(theta);
  const Matrix parents = random_bits(rng, 8, parent_units);
  natural_step(*plugin, direction, 0.25);
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i));
    const double moved = theta(i) + 0.25 * direction(i);
    if (moved != clamp_to_learning_range(i, moved))
      CHECK(plugin->parameters()(i) == clamp_to_learning_range(i, moved));
    else
      CHECK(plugin->parameters()(i) == doctest::Approx(moved).epsilon(1e-15));
  }
  CHECK(plugin->parameters()(weight_index(0, 2)) == 1.0 - margin);
  CHECK(plugin->parameters()(weight_index(1, 1)) == 0.0);
  CHECK(plugin->parameters()(bias_index(2)) == margin);
  CHECK(plugin->parameters()(weight_index(2, 1)) == 1.0 - margin);  // no longer certain
  check_probabilities_match_reference(*plugin, parents, 1e-13);
  const Matrix p = probabilities_of(*plugin, parents);
  for (std::size_t n = 0; n < 8; ++n) CHECK(p(n, 2) < 1.0);
  CHECK_THROWS_AS(natural_step(*plugin, filled(parameter_count + 1, 0.0), 1.0), Error);
}

TEST_CASE("noisy-or: write() then read() gives back every parameter bit for bit, and the read copy computes the "
          "same probabilities") {
  Rng rng = make_rng(34);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, 0.0, 1.0);
  theta(0) = 0.1 + 0.2;
  theta(1) = 1.0;
  theta(2) = 0.0;
  theta(3) = 1.0 / 3.0;
  theta(4) = 1e-300;
  theta(5) = 0.9999999999999999;  // the largest double below 1
  theta(6) = 1.0;
  plugin->set_parameters(theta);
  check_round_trip_is_exact(*plugin);
  const auto copy = write_then_read(*plugin);
  const Matrix parents = random_bits(rng, 6, parent_units);
  const Matrix original = probabilities_of(*plugin, parents), read = probabilities_of(*copy, parents);
  for (std::size_t n = 0; n < 6; ++n)
    for (std::size_t j = 0; j < units; ++j) CHECK(read(n, j) == original(n, j));
}

TEST_CASE("noisy-or: read() reports a weight outside [0, 1] at its line and column, naming it") {
  auto plugin = make_plugin(kind);
  const YAML::Node entry = YAML::Load(
      "distribution: noisy-or\n"
      "weights:\n"
      "  mid: [[0, 0, 0], [0, 0, 0], [1.3, 0, 0]]\n");
  try {
    read_parameter_blocks(entry, *plugin, Where{"models/x.yaml", 0, 0, "generative.data (noisy-or)"});
    FAIL("read accepted weights[mid][2][0] = 1.3");
  } catch (const InputError& e) {
    CHECK(e.message() == "weights[mid][2][0] is 1.3, but must be in [0, 1]");
    CHECK(e.where().line == 3);
    CHECK(e.where().column == 32);
  }
}

TEST_CASE("noisy-or: initialise() with the same seed gives the same parameters, all in [0, 1]") {
  check_initialise(kind);
}

}  // namespace
}  // namespace helmholtz
