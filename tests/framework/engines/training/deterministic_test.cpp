// The deterministic Helmholtz machine (--algorithm deterministic): mean-field probabilities
// q bottom-up, generative probabilities p from them, and the cost
//   F(d) = sum_nodes sum_j KL[q_j || p_j],
// trained by the exact gradient of F in both directions. Checked: F against a brute-force
// reference written from the definition in long double; the gradient of the mean of -F,
// both directions, against finite differences on networks mixing the three plugins (a node
// with several parents, two hidden layers, observed nodes with parents); conjugate gradient
// raising -F every epoch, and sgd raising it; fixed blocks untouched bit for bit; a plugin
// without a mean-field rule refused by name; no allocation per minibatch.
#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <dlfcn.h>
#include <functional>
#include <limits>
#include <map>
#include <new>
#include <string>
#include <tuple>
#include <vector>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/mean_field_pass.hpp"
#include "framework/engines/training/algorithm.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/model_file.hpp"
#include "framework/weighted_distribution.hpp"
#include "tests/support/fixed_blocks.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/random_networks.hpp"

#include "tests/support/allocation_counter.hpp"

using helmholtz::testing::allocations;

namespace helmholtz {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// Two hidden layers above the data; `data` has three parents, `top`'s recognition three;
// A, B and C are replaced by plugin names.
const char* const layered_yaml = R"(
nodes:
  - {name: top,   type: binary, size: 2}
  - {name: left,  type: binary, size: 3}
  - {name: right, type: binary, size: 2}
  - {name: data,  type: binary, size: 5, observed: true}
generative:
  top:   {distribution: A}
  left:  {distribution: B, parents: [top]}
  right: {distribution: C, parents: [top]}
  data:  {distribution: A, parents: [left, right, top]}
recognition:
  left:  {distribution: C, parents: [data]}
  right: {distribution: A, parents: [data, left]}
  top:   {distribution: B, parents: [left, right, data]}
)";

const std::vector<std::string> kinds = {"sigmoid", "noisy-or", "odds-sum"};

// The layered network with the plugins rotated by `rotation`, so that across rotations each
// plugin is a multi-parent node, a root, and a recognition rule.
std::string layered(std::size_t rotation) {
  std::string text = layered_yaml;
  const std::map<char, std::string> names = {{'A', kinds[rotation % 3]}, {'B', kinds[(rotation + 1) % 3]},
                                             {'C', kinds[(rotation + 2) % 3]}};
  for (std::size_t at = text.find("distribution: "); at != std::string::npos; at = text.find("distribution: ", at)) {
    at += 14;
    text.replace(at, 1, names.at(text[at]));
  }
  return text;
}

// Every distribution of both directions given parameters away from the ends of their ranges.
void moderate_parameters(Network& network, Rng& rng) {
  for (auto* model : {&network.generative, &network.recognition})
    for (auto& c : model->conditionals) {
      if (!c.distribution) continue;
      Vector theta = c.distribution->parameters();
      const std::string kind(c.distribution->kind());
      for (double& x : theta) {
        const double u = uniform01(rng);
        x = kind == "sigmoid" ? 4.0 * u - 2.0 : kind == "noisy-or" ? 0.05 + 0.85 * u : 0.05 + 2.0 * u;
      }
      c.distribution->set_parameters(theta);
    }
}

Matrix random_data(Rng& rng, std::size_t patterns, std::size_t width) {
  Matrix m = Matrix::from_shape({patterns, width});
  for (double& x : m) x = uniform01(rng) < 0.5 ? 1.0 : 0.0;
  return m;
}

std::unique_ptr<TrainingAlgorithm> deterministic(Network& network) {
  return builtin_algorithms().create("deterministic", network, TrainingOptions{});
}

// The mean of -F at the network's current parameters, through the algorithm's Objective.
double objective_at(Network& network, const Matrix& data) {
  auto algorithm = deterministic(network);
  REQUIRE(algorithm->objective() != nullptr);
  return algorithm->objective()->evaluate(data, nullptr, nullptr);
}

// ---------------------------------------------------------------------------------------
// The reference: F straight from its definition, in long double, one pattern at a time.
// Each unit's mean-field probability from its plugin's formula and the documented layout
// [bias | W row-major], with P(on) and P(off) each from its own closed form:
//   sigmoid   p = 1 / (1 + e^-a),  1 - p = 1 / (1 + e^a),  a = b + sum_k W_k x_k
//   noisy-or  1 - p = (1 - b) prod_k (1 - W_k x_k)
//   odds-sum  1 - p = (1 + b)^(-1) prod_k (1 + W_k)^(-x_k)   (its default, `mean_field: product`)

using Real = long double;

struct Probability {
  Real on, off;
};

Probability unit_probability(const Distribution& d, std::size_t j, const std::vector<Real>& x) {
  const std::size_t units = d.shape().units, k_count = d.shape().parent_units();
  REQUIRE(x.size() == k_count);
  const Vector theta = d.parameters();
  const Real b = theta(j);
  auto w = [&](std::size_t k) { return static_cast<Real>(theta(units + j * k_count + k)); };
  const std::string kind(d.kind());
  if (kind == "sigmoid") {
    Real a = b;
    for (std::size_t k = 0; k < k_count; ++k) a += w(k) * x[k];
    return {1 / (1 + std::exp(-a)), 1 / (1 + std::exp(a))};
  }
  if (kind == "noisy-or") {
    Real off = 1 - b;
    for (std::size_t k = 0; k < k_count; ++k) off *= 1 - w(k) * x[k];
    return {1 - off, off};
  }
  REQUIRE(kind == "odds-sum");  // its default mean-field rule, the product form
  Real log_off = -std::log1p(b);
  for (std::size_t k = 0; k < k_count; ++k) log_off -= x[k] * std::log1p(w(k));
  return {-std::expm1(log_off), std::exp(log_off)};
}

// a log(a / b), with 0 log 0 = 0 and a log(a / 0) = inf for a > 0.
Real kl_term(Real a, Real b) {
  if (a == 0) return 0;
  if (b == 0) return std::numeric_limits<Real>::infinity();
  return a * std::log(a / b);
}

// F of one pattern, and the sum of the sizes of its terms (what rounding is relative to).
struct Reference {
  Real value = 0, magnitude = 0;
};

// Optionally, one hidden unit's mean as its children see it, times `factor`.
struct Perturbation {
  std::size_t node = std::numeric_limits<std::size_t>::max(), unit = 0;
  Real factor = 1;
};

// F(d) of one pattern (a row of data), straight from the definition.
Reference reference_free_energy(const Network& network, const Matrix& data, std::size_t row,
                                const Perturbation& perturbation = {}) {
  const std::size_t nodes = network.nodes.size();
  std::vector<std::vector<Real>> on(nodes), off(nodes), seen(nodes);  // seen: the means children get
  std::size_t column = 0;
  for (std::size_t i = 0; i < nodes; ++i)  // observed nodes, in declaration order
    if (network.nodes[i].observed)
      for (std::size_t j = 0; j < network.nodes[i].size; ++j, ++column) {
        on[i].push_back(data(row, column));
        off[i].push_back(1 - static_cast<Real>(data(row, column)));
        seen[i].push_back(data(row, column));
      }
  // Hidden means: a node once all its recognition parents are known, until none is left.
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t i = 0; i < nodes; ++i) {
      if (!on[i].empty()) continue;
      const Conditional& c = network.recognition.conditionals[i];
      bool ready = true;
      std::vector<Real> x;
      for (std::size_t p : c.parents) {
        if (seen[p].empty()) ready = false;
        x.insert(x.end(), seen[p].begin(), seen[p].end());
      }
      if (!ready) continue;
      for (std::size_t j = 0; j < network.nodes[i].size; ++j) {
        const Probability q = unit_probability(*c.distribution, j, x);
        on[i].push_back(q.on);
        off[i].push_back(q.off);
        seen[i].push_back(i == perturbation.node && j == perturbation.unit ? q.on * perturbation.factor : q.on);
      }
      progress = true;
    }
  }
  Reference f;
  for (std::size_t i = 0; i < nodes; ++i) {
    const Conditional& c = network.generative.conditionals[i];
    std::vector<Real> x;
    for (std::size_t p : c.parents) x.insert(x.end(), seen[p].begin(), seen[p].end());
    for (std::size_t j = 0; j < network.nodes[i].size; ++j) {
      const Probability p = unit_probability(*c.distribution, j, x);
      const Real a = kl_term(on[i][j], p.on), b = kl_term(off[i][j], p.off);
      f.value += a + b;
      f.magnitude += std::abs(a) + std::abs(b);
    }
  }
  return f;
}

// How much F may move when each hidden mean is rounded to a double on its way to its
// children: the means cross the plugin interface as doubles, and a rule can be ill-conditioned
// in them (1 - W m for a noisy-or weight of 1 and a mean near 1). Measured on the reference
// itself, by moving each hidden mean by 64 units of double rounding, one at a time.
Real rounding_sensitivity(const Network& network, const Matrix& data, std::size_t row, Real value) {
  Real total = 0;
  for (std::size_t i : network.hidden_nodes())
    for (std::size_t j = 0; j < network.nodes[i].size; ++j) {
      const Perturbation moved{i, j, 1 - 64 * static_cast<Real>(std::numeric_limits<double>::epsilon())};
      total += std::abs(reference_free_energy(network, data, row, moved).value - value);
    }
  return total;
}

TEST_CASE("deterministic: F of each pattern is sum KL[q || p], as a long-double reference computes it") {
  Rng rng = make_rng(201);
  std::vector<Network> networks;
  for (std::size_t rotation = 0; rotation < 3; ++rotation) {
    networks.push_back(parse_model(layered(rotation), "layered.yaml"));
    moderate_parameters(networks.back(), rng);
  }
  // Random plugins with extreme parameters (sigmoid weights of +-20, noisy-or parameters of
  // exactly 0 and 1, odds-sum parameters of exactly 0), some patterns impossible (F = inf).
  for (int trial = 0; trial < 6; ++trial) {
    networks.push_back(testing::random_network(testing::layered_shape, rng));
    networks.push_back(testing::random_network(testing::mixed_shape, rng));
  }
  std::size_t finite = 0, infinite = 0;
  for (Network& network : networks) {
    CAPTURE(model_to_yaml(network));
    const Matrix data = random_data(rng, 16, network.visible_units());
    const MeanFieldRules rules = mean_field_rules(network, "deterministic");
    MeanFieldPass pass(network, rules);
    const Vector f = pass.forward(data);
    REQUIRE(f.size() == 16);
    Real mean = 0;
    double engine_mean = 0;
    for (std::size_t n = 0; n < 16; ++n) {
      engine_mean += f(n) / 16;
      const Reference expected = reference_free_energy(network, data, n);
      mean += expected.value / 16;
      INFO("pattern ", n, ": engine ", f(n), ", reference ", static_cast<double>(expected.value));
      REQUIRE(!std::isnan(f(n)));
      if (std::isinf(expected.value)) {
        CHECK(f(n) == infinity);
        ++infinite;
      } else {
        const Real allowed =
            1e-13L * std::max<Real>(1, expected.magnitude) + rounding_sensitivity(network, data, n, expected.value);
        INFO("allowed error ", static_cast<double>(allowed));
        CHECK(std::abs(f(n) - expected.value) <= allowed);
        ++finite;
      }
    }
    // The Objective gives the mean of -F.
    const double objective = objective_at(network, data);
    if (std::isinf(mean)) CHECK(objective == -infinity);
    else CHECK(objective == doctest::Approx(-engine_mean).epsilon(1e-14));
  }
  CHECK(finite > 100);
  CHECK(infinite > 0);  // the extremes did reach impossible patterns
}

TEST_CASE("deterministic: the objective over a data set larger than one block is the mean over all patterns") {
  Rng rng = make_rng(202);
  Network network = parse_model(layered(1), "layered.yaml");
  moderate_parameters(network, rng);
  const Matrix data = random_data(rng, 700, network.visible_units());  // blocks of 256, 256 and 188
  Real mean = 0;
  for (std::size_t n = 0; n < data.shape(0); ++n) mean += reference_free_energy(network, data, n).value;
  mean /= data.shape(0);
  CHECK(std::abs(objective_at(network, data) + mean) <= 1e-12L * std::abs(mean));
}

// ---------------------------------------------------------------------------------------
// The gradient, against finite differences of the objective.

// Four-point central differences of the mean of -F along each parameter of `model`, the step
// kept well inside the parameter's valid range.
Vector numeric_gradient(Network& network, DirectedModel& model, const Matrix& data) {
  auto algorithm = deterministic(network);
  Objective& objective = *algorithm->objective();
  Vector out = Vector::from_shape({model.parameter_count()});
  for (std::size_t node = 0; node < model.conditionals.size(); ++node) {
    const Distribution* d = model.conditionals[node].distribution.get();
    if (!d) continue;
    for (std::size_t i = 0; i < d->parameter_count(); ++i) {
      const std::size_t at = model.offsets[node] + i;
      const double x = model.parameters(at);
      const ParameterRange range = d->block_of(i).valid;
      const double room = std::min(x - range.lower, range.upper - x);
      const double h = std::min(1e-4 * std::max(1.0, std::abs(x)), 0.01 * room);
      auto f = [&](double value) {
        model.parameters(at) = value;
        model.parameters_changed();
        return objective.evaluate(data, nullptr, nullptr);
      };
      out(at) = (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);
      f(x);
    }
  }
  return out;
}

void check_gradient(Network& network, const Matrix& data) {
  auto algorithm = deterministic(network);
  Vector generative, recognition;
  algorithm->objective()->evaluate(data, &generative, &recognition);
  REQUIRE(generative.size() == network.generative.parameter_count());
  REQUIRE(recognition.size() == network.recognition.parameter_count());
  for (auto [model, analytic, direction] : {std::tuple{&network.generative, &generative, "generative"},
                                            std::tuple{&network.recognition, &recognition, "recognition"}}) {
    const Vector numeric = numeric_gradient(network, *model, data);
    for (std::size_t node = 0; node < model->conditionals.size(); ++node) {
      const Distribution* d = model->conditionals[node].distribution.get();
      if (!d) continue;
      for (std::size_t i = 0; i < d->parameter_count(); ++i) {
        const std::size_t at = model->offsets[node] + i;
        INFO(direction, ".", network.nodes[node].name, " (", d->kind(), ") ", d->parameter_name(i), " = ",
             model->parameters(at), ": analytic ", (*analytic)(at), ", numeric ", numeric(at));
        CHECK(std::abs((*analytic)(at) - numeric(at)) <= 1e-7 * std::max(1.0, std::abs(numeric(at))));
      }
    }
  }
}

TEST_CASE("deterministic: the gradient of -F in both directions matches finite differences (three plugins mixed)") {
  Rng rng = make_rng(203);
  for (std::size_t rotation = 0; rotation < 3; ++rotation) {
    CAPTURE(rotation);
    Network network = parse_model(layered(rotation), "layered.yaml");
    moderate_parameters(network, rng);
    check_gradient(network, random_data(rng, 12, network.visible_units()));
  }
}

TEST_CASE("deterministic: the gradient matches finite differences with observed nodes that have parents") {
  // testing::mixed_shape: an observed root, an observed child of an observed node, a hidden
  // node with an observed generative parent, recognition nodes with two parents.
  Rng rng = make_rng(204);
  for (int trial = 0; trial < 3; ++trial) {
    Network network = testing::random_network(testing::mixed_shape, rng, false);
    moderate_parameters(network, rng);
    CAPTURE(model_to_yaml(network));
    check_gradient(network, random_data(rng, 10, network.visible_units()));
  }
}

// ---------------------------------------------------------------------------------------
// Training.

// Data from a known network of the layered shape (sigmoid above, noisy-or data).
Matrix teacher_data(std::size_t patterns, std::uint64_t seed) {
  const Network teacher = parse_model(R"(
nodes:
  - {name: top,   type: binary, size: 2}
  - {name: left,  type: binary, size: 3}
  - {name: right, type: binary, size: 2}
  - {name: data,  type: binary, size: 5, observed: true}
generative:
  top:   {distribution: sigmoid, bias: [0.5, -0.5]}
  left:  {distribution: sigmoid, parents: [top], bias: [-2, -2, -2], weights: {top: [[4, 0], [0, 4], [3, 3]]}}
  right: {distribution: sigmoid, parents: [top], bias: [-2, 1], weights: {top: [[4, -3], [-3, 0]]}}
  data:  {distribution: noisy-or, parents: [left, right, top], bias: [0.05, 0.05, 0.05, 0.05, 0.05],
          weights: {left: [[0.9, 0, 0], [0, 0.9, 0], [0, 0, 0.9], [0.5, 0.5, 0], [0, 0, 0]],
                    right: [[0, 0], [0, 0], [0, 0], [0.6, 0], [0.1, 0.9]],
                    top: [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]}}
)", "teacher.yaml");
  Rng rng = make_rng(seed);
  return sample_visible(teacher, patterns, rng);
}

// The student: every node and rule from the seed, the three plugins mixed.
const char* const student_yaml = R"(
seed: 7
nodes:
  - {name: top,   type: binary, size: 2}
  - {name: left,  type: binary, size: 3}
  - {name: right, type: binary, size: 2}
  - {name: data,  type: binary, size: 5, observed: true}
generative:
  top:   {distribution: sigmoid}
  left:  {distribution: noisy-or, parents: [top]}
  right: {distribution: sigmoid, parents: [top]}
  data:  {distribution: odds-sum, parents: [left, right, top]}
recognition:
  left:  {distribution: sigmoid, parents: [data]}
  right: {distribution: noisy-or, parents: [data, left]}
  top:   {distribution: sigmoid, parents: [left, right]}
)";

std::vector<EpochReport> train_deterministic(Network& network, const Matrix& data, TrainingOptions options) {
  options.algorithm = "deterministic";
  std::vector<EpochReport> reports;
  TrainingSetup setup;
  const TrainingOutcome outcome = train(network, data, options, setup, [&](const EpochReport& r) { reports.push_back(r); });
  CHECK(!outcome.diverged);
  CHECK(outcome.message == "");
  return reports;
}

TEST_CASE("deterministic: conjugate gradient raises -F at every epoch, and sgd raises it too") {
  const Matrix data = teacher_data(300, 1);
  const Network start = parse_model(student_yaml, "student.yaml");
  Network untrained = start;
  const double before = objective_at(untrained, data);

  Network cg = start;
  TrainingOptions options;
  options.optimizer = "cg";
  options.epochs = 25;
  options.generative_rate = options.recognition_rate = 0.1;
  const std::vector<EpochReport> reports = train_deterministic(cg, data, options);
  REQUIRE(reports.size() == 25);
  double previous = before;
  for (const EpochReport& r : reports) {
    INFO("epoch ", r.epoch, ": mean -F ", r.objective, " after ", previous);
    CHECK(std::isfinite(r.objective));
    CHECK(r.objective >= previous);
    previous = r.objective;
  }
  // The reported objective is the mean -F at the parameters reached.
  CHECK(objective_at(cg, data) == doctest::Approx(reports.back().objective).epsilon(1e-12));
  const double after_cg = reports.back().objective;

  Network sgd = start;
  options.optimizer = "sgd";
  options.epochs = 25;
  options.batch_size = 10;
  options.seed = 3;
  train_deterministic(sgd, data, options);
  const double after_sgd = objective_at(sgd, data);
  MESSAGE("mean -F on 300 patterns: " << before << " before, " << after_cg << " after 25 cg epochs, " << after_sgd
                                      << " after 25 sgd epochs (batch 10, rate 0.1)");
  CHECK(after_cg > before + 0.5);
  CHECK(after_sgd > before + 0.5);
}

TEST_CASE("deterministic: fixed blocks stay bit for bit fixed with sgd and with cg") {
  const char* const fixed_yaml = R"(
seed: 5
nodes:
  - {name: top,   type: binary, size: 2}
  - {name: left,  type: binary, size: 3}
  - {name: right, type: binary, size: 2}
  - {name: data,  type: binary, size: 5, observed: true}
generative:
  top:   {distribution: sigmoid, fixed: [bias]}
  left:  {distribution: noisy-or, parents: [top], fixed: [weights]}
  right: {distribution: odds-sum, parents: [top]}
  data:  {distribution: odds-sum, parents: [left, right, top], fixed: [bias]}
recognition:
  left:  {distribution: sigmoid, parents: [data], fixed: [weights]}
  right: {distribution: noisy-or, parents: [data, left], fixed: [bias]}
  top:   {distribution: odds-sum, parents: [left, right], fixed: [bias, weights]}
)";
  const Matrix data = teacher_data(60, 2);
  for (const std::string optimizer : {"sgd", "cg"}) {
    CAPTURE(optimizer);
    Network network = parse_model(fixed_yaml, "fixed.yaml");
    const Network before = network;
    TrainingOptions options;
    options.optimizer = optimizer;
    options.epochs = 3;
    options.batch_size = 6;
    options.weight_decay = 0.01;  // decay must not move fixed weights either
    options.generative_rate = options.recognition_rate = 0.1;
    train_deterministic(network, data, options);
    const auto [kept, moved] = testing::check_fixed_blocks(network, before);
    CHECK(kept == 2 + 3 * 2 + 5 + 3 * 5 + 2 + 2 * (1 + 5));
    CHECK(moved > 0);
  }
}

// ---------------------------------------------------------------------------------------
// A plugin without a mean-field rule: a logistic unit that implements only the required
// interface.

class Plain final : public WeightedDistribution {
 public:
  explicit Plain(NodeShape shape) : WeightedDistribution(std::move(shape), BlockSpec{}, BlockSpec{}) {}
  std::string_view kind() const override { return "plain"; }
  void probabilities(const Matrix& parents, Matrix& p) const override {
    affine(parents, p);
    for (double& a : p) a = 1 / (1 + std::exp(-a));
  }
  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    probabilities(parents, log_on);
    ensure_shape(log_off, log_on.shape(0), log_on.shape(1));
    for (std::size_t i = 0; i < log_on.size(); ++i) {
      log_off.data()[i] = std::log1p(-log_on.data()[i]);
      log_on.data()[i] = std::log(log_on.data()[i]);
    }
  }
  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p, Workspace& work) const override {
    log_firing_probabilities(parents, work.first, work.second);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n) {
      log_p(n) = 0;
      for (std::size_t j = 0; j < states.shape(1); ++j) log_p(n) += states(n, j) != 0 ? work.first(n, j) : work.second(n, j);
    }
  }
  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                           std::span<double> gradient, Workspace& work) const override {
    probabilities(parents, work.first);
    for (std::size_t i = 0; i < work.first.size(); ++i) work.first.data()[i] = states.data()[i] - work.first.data()[i];
    accumulate_affine_gradient(parents, work.first, weights, gradient);
  }
  std::unique_ptr<Distribution> clone() const override { return std::make_unique<Plain>(*this); }
};

Registry registry_with_plain() {
  Registry registry;
  register_builtin_plugins(registry);
  registry.add("plain", [](NodeShape shape) { return std::make_unique<Plain>(std::move(shape)); });
  return registry;
}

std::string refusal(Network& network) {
  try {
    deterministic(network);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("deterministic: a network with a plugin lacking the mean-field rule is refused, naming direction, node and plugin") {
  const Registry registry = registry_with_plain();
  const std::string shape = R"(
nodes:
  - {name: top,  type: binary, size: 2}
  - {name: data, type: binary, size: 3, observed: true}
generative:
  top:  {distribution: sigmoid}
  data: {distribution: GENERATIVE, parents: [top]}
recognition:
  top:  {distribution: RECOGNITION, parents: [data]}
)";
  auto with = [&](const std::string& generative, const std::string& recognition) {
    std::string text = shape;
    text.replace(text.find("GENERATIVE"), 10, generative);
    text.replace(text.find("RECOGNITION"), 11, recognition);
    return parse_model(text, "plain.yaml", registry);
  };
  Network generative = with("plain", "sigmoid");
  CHECK(refusal(generative) ==
        "the deterministic algorithm propagates probabilities through every distribution by its mean-field rule, but "
        "the generative distribution of node 'data' (plain) has none: its plugin does not implement MeanField "
        "(framework/mean_field.hpp)");
  Network recognition = with("noisy-or", "plain");
  CHECK(refusal(recognition) ==
        "the deterministic algorithm propagates probabilities through every distribution by its mean-field rule, but "
        "the recognition distribution of node 'top' (plain) has none: its plugin does not implement MeanField "
        "(framework/mean_field.hpp)");
  // The trainer passes the refusal on before any training, whatever the optimiser.
  Network untouched = with("plain", "sigmoid");
  const Network before = untouched;
  TrainingOptions options;
  options.algorithm = "deterministic";
  options.optimizer = "cg";
  TrainingSetup setup;
  CHECK_THROWS_WITH_AS(train(untouched, Matrix{{1.0, 0.0, 1.0}}, options, setup),
                       doctest::Contains("the generative distribution of node 'data' (plain) has none"), Error);
  CHECK(untouched.generative.parameters == before.generative.parameters);
  // The same network trains with wake-sleep, which needs no mean-field rule.
  options.algorithm = "wake-sleep";
  options.optimizer = "sgd";
  CHECK_NOTHROW(train(untouched, Matrix{{1.0, 0.0, 1.0}}, options, setup));
}

// ---------------------------------------------------------------------------------------
// Allocation.

TEST_CASE("deterministic: minibatch steps and whole-data evaluations allocate nothing in steady state") {
  const Matrix data = teacher_data(1000, 4);
  Network network = parse_model(student_yaml, "student.yaml");
  TrainingOptions options;
  options.algorithm = "deterministic";
  DirectionLearner generative(network.generative, options, 0.05);
  DirectionLearner recognition(network.recognition, options, 0.05);
  Learners learners{generative, recognition};
  auto algorithm = deterministic(network);
  Rng rng = make_rng(1);
  Matrix batch = Matrix::from_shape({10, data.shape(1)});
  auto step = [&](std::size_t first) {
    std::copy(data.data() + first * data.shape(1), data.data() + (first + 10) * data.shape(1), batch.data());
    algorithm->train_batch(batch, rng, learners, 1.0);
  };
  Vector g, r;
  algorithm->objective()->evaluate(data, &g, &r);  // warm-up: blocks of 256 and the remainder
  step(0);
  const long start = allocations.load();
  for (std::size_t first = 10; first < 500; first += 10) step(first);
  algorithm->objective()->evaluate(data, &g, &r);
  algorithm->objective()->evaluate(data, nullptr, nullptr);
  CHECK(allocations.load() - start == 0);
}

TEST_CASE("deterministic: an epoch over more patterns allocates no more (nothing per minibatch)") {
  // The trainer's reports look at the first 1000 patterns in both runs.
  const Matrix small = teacher_data(1000, 5), large = teacher_data(3000, 6);
  TrainingOptions options;
  options.algorithm = "deterministic";
  options.epochs = 1;
  options.batch_size = 10;
  options.seed = 1;
  Network warm_up = parse_model(student_yaml, "student.yaml"), a = warm_up, b = warm_up;
  TrainingSetup s0, s1, s2;
  train(warm_up, small, options, s0);  // statics made on first use (the algorithm registry)
  const long start = allocations.load();
  train(a, small, options, s1);
  const long for_small = allocations.load() - start;
  train(b, large, options, s2);
  const long for_large = allocations.load() - start - for_small;
  CHECK(for_large == for_small);
}

}  // namespace
}  // namespace helmholtz
