#pragma once
// Helpers shared by the plugin tests (sigmoid, noisy-or, odds-sum). Every plugin is made
// through the registry by the name used in model files, never by naming its class, and is
// looked at only through the Distribution interface.
//
// The node used throughout is 'data' with 3 units and two parents, 'top' (2 units) and
// 'mid' (3 units), so each pattern has 5 parent units side by side (top's 2, then mid's 3)
// and the flat parameters are [b_0 b_1 b_2 | W (3 x 5, row-major)]: 18 numbers.
// Parameter 15 is therefore W_{2,2}, which model files call weights[mid][2][0].
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include "framework/distribution.hpp"
#include "framework/error.hpp"
#include "framework/matrix.hpp"
#include "framework/random.hpp"
#include "framework/io/parameter_blocks.hpp"
#include "framework/registry.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::plugin_test {

inline constexpr std::size_t units = 3;
inline constexpr std::size_t parent_units = 5;  // top (2) + mid (3)
inline constexpr std::size_t parameter_count = units * (1 + parent_units);
inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
inline constexpr double inf = std::numeric_limits<double>::infinity();

inline NodeShape two_parent_shape() { return NodeShape{"data", units, {{"top", 2}, {"mid", 3}}}; }

// A plugin for the two-parent node, made by its model-file name.
inline std::unique_ptr<Distribution> make_plugin(const std::string& kind) {
  auto plugin = builtin_registry().create(kind, two_parent_shape());
  REQUIRE(plugin != nullptr);
  REQUIRE(plugin->kind() == kind);
  REQUIRE(plugin->parameters().size() == parameter_count);
  return plugin;
}

// Positions in the flat parameter vector, written from the documented layout.
inline std::size_t bias_index(std::size_t j) { return j; }
inline std::size_t weight_index(std::size_t j, std::size_t k) { return units + j * parent_units + k; }

inline Vector filled(std::size_t size, double value) {
  Vector v = Vector::from_shape({size});
  v.fill(value);
  return v;
}

inline Vector uniform_vector(Rng& rng, std::size_t size, double lower, double upper) {
  Vector v = Vector::from_shape({size});
  for (double& x : v) x = lower + (upper - lower) * uniform01(rng);
  return v;
}

// Random 0/1 matrix; with `corners`, row 0 is all off and row 1 all on, so that every batch
// holds the two extreme patterns besides the random ones.
inline Matrix random_bits(Rng& rng, std::size_t rows, std::size_t cols, bool corners = true) {
  Matrix m = Matrix::from_shape({rows, cols});
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      m(r, c) = corners && r == 0 ? 0.0 : corners && r == 1 ? 1.0 : (uniform01(rng) < 0.5 ? 1.0 : 0.0);
  return m;
}

// A workspace whose buffers already have the shape a plugin would give them and hold NaN,
// so that a plugin relying on zeroed scratch space shows it.
inline Workspace dirty_workspace(std::size_t patterns) {
  Workspace w;
  for (Matrix* m : {&w.first, &w.second, &w.third}) {
    *m = Matrix::from_shape({patterns, units});
    m->fill(nan);
  }
  return w;
}

// The interface's outputs, each written into a buffer pre-filled with NaN of the right shape.
inline Matrix probabilities_of(const Distribution& d, const Matrix& parents) {
  Matrix p = Matrix::from_shape({parents.shape(0), units});
  p.fill(nan);
  d.probabilities(parents, p);
  return p;
}

inline Vector log_probabilities_of(const Distribution& d, const Matrix& parents, const Matrix& states) {
  Vector log_p = filled(parents.shape(0), nan);
  Workspace work = dirty_workspace(parents.shape(0));
  d.log_probability(parents, states, log_p, work);
  return log_p;
}

// Every pattern's firing probabilities, computed in the batch and again alone, agree with
// reference(theta, parents, n, j), the plugin's formula written out in the test.
template <class Reference>
void check_probabilities(const Distribution& d, const Matrix& parents, Reference reference, double epsilon) {
  const Matrix p = probabilities_of(d, parents);
  REQUIRE(p.shape(0) == parents.shape(0));
  REQUIRE(p.shape(1) == units);
  for (std::size_t n = 0; n < parents.shape(0); ++n) {
    Matrix one = Matrix::from_shape({1, parent_units});
    for (std::size_t k = 0; k < parent_units; ++k) one(0, k) = parents(n, k);
    const Matrix alone = probabilities_of(d, one);
    for (std::size_t j = 0; j < units; ++j) {
      INFO("pattern ", n, ", unit ", j);
      const double expected = static_cast<double>(reference(d.parameters(), parents, n, j));
      CHECK(p(n, j) == doctest::Approx(expected).epsilon(epsilon));
      CHECK(alone(0, j) == doctest::Approx(expected).epsilon(epsilon));
    }
  }
}

// log_probability of each pattern agrees with reference(theta, parents, states, n).
template <class Reference>
void check_log_probabilities(const Distribution& d, const Matrix& parents, const Matrix& states, Reference reference,
                             double epsilon) {
  const Vector log_p = log_probabilities_of(d, parents, states);
  REQUIRE(log_p.size() == parents.shape(0));
  for (std::size_t n = 0; n < parents.shape(0); ++n) {
    INFO("pattern ", n);
    CHECK(log_p(n) == doctest::Approx(static_cast<double>(reference(d.parameters(), parents, states, n))).epsilon(epsilon));
  }
}

// sum_n log P(states_n | parents_n), via the plugin's log_probability.
inline double total_log_probability(const Distribution& d, const Matrix& parents, const Matrix& states) {
  double sum = 0;
  for (double x : log_probabilities_of(d, parents, states)) sum += x;
  return sum;
}

// scale * d/dtheta sum_n log P(states_n | parents_n), accumulated into zeros.
inline Vector gradient_of(const Distribution& d, const Matrix& parents, const Matrix& states, double scale = 1.0) {
  Vector gradient = filled(d.parameters().size(), 0.0);
  Workspace work = dirty_workspace(parents.shape(0));
  d.accumulate_gradient(parents, states, scale, gradient, work);
  return gradient;
}

// f(theta) = sum_n log P(states_n | parents_n) at theta with parameter i set to `value`.
inline double total_log_probability_at(const Distribution& d, std::size_t i, double value, const Matrix& parents,
                                       const Matrix& states) {
  auto probe = d.clone();
  Vector theta = d.parameters();
  theta(i) = value;
  probe->set_parameters(theta);
  return total_log_probability(*probe, parents, states);
}

// Central difference (f(theta_i + h) - f(theta_i - h)) / (2h) for every parameter, dividing
// by the step actually taken in floating point.
inline Vector central_differences(const Distribution& d, const Matrix& parents, const Matrix& states, double h) {
  const Vector& theta = d.parameters();
  Vector fd = Vector::from_shape({theta.size()});
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const double up = theta(i) + h, down = theta(i) - h;
    fd(i) = (total_log_probability_at(d, i, up, parents, states) -
             total_log_probability_at(d, i, down, parents, states)) /
            (up - down);
  }
  return fd;
}

// One-sided second-order difference from below, f'(x) ~ (3 f(x) - 4 f(x - h) + f(x - 2h)) / (2h),
// for a parameter sitting on the upper end of its range. h should be a power of two so that
// x - h and x - 2h are exact for x = 1.
inline double one_sided_difference_from_below(const Distribution& d, std::size_t i, double h, const Matrix& parents,
                                              const Matrix& states) {
  const double x = d.parameters()(i);
  return (3 * total_log_probability_at(d, i, x, parents, states) -
          4 * total_log_probability_at(d, i, x - h, parents, states) +
          total_log_probability_at(d, i, x - 2 * h, parents, states)) /
         (2 * h);
}

// The same from above, for a parameter on the lower end of its range.
inline double one_sided_difference_from_above(const Distribution& d, std::size_t i, double h, const Matrix& parents,
                                              const Matrix& states) {
  const double x = d.parameters()(i);
  return (-3 * total_log_probability_at(d, i, x, parents, states) +
          4 * total_log_probability_at(d, i, x + h, parents, states) -
          total_log_probability_at(d, i, x + 2 * h, parents, states)) /
         (2 * h);
}

// |analytic - numeric| <= relative * max(1, |numeric|), for each parameter by name.
inline void check_close(const Distribution& d, const Vector& analytic, const Vector& numeric, double relative) {
  REQUIRE(analytic.size() == numeric.size());
  for (std::size_t i = 0; i < analytic.size(); ++i) {
    INFO(d.parameter_name(i), ": analytic ", analytic(i), ", numeric ", numeric(i));
    CHECK(std::abs(analytic(i) - numeric(i)) <= relative * std::max(1.0, std::abs(numeric(i))));
  }
}

// The scale argument multiplies, and the result is added to what the vector held:
// starting from g0, accumulate_gradient(scale) must give g0 + scale * gradient.
inline void check_gradient_scales_and_accumulates(const Distribution& d, const Matrix& parents, const Matrix& states,
                                                  Rng& rng) {
  const Vector unit = gradient_of(d, parents, states, 1.0);
  const Vector start = uniform_vector(rng, d.parameters().size(), -5.0, 5.0);
  for (double scale : {0.5, -3.0, 0.0}) {
    Vector gradient = start;
    Workspace work;
    d.accumulate_gradient(parents, states, scale, gradient, work);
    for (std::size_t i = 0; i < gradient.size(); ++i) {
      INFO(d.parameter_name(i), " with scale ", scale);
      CHECK(gradient(i) == doctest::Approx(start(i) + scale * unit(i)).epsilon(1e-12));
    }
  }
  // Two calls into the same vector add up: 2 * gradient.
  Vector twice = filled(d.parameters().size(), 0.0);
  Workspace work;
  d.accumulate_gradient(parents, states, 1.0, twice, work);
  d.accumulate_gradient(parents, states, 1.0, twice, work);
  for (std::size_t i = 0; i < twice.size(); ++i) {
    INFO(d.parameter_name(i));
    CHECK(twice(i) == doctest::Approx(2 * unit(i)).epsilon(1e-12));
  }
}

// What a learning step in natural coordinates does to a plugin's parameters: theta + rate *
// direction, then each moved into its block's learning range.
inline void natural_step(Distribution& d, const Vector& direction, double rate) {
  if (direction.size() != d.parameter_count()) throw Error("natural_step: wrong size");
  Vector theta = d.parameters();
  for (std::size_t i = 0; i < theta.size(); ++i) theta(i) += rate * direction(i);
  d.set_parameters(theta);
  d.project_into_learning_ranges();
}

// The message of the InputError validate() throws at `where`; empty if it accepts.
inline std::string validation_message(const Distribution& d, const Where& where = Where{}) {
  try {
    d.validate(where);
  } catch (const InputError& e) {
    return e.message();
  }
  return "";
}

// The place a model file would report: "models/x.yaml, line 14, column 9: generative.data (...): ".
inline Where model_place(const std::string& kind) {
  return Where{"models/x.yaml", 14, 9, "generative.data (" + kind + ")"};
}

// Emits the plugin's keys into a YAML map (as a model file holds them), parses the text and
// reads it into a fresh plugin of the same kind, whose parameters start at the registry's zeros.
inline std::unique_ptr<Distribution> write_then_read(const Distribution& d) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "distribution" << YAML::Value << std::string(d.kind());
  write_parameter_blocks(out, d);
  out << YAML::EndMap;
  REQUIRE(out.good());
  INFO("emitted YAML:\n", out.c_str());
  const YAML::Node entry = YAML::Load(out.c_str());
  auto copy = builtin_registry().create(std::string(d.kind()), d.shape());
  read_parameter_blocks(entry, *copy, Where{"round-trip.yaml", 0, 0, "generative.data"});
  return copy;
}

inline void check_round_trip_is_exact(const Distribution& d) {
  const auto copy = write_then_read(d);
  REQUIRE(copy->parameters().size() == d.parameters().size());
  for (std::size_t i = 0; i < d.parameters().size(); ++i) {
    INFO(d.parameter_name(i), ": wrote ", d.parameters()(i), ", read ", copy->parameters()(i));
    CHECK(copy->parameters()(i) == d.parameters()(i));
  }
}

// initialise(): the same seed gives the same parameters, every one inside its range (validate
// accepts), a different seed gives different weights, and whatever was there before is replaced.
inline void check_initialise(const std::string& kind) {
  auto first = make_plugin(kind), second = make_plugin(kind), third = make_plugin(kind);
  second->set_parameters(filled(parameter_count, 0.5));  // prior values must not matter
  Rng a = make_rng(2024), b = make_rng(2024), c = make_rng(7);
  first->initialise(a);
  second->initialise(b);
  third->initialise(c);
  CHECK(validation_message(*first) == "");
  CHECK(validation_message(*third) == "");
  bool weights_differ = false;
  for (std::size_t i = 0; i < parameter_count; ++i) {
    INFO(first->parameter_name(i));
    CHECK(std::isfinite(first->parameters()(i)));
    CHECK(first->parameters()(i) == second->parameters()(i));
    if (i >= units && first->parameters()(i) != third->parameters()(i)) weights_differ = true;
  }
  CHECK(weights_differ);
}

}  // namespace helmholtz::plugin_test
