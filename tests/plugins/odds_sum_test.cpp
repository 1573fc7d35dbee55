// Tests of the odds-sum plugin (Dayan, Hinton, Neal & Zemel 1995, eq. A.2): causes add their
// odds,
//   t_j = b_j + sum_k W_jk x_k,   p_j = t_j / (1 + t_j) = 1 - 1 / (1 + t_j),   b_j, W_jk >= 0,
//   log P(s | x) = sum_j [s_j log(t_j / (1 + t_j)) - (1 - s_j) log(1 + t_j)].
// The references below are scalar loops in long double written from these formulas and the
// documented parameter layout [b | W row-major], not from the plugin.
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "framework/incremental_statistics.hpp"
#include "tests/plugins/plugin_test_support.hpp"

namespace helmholtz {
namespace {

using namespace plugin_test;

const std::string kind = "odds-sum";

long double reference_odds(const Vector& theta, const Matrix& parents, std::size_t n, std::size_t j) {
  long double t = theta(bias_index(j));
  for (std::size_t k = 0; k < parent_units; ++k) t += static_cast<long double>(theta(weight_index(j, k))) * parents(n, k);
  return t;
}

long double reference_p(const Vector& theta, const Matrix& parents, std::size_t n, std::size_t j) {
  const long double t = reference_odds(theta, parents, n, j);
  return t / (1.0L + t);
}

long double reference_log_p(const Vector& theta, const Matrix& parents, const Matrix& states, std::size_t n) {
  long double sum = 0;
  for (std::size_t j = 0; j < units; ++j) {
    const long double p = reference_p(theta, parents, n, j);
    sum += states(n, j) != 0.0 ? std::log(p) : std::log(1.0L - p);
  }
  return sum;
}

void check_probabilities_match_reference(const Distribution& plugin, const Matrix& parents) {
  check_probabilities(plugin, parents, reference_p, 1e-14);
}

bool all_finite(const Vector& v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

TEST_CASE("odds-sum: probabilities are t_j / (1 + t_j) with t_j = b_j + sum_k W_jk x_k, batched and one at a time") {
  Rng rng = make_rng(41);
  for (int trial = 0; trial < 5; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, 0.0, 2.0));
    check_probabilities(*plugin, random_bits(rng, 9, parent_units), reference_p, 1e-14);
  }
}

TEST_CASE("odds-sum: log_probability of each pattern is sum_j log p_j (on) or log(1 - p_j) (off)") {
  Rng rng = make_rng(42);
  for (int trial = 0; trial < 5; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, 0.01, 2.0));
    check_log_probabilities(*plugin, random_bits(rng, 10, parent_units), random_bits(rng, 10, units, false),
                            reference_log_p, 1e-13);
  }
}

TEST_CASE("odds-sum: log_firing_probabilities give log(t_j / (1 + t_j)) and -log(1 + t_j)") {
  Rng rng = make_rng(43);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(uniform_vector(rng, parameter_count, 0.01, 2.0));
  const Matrix parents = random_bits(rng, 6, parent_units);
  Matrix log_on, log_off;
  plugin->log_firing_probabilities(parents, log_on, log_off);
  REQUIRE(log_on.shape(0) == 6);
  REQUIRE(log_off.shape(0) == 6);
  for (std::size_t n = 0; n < 6; ++n)
    for (std::size_t j = 0; j < units; ++j) {
      const long double t = reference_odds(plugin->parameters(), parents, n, j);
      CHECK(log_on(n, j) == doctest::Approx(static_cast<double>(std::log(t / (1.0L + t)))).epsilon(1e-13));
      CHECK(log_off(n, j) == doctest::Approx(static_cast<double>(-std::log(1.0L + t))).epsilon(1e-13));
    }
}

TEST_CASE("odds-sum: accumulate_gradient equals central differences of sum_n log P(s_n | x_n) for every parameter "
          "strictly above 0") {
  Rng rng = make_rng(44);
  for (int trial = 0; trial < 4; ++trial) {
    auto plugin = make_plugin(kind);
    plugin->set_parameters(uniform_vector(rng, parameter_count, 0.05, 2.0));
    const Matrix parents = random_bits(rng, 8, parent_units);
    const Matrix states = random_bits(rng, 8, units, false);
    check_close(*plugin, gradient_of(*plugin, parents, states), central_differences(*plugin, parents, states, 1e-6),
                1e-6);
  }
}

TEST_CASE("odds-sum: accumulate_gradient adds scale * gradient to what the vector holds") {
  Rng rng = make_rng(45);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(uniform_vector(rng, parameter_count, 0.05, 2.0));
  check_gradient_scales_and_accumulates(*plugin, random_bits(rng, 7, parent_units), random_bits(rng, 7, units, false),
                                        rng);
}

TEST_CASE("odds-sum: all parameters 0 give p = 0 exactly, log P = 0 exactly with every unit off and -inf with any "
          "on, gradients finite") {
  Rng rng = make_rng(46);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(filled(parameter_count, 0.0));
  CHECK(validation_message(*plugin) == "");
  const Matrix parents = random_bits(rng, 8, parent_units);
  const Matrix p = probabilities_of(*plugin, parents);
  for (double x : p) CHECK(x == 0.0);
  Matrix log_on, log_off;
  plugin->log_firing_probabilities(parents, log_on, log_off);
  for (double x : log_on) CHECK(x == -inf);
  for (double x : log_off) CHECK(x == 0.0);

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
  // A unit on with t = 0 is impossible; its gradient is finite and raises the bias.
  const Vector g = gradient_of(*plugin, parents, states);
  CHECK(all_finite(g));
  for (std::size_t j = 0; j < units; ++j) CHECK(g(bias_index(j)) > 0.0);
}

TEST_CASE("odds-sum: at parameters 0 with every unit off, the gradient is d/dt -log(1 + t) = -1 per active cause, "
          "matching a one-sided difference from above") {
  Rng rng = make_rng(47);
  auto plugin = make_plugin(kind);
  plugin->set_parameters(filled(parameter_count, 0.0));
  const Matrix parents = random_bits(rng, 9, parent_units);
  Matrix states = Matrix::from_shape({9, units});
  states.fill(0.0);
  const Vector analytic = gradient_of(*plugin, parents, states);
  const double h = std::ldexp(1.0, -20);
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i));
    double active = 0;
    for (std::size_t n = 0; n < 9; ++n) active += i < units ? 1.0 : parents(n, (i - units) % parent_units);
    CHECK(analytic(i) == -active);
    CHECK(analytic(i) == doctest::Approx(one_sided_difference_from_above(*plugin, i, h, parents, states)).epsilon(1e-6));
  }
}

TEST_CASE("odds-sum: huge odds give p <= 1 and log P(on) <= 0, never NaN") {
  auto plugin = make_plugin(kind);
  Matrix parents = Matrix::from_shape({1, parent_units});
  parents.fill(1.0);
  Matrix on = Matrix::from_shape({1, units}), off = Matrix::from_shape({1, units});
  on.fill(1.0);
  off.fill(0.0);
  for (double t : {1e8, 1e16, 1e20, 1e300}) {
    INFO("t = ", t);
    plugin->set_parameters(filled(parameter_count, t / 6));  // t_j = b_j + 5 weights
    const Matrix p = probabilities_of(*plugin, parents);
    for (double x : p) {
      CHECK(x <= 1.0);
      CHECK(x > 0.99);
    }
    const double log_on = log_probabilities_of(*plugin, parents, on)(0);
    const double log_off = log_probabilities_of(*plugin, parents, off)(0);
    CHECK(log_on <= 0.0);
    CHECK(!std::isnan(log_on));
    CHECK(log_off == doctest::Approx(static_cast<double>(-3.0L * std::log1p(static_cast<long double>(t)))).epsilon(1e-12));
    CHECK(all_finite(gradient_of(*plugin, parents, on)));
    CHECK(all_finite(gradient_of(*plugin, parents, off)));
  }
}

// log(t / (1 + t)) = -log(1 + 1/t): for t = 1e8 it is -1e-8 + 5e-17. Forming it as
// log(t) - log1p(t) subtracts two numbers near 18.4 and keeps only about 7 digits.
TEST_CASE("odds-sum: log P(on) = -log1p(1/t) to full precision at large odds (t = 1e8)") {
  auto plugin = make_plugin(kind);
  Vector theta = filled(parameter_count, 0.0);
  for (std::size_t j = 0; j < units; ++j) theta(bias_index(j)) = 1e8;
  plugin->set_parameters(theta);
  Matrix parents = Matrix::from_shape({1, parent_units});
  parents.fill(0.0);
  Matrix on = Matrix::from_shape({1, units});
  on.fill(1.0);
  const double expected = static_cast<double>(-3.0L * std::log1p(1.0L / 1e8L));
  // relative error (doctest's Approx would add an absolute 1e-12, as large as the value)
  const double log_p = log_probabilities_of(*plugin, parents, on)(0);
  INFO("log P(on) = ", log_p, ", exact ", expected);
  CHECK(std::abs(log_p - expected) <= 1e-12 * std::abs(expected));
  Matrix log_on, log_off;
  plugin->log_firing_probabilities(parents, log_on, log_off);
  CHECK(std::abs(log_on(0, 0) - expected / 3) <= 1e-12 * std::abs(expected / 3));
}

TEST_CASE("odds-sum: validate rejects negative and infinite values, naming the parameter, 0 and 1e300 are accepted") {
  auto plugin = make_plugin(kind);
  Vector theta = filled(parameter_count, 0.0);
  for (std::size_t i = 0; i < parameter_count; i += 2) theta(i) = 1e300;
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "");

  theta(weight_index(2, 2)) = -1e-300;
  plugin->set_parameters(theta);
  try {
    plugin->validate(model_place(kind));
    FAIL("validate accepted weights[mid][2][0] = -1e-300");
  } catch (const InputError& e) {
    CHECK(e.message() == "weights[mid][2][0] is -1e-300, but must be >= 0");
    CHECK(std::string(e.what()) ==
          "models/x.yaml, line 14, column 9: generative.data (odds-sum): weights[mid][2][0] is -1e-300, but must be >= 0");
  }
  theta(bias_index(2)) = -0.5;
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "bias[2] is -0.5, but must be >= 0");

  theta = filled(parameter_count, 0.5);
  theta(weight_index(1, 1)) = inf;
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "weights[top][1][1] is inf, but must be >= 0");
  theta(weight_index(1, 1)) = nan;
  plugin->set_parameters(theta);
  CHECK(validation_message(*plugin) == "weights[top][1][1] is nan, but must be >= 0");
}

// project_into_learning_ranges() keeps learning away from t_j = 0 (a unit that can never fire): b_j >= margin,
// margin = 1e-3, and W_jk >= 0, although validate() accepts b_j = 0 from a model file.
constexpr double margin = 1e-3;

double clamp_to_learning_range(std::size_t i, double x) {
  const double lower = i < units ? margin : 0.0;
  return std::isnan(x) ? lower : std::max(x, lower);
}

TEST_CASE("odds-sum: projection into the learning ranges clamps biases to >= 1e-3 and weights to >= 0 (NaN to the lower end) and leaves values "
          "above unchanged") {
  Rng rng = make_rng(48);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, -2.0, 2.0);
  theta(bias_index(0)) = nan;
  theta(bias_index(1)) = 0.0;
  theta(bias_index(2)) = 2.5;
  theta(weight_index(1, 2)) = -inf;
  theta(weight_index(2, 3)) = 1e300;
  theta(weight_index(0, 0)) = -1.0;
  theta(weight_index(0, 1)) = 0.0;
  plugin->set_parameters(theta);
  plugin->project_into_learning_ranges();
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i), " was ", theta(i));
    CHECK(plugin->parameters()(i) == clamp_to_learning_range(i, theta(i)));
  }
  CHECK(plugin->parameters()(bias_index(0)) == margin);
  CHECK(plugin->parameters()(bias_index(1)) == margin);
  CHECK(plugin->parameters()(bias_index(2)) == 2.5);
  CHECK(plugin->parameters()(weight_index(0, 0)) == 0.0);
  CHECK(plugin->parameters()(weight_index(0, 1)) == 0.0);
  CHECK(validation_message(*plugin) == "");
}

// The range ">= 0" holds finite values only, so project_into_learning_ranges() must bring +inf to a finite value.
TEST_CASE("odds-sum: projection into the learning ranges brings +inf into range, so validate() accepts afterwards") {
  auto plugin = make_plugin(kind);
  Vector theta = filled(parameter_count, 0.25);
  theta(weight_index(0, 4)) = inf;
  plugin->set_parameters(theta);
  plugin->project_into_learning_ranges();
  CHECK(std::isfinite(plugin->parameters()(weight_index(0, 4))));
  CHECK(validation_message(*plugin) == "");
}

TEST_CASE("odds-sum: a step in natural coordinates sets theta + rate * direction clamped to the learning range, and "
          "probabilities follow") {
  Rng rng = make_rng(49);
  auto plugin = make_plugin(kind);
  const Vector theta = uniform_vector(rng, parameter_count, 0.1, 2.0);
  Vector direction = uniform_vector(rng, parameter_count, -4.0, 4.0);
  direction(weight_index(2, 0)) = -100.0;  // lands on 0
  direction(bias_index(1)) = -100.0;       // lands on the margin
  plugin->set_parameters(theta);
  natural_step(*plugin, direction, 0.5);
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(plugin->parameter_name(i));
    const double moved = theta(i) + 0.5 * direction(i);
    if (moved != clamp_to_learning_range(i, moved))
      CHECK(plugin->parameters()(i) == clamp_to_learning_range(i, moved));
    else
      CHECK(plugin->parameters()(i) == doctest::Approx(moved).epsilon(1e-15));
  }
  CHECK(plugin->parameters()(weight_index(2, 0)) == 0.0);
  CHECK(plugin->parameters()(bias_index(1)) == margin);
  check_probabilities_match_reference(*plugin, random_bits(rng, 8, parent_units));
  CHECK_THROWS_AS(natural_step(*plugin, filled(parameter_count - 1, 0.0), 1.0), Error);
}

TEST_CASE("odds-sum: write() then read() gives back every parameter bit for bit") {
  Rng rng = make_rng(50);
  auto plugin = make_plugin(kind);
  Vector theta = uniform_vector(rng, parameter_count, 0.0, 5.0);
  theta(0) = 0.1 + 0.2;
  theta(1) = 0.0;
  theta(2) = 1.0 / 3.0;
  theta(3) = 1e-300;
  theta(4) = 4.9e-324;
  theta(5) = 1e300;
  theta(6) = 123456789.123456789;
  plugin->set_parameters(theta);
  check_round_trip_is_exact(*plugin);
}

TEST_CASE("odds-sum: initialise() with the same seed gives the same parameters, all >= 0") {
  check_initialise(kind);
}

// 1 / t overflows for odds below 2^-1024, and -log1p(1 / t) would give -inf for a unit that
// can fire: log(t / (1 + t)) = log t - t + ... is log t itself there (-744.4 at 5e-324).
TEST_CASE("odds-sum: subnormal odds (bias 5e-324, parents off) give log P(on) = log t, about -744, not -inf, on "
          "every route: firing probabilities, log_probability and the incremental statistics") {
  const double smallest = std::numeric_limits<double>::denorm_min();
  // 8 units, so that the vectorised incremental route has full SIMD lanes as well as a tail.
  auto plugin = builtin_registry().create(kind, NodeShape{"wide", 8, {{"a", 1}}});
  Vector theta = filled(16, 0.0);
  const std::vector<double> biases = {smallest, 1e-320, 0x1.0p-1025, 0.0, 1e-300, 1.0, smallest, 2.0};
  for (std::size_t j = 0; j < 8; ++j) theta(j) = biases[j];  // the weights stay 0
  plugin->set_parameters(theta);
  auto expected_on = [](double t) {
    return t == 0.0 ? -inf : static_cast<double>(-std::log1p(1.0L / static_cast<long double>(t)));
  };
  const Matrix parents = xt::zeros<double>({std::size_t{1}, std::size_t{1}});
  Matrix log_on, log_off;
  plugin->log_firing_probabilities(parents, log_on, log_off);
  const auto* incremental = dynamic_cast<const IncrementalStatistics*>(plugin.get());
  REQUIRE(incremental != nullptr);
  std::vector<double> stats(8 * incremental->statistics_per_unit()), on(8), off(8);
  incremental->statistics_with_parents_off(stats.data());
  incremental->log_firing_from_statistics(stats.data(), on.data(), off.data());
  for (std::size_t j = 0; j < 8; ++j) {
    CAPTURE(j);
    const double expected = expected_on(biases[j]);
    for (double got : {log_on(0, j), on[j]}) {
      CAPTURE(got);
      if (std::isinf(expected)) CHECK(got == -inf);
      else CHECK(std::abs(got - expected) <= 1e-14 * std::abs(expected));
    }
    CHECK(off[j] == log_off(0, j));
  }
  CHECK(log_on(0, 0) == doctest::Approx(-744.44007192138126));
  Matrix states = Matrix::from_shape({1, 8});
  states.fill(0.0);
  states(0, 0) = 1.0;  // unit 0 on at odds 5e-324: possible, about -744 nats
  Vector log_p = filled(1, nan);
  Workspace work;
  plugin->log_probability(parents, states, log_p, work);
  CHECK(log_p(0) == doctest::Approx(-744.44007192138126 - 1.0 * std::log1p(1.0) - std::log1p(2.0)));
}

// 1e308 + 1e308 overflows to inf, and t / (1 + t) would be inf / inf = NaN, which the sampler
// would read as "never on" (u < NaN is false) for a unit that is on for certain.
TEST_CASE("odds-sum: odds that overflow the double range (causes of 1e308 adding up) give p = 1 and log P(on) = 0, "
          "not NaN") {
  auto plugin = make_plugin(kind);
  plugin->set_parameters(filled(parameter_count, 1e308));
  Matrix parents = Matrix::from_shape({1, parent_units});
  parents.fill(1.0);
  const Matrix p = probabilities_of(*plugin, parents);
  for (double x : p) CHECK(x == 1.0);
  Matrix on = Matrix::from_shape({1, units});
  on.fill(1.0);
  CHECK(log_probabilities_of(*plugin, parents, on)(0) == 0.0);
}

}  // namespace
}  // namespace helmholtz
