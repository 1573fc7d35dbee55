// The training architecture shared by every algorithm: the algorithm registry (a fake
// algorithm takes one registration), resuming (5 + 5 epochs give the model of 10), fixed
// blocks with every registered algorithm, divergence, early stopping, schedules, the step
// rules, weight decay, conjugate gradient on a known objective, and noisy-or learning at
// the rate sigmoid uses.
#include <doctest/doctest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <thread>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/training/optimisers/conjugate_gradient.hpp"
#include "framework/engines/training/optimisers/schedule.hpp"
#include "framework/engines/training/direction_learner.hpp"
#include "framework/engines/training/learning_coordinates.hpp"
#include "framework/engines/training/optimisers/step_rule.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/model_file.hpp"
#include "tests/support/fixed_blocks.hpp"
#include "tests/support/same_bits.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

// Two hidden layers of sigmoid units above 6 observed ones; parameters from the seed.
const char* const student_yaml = R"(
seed: 3
nodes:
  - {name: top,  type: binary, size: 2}
  - {name: mid,  type: binary, size: 3}
  - {name: data, type: binary, size: 6, observed: true}
generative:
  top:  {distribution: sigmoid}
  mid:  {distribution: sigmoid, parents: [top]}
  data: {distribution: sigmoid, parents: [mid]}
)";

const char* const teacher_yaml = R"(
nodes:
  - {name: top,  type: binary, size: 2}
  - {name: mid,  type: binary, size: 3}
  - {name: data, type: binary, size: 6, observed: true}
generative:
  top:  {distribution: sigmoid, bias: [0.5, -0.5]}
  mid:  {distribution: sigmoid, parents: [top], bias: [-2, -2, -2], weights: {top: [[4, 0], [0, 4], [3, 3]]}}
  data: {distribution: sigmoid, parents: [mid], bias: [-3, -3, -3, -3, -3, -3],
         weights: {mid: [[6, 0, 0], [6, 0, 0], [0, 6, 0], [0, 6, 0], [0, 0, 6], [0, 0, 6]]}}
)";

Matrix teacher_data(std::size_t patterns, std::uint64_t seed) {
  const Network teacher = parse_model(teacher_yaml, "teacher.yaml");
  Rng rng = make_rng(seed);
  return sample_visible(teacher, patterns, rng);
}

TrainingOutcome run(Network& network, const Matrix& data, const TrainingOptions& options, TrainingSetup& setup,
                    const std::function<void(const EpochReport&)>& on_epoch = {}) {
  return train(network, data, options, setup, on_epoch);
}

TrainingOutcome run(Network& network, const Matrix& data, const TrainingOptions& options) {
  TrainingSetup setup;
  return train(network, data, options, setup);
}

using testing::same_parameters;

// What `train --resume` does: the network written with its training record after a run of
// `options` that ended in `setup`, read back; `resumed` continues from its record.
Network through_model_file(Network network, const TrainingOptions& options, const TrainingSetup& setup,
                           TrainingSetup& resumed) {
  TrainingRecord record;
  record.options = options;
  record.epochs_completed = setup.epochs_completed;
  record.optimiser_state = setup.optimiser_state;
  network.training = record;
  Network loaded = parse_model(model_to_yaml(network), "recorded.yaml");
  REQUIRE(loaded.training);
  resumed.epochs_completed = loaded.training->epochs_completed;
  resumed.optimiser_state = loaded.training->optimiser_state;
  return loaded;
}

// A fake algorithm whose every minibatch adds `push` to the first generative parameter (the
// bias of the top node), so that tests know exactly where training goes.
class Push final : public TrainingAlgorithm {
 public:
  explicit Push(double push) : push_(push) {}
  void train_batch(const Matrix&, Rng&, Learners& learners, double rate_factor) override {
    learners.generative.zero_gradient();
    learners.generative.gradient()(0) = push_;
    learners.generative.step(rate_factor);
    ++batches;
  }
  double push_;
  std::size_t batches = 0;
};

}  // namespace

TEST_CASE("a fake algorithm takes one registration and is found by name, and an unknown name lists the known ones") {
  AlgorithmRegistry registry;
  registry.add({"push", "moves the top bias", [](Network&, const TrainingOptions&) {
                  return std::make_unique<Push>(1.0);
                }});
  CHECK(registry.contains("push"));
  CHECK(registry.names() == std::vector<std::string>{"push"});
  Network network = parse_model(student_yaml, "s.yaml");
  const double before = network.generative.parameters(0);
  TrainingOptions options;
  options.algorithm = "push";
  options.epochs = 2;
  options.batch_size = 5;
  options.generative_rate = 0.5;
  TrainingSetup setup;
  setup.algorithms = &registry;
  const Matrix data = teacher_data(20, 1);
  run(network, data, options, setup);
  CHECK(network.generative.parameters(0) == before + 2 * 4 * 0.5);  // 2 epochs of 4 batches
  CHECK_THROWS_WITH_AS(registry.add({"push", "", {}}), "an algorithm named 'push' is already registered", Error);
  options.algorithm = "pull";
  CHECK_THROWS_WITH_AS(run(network, data, options, setup), "unknown algorithm 'pull' (available: push)", Error);
  // The built-in registry knows wake-sleep.
  CHECK(builtin_algorithms().contains("wake-sleep"));
}

TEST_CASE("5 + 5 epochs resumed from the recorded state give the model of 10 epochs, bit for bit") {
  const Matrix data = teacher_data(60, 2);
  for (const std::string optimizer : {"sgd", "momentum"}) {
    CAPTURE(optimizer);
    TrainingOptions options;
    options.optimizer = optimizer;
    options.momentum = 0.5;
    options.batch_size = 7;
    options.seed = 21;
    options.schedule = "inverse";
    options.generative_rate = options.recognition_rate = 0.05;
    options.weight_decay = 1e-3;
    Network whole = parse_model(student_yaml, "s.yaml"), halves = whole;
    options.epochs = 10;
    run(whole, data, options);
    options.epochs = 5;
    TrainingSetup setup;
    run(halves, data, options, setup);
    CHECK(setup.epochs_completed == 5);
    CHECK(!same_parameters(whole, halves));
    TrainingSetup resumed;
    Network loaded = through_model_file(halves, options, setup, resumed);
    CHECK(resumed.optimiser_state.count("generative") == (optimizer == "momentum" ? 1u : 0u));
    TrainingOptions more = loaded.training->options;
    more.epochs = 5;
    run(loaded, data, more, resumed);
    CHECK(resumed.epochs_completed == 10);
    CHECK(same_parameters(whole, loaded));
  }
}

TEST_CASE("conjugate gradient resumed from the recorded state continues exactly, reparameterised plugins included") {
  // A noisy-or data node learns in log-hazard coordinates: the resumed run takes them back
  // from the written parameters, and must land on the very same points.
  const char* const mixed = R"(
seed: 6
nodes:
  - {name: top,  type: binary, size: 2}
  - {name: mid,  type: binary, size: 3}
  - {name: data, type: binary, size: 6, observed: true}
generative:
  top:  {distribution: sigmoid}
  mid:  {distribution: sigmoid, parents: [top]}
  data: {distribution: noisy-or, parents: [mid]}
)";
  const Matrix data = teacher_data(80, 7);
  TrainingOptions options;
  options.algorithm = "deterministic";
  options.optimizer = "cg";
  options.generative_rate = options.recognition_rate = 0.1;
  options.weight_decay = 1e-3;
  Network whole = parse_model(mixed, "m.yaml"), parts = whole;
  options.epochs = 5;
  run(whole, data, options);
  options.epochs = 3;
  TrainingSetup setup;
  run(parts, data, options, setup);
  TrainingSetup resumed;
  Network loaded = through_model_file(parts, options, setup, resumed);
  CHECK(resumed.optimiser_state.count("conjugate-gradient") == 1);
  options.epochs = 2;
  run(loaded, data, options, resumed);
  CHECK(same_parameters(whole, loaded));
}

TEST_CASE("fixed blocks stay bit for bit fixed through training with every registered algorithm") {
  // Sigmoid everywhere, so that every algorithm (natural gradients included) applies.
  const char* const fixed_yaml = R"(
seed: 4
nodes:
  - {name: top,  type: binary, size: 2}
  - {name: mid,  type: binary, size: 3}
  - {name: data, type: binary, size: 6, observed: true}
generative:
  top:  {distribution: sigmoid, fixed: [bias]}
  mid:  {distribution: sigmoid, parents: [top], fixed: [weights]}
  data: {distribution: sigmoid, parents: [mid], fixed: [bias, weights]}
recognition:
  mid: {distribution: sigmoid, parents: [data], fixed: [bias]}
  top: {distribution: sigmoid, parents: [mid], fixed: [weights]}
)";
  const Matrix data = teacher_data(40, 3);
  for (const std::string& algorithm : builtin_algorithms().names()) {
    for (const std::string optimizer : {"sgd", "momentum", "cg"}) {
      CAPTURE(algorithm);
      CAPTURE(optimizer);
      Network network = parse_model(fixed_yaml, "fixed.yaml");
      const Network before = network;
      TrainingOptions options;
      options.algorithm = algorithm;
      options.optimizer = optimizer;
      options.epochs = 2;
      options.batch_size = 4;
      options.seed = 8;
      options.weight_decay = 0.01;  // decay must not move fixed weights either
      options.generative_rate = options.recognition_rate = 0.1;
      TrainingSetup setup;
      try {
        train(network, data, options, setup);
      } catch (const Error& e) {
        // Only the line-search optimiser may refuse, for algorithms without an objective.
        CHECK(optimizer == "cg");
        CHECK(std::string(e.what()).find("follows none") != std::string::npos);
        continue;
      }
      const auto [kept, moved] = testing::check_fixed_blocks(network, before);
      CHECK(kept == 2 + 3 * 2 + 6 * 4 + 3 + 2 * 3);
      CHECK(moved > 0);  // the rest did learn
    }
  }
}

TEST_CASE("a diverging run stops with a clear message and the last good parameters") {
  const Matrix data = teacher_data(50, 4);
  Network network = parse_model(student_yaml, "s.yaml");
  const Network start = network;
  TrainingOptions options;
  options.epochs = 5;
  options.generative_rate = options.recognition_rate = 1e308;
  options.seed = 1;
  std::size_t reports = 0;
  TrainingSetup setup;
  const TrainingOutcome outcome = run(network, data, options, setup, [&](const EpochReport&) { ++reports; });
  CHECK(outcome.diverged);
  CHECK(outcome.epochs_completed == 0);
  CHECK(reports == 0);
  CHECK(outcome.message.find("training diverged in epoch 1") == 0);
  CHECK(outcome.message.find("the parameters after epoch 0 are kept") != std::string::npos);
  CHECK(same_parameters(network, start));
}

// A fixed noisy-or weight of exactly 1 is a certain cause: for a pattern with v[0] off, Q's
// samples with h[0] on are impossible under P, and one of them makes the sampled bound -inf.
// That is its exact value, not an overflow: training goes on.
TEST_CASE("a fixed noisy-or weight of exactly 1 gives a sampled bound of -inf, and training goes on instead of "
          "stopping as diverged") {
  const char* const certain_yaml = R"(
nodes:
  - {name: h, type: binary, size: 2}
  - {name: v, type: binary, size: 3, observed: true}
generative:
  h: {distribution: sigmoid}
  v: {distribution: noisy-or, parents: [h], bias: [0.01, 0.01, 0.01], weights: {h: [[1, 0], [0, 1], [0.5, 0.5]]},
      fixed: [weights]}
)";
  Network network = parse_model(certain_yaml, "certain.yaml");
  Rng rng = make_rng(5);
  const Matrix data = sample_visible(network, 200, rng);
  TrainingOptions options;
  options.epochs = 2;
  options.seed = 1;
  std::vector<double> bounds;
  TrainingSetup setup;
  const TrainingOutcome outcome = run(network, data, options, setup, [&](const EpochReport& r) {
    bounds.push_back(r.sampled_bound);
  });
  CHECK(!outcome.diverged);
  CHECK(outcome.epochs_completed == 2);
  REQUIRE(bounds.size() == 2);
  CHECK(bounds[0] == -std::numeric_limits<double>::infinity());
  const Network start = parse_model(certain_yaml, "certain.yaml");
  CHECK(network.generative.parameters != start.generative.parameters);  // it learned
}

TEST_CASE("patience stops training and restores the parameters of the best validation epoch") {
  // The fake algorithm raises the top bias by 1 per epoch (one batch): the validation
  // log-likelihood rises while the bias approaches the data's rate of top units, then falls.
  AlgorithmRegistry registry;
  registry.add({"push", "", [](Network&, const TrainingOptions&) { return std::make_unique<Push>(1.0); }});
  const char* const one_unit = R"(
nodes:
  - {name: d, type: binary, size: 1, observed: true}
generative:
  d: {distribution: sigmoid, bias: [-4]}
)";
  Network network = parse_model(one_unit, "one.yaml");
  Matrix data = Matrix::from_shape({10, 1});
  for (std::size_t n = 0; n < 10; ++n) data(n, 0) = n < 5 ? 1.0 : 0.0;  // log-likelihood best at bias 0
  TrainingOptions options;
  options.algorithm = "push";
  options.epochs = 20;
  options.batch_size = 10;
  options.generative_rate = 1.0;
  options.patience = 2;
  TrainingSetup setup;
  setup.algorithms = &registry;
  setup.validation = &data;
  std::vector<EpochReport> reports;
  const TrainingOutcome outcome = run(network, data, options, setup, [&](const EpochReport& r) { reports.push_back(r); });
  CHECK(outcome.stopped_early);
  CHECK(outcome.best_epoch == 4);  // bias -4 + 4 = 0
  CHECK(reports.size() == 6);      // epochs 5 and 6 without progress
  CHECK(network.generative.parameters(0) == 0.0);
  CHECK(outcome.epochs_completed == 4);
  CHECK(reports[3].validation_log_likelihood == doctest::Approx(std::log(0.5)).epsilon(1e-14));
}

TEST_CASE("schedules: constant, 1 / (1 + decay t), exp(-decay t), and unknown names are refused") {
  CHECK(Schedule("constant", 0.3).factor(7) == 1.0);
  CHECK(Schedule("inverse", 0.5).factor(0) == 1.0);
  CHECK(Schedule("inverse", 0.5).factor(4) == doctest::Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(Schedule("exponential", 0.1).factor(10) == doctest::Approx(std::exp(-1.0)).epsilon(1e-15));
  CHECK_THROWS_WITH_AS(Schedule("cosine", 0.1), "unknown schedule 'cosine' (available: constant, inverse, exponential)",
                       Error);
}

TEST_CASE("step rules: sgd adds rate g, momentum keeps a fraction of the last step, and its state round-trips") {
  TrainingOptions options;
  Vector v = {1.0, 2.0}, g = {0.5, -1.0};
  options.optimizer = "sgd";
  auto sgd = make_step_rule(options, 2);
  sgd->step(v, g, 0.1);
  CHECK(v(0) == 1.0 + 0.1 * 0.5);
  CHECK(v(1) == 2.0 - 0.1);
  options.optimizer = "momentum";
  options.momentum = 0.5;
  auto momentum = make_step_rule(options, 2);
  Vector w = {0.0, 0.0};
  momentum->step(w, g, 1.0);  // m = g
  momentum->step(w, g, 1.0);  // m = 0.5 g + g
  CHECK(w(0) == 0.5 + 0.75);
  CHECK(w(1) == -1.0 - 1.5);
  auto again = make_step_rule(options, 2);
  again->set_state(momentum->state());
  Vector a = w, b = w;
  momentum->step(a, g, 1.0);
  again->step(b, g, 1.0);
  CHECK(a == b);
  options.optimizer = "adam";
  CHECK_THROWS_WITH_AS(make_step_rule(options, 2), "unknown optimizer 'adam' (available: sgd, momentum, cg)", Error);
}

TEST_CASE("conjugate gradient climbs a concave quadratic monotonically to its maximum") {
  // f(x) = -1/2 (x - c)^T A (x - c), A positive definite and badly conditioned.
  const Matrix A = {{10.0, 2.0, 0.0}, {2.0, 1.0, 0.3}, {0.0, 0.3, 0.2}};
  const Vector c = {1.0, -2.0, 3.0};
  ConjugateGradient cg(0.1);
  const ConjugateGradient::Function f = [&](Vector& x, Vector& gradient) {
    double value = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      double ax = 0;
      for (std::size_t j = 0; j < 3; ++j) ax += A(i, j) * (x(j) - c(j));
      gradient(i) = -ax;
      value -= 0.5 * (x(i) - c(i)) * ax;
    }
    return value;
  };
  Vector x = {0.0, 0.0, 0.0};
  double previous = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < 40; ++i) {
    const double value = cg.iterate(x, f);
    CHECK(value >= previous);
    previous = value;
  }
  for (std::size_t i = 0; i < 3; ++i) CHECK(x(i) == doctest::Approx(c(i)).epsilon(1e-6));
  // The state continues the iterations exactly.
  ConjugateGradient copy(0.1);
  copy.set_state(cg.state());
  Vector y = x;
  cg.iterate(x, f);
  copy.iterate(y, f);
  CHECK(x == y);
}

TEST_CASE("weight decay adds -lambda theta to the weights' gradient only, and its penalty") {
  Network network = parse_model(student_yaml, "s.yaml");
  DirectedModel& model = network.generative;
  LearningCoordinates coordinates(model, false);
  Vector gradient = Vector::from_shape({model.parameters.size()});
  gradient.fill(0.0);
  const double penalty = coordinates.add_weight_decay(0.5, &gradient);
  double expected = 0;
  for (std::size_t node = 0; node < network.nodes.size(); ++node) {
    const Distribution& d = *model.conditionals[node].distribution;
    for (std::size_t i = 0; i < d.parameter_count(); ++i) {
      const double theta = d.parameters()(i);
      const bool weight = d.block_of(i).name == "weights";
      CHECK(gradient(model.offsets[node] + i) == (weight ? -0.5 * theta : 0.0));
      if (weight) expected += 0.25 * theta * theta;
    }
  }
  CHECK(penalty == doctest::Approx(expected).epsilon(1e-14));
}

TEST_CASE("the fused sgd step gives bit for bit the parameters of the rule's step and store, bounded blocks included") {
  // sigmoid (unbounded) over noisy-or (weights and bias in [0, 1]) in natural coordinates:
  // plain coordinates with both kinds of segment, and the float copy of single precision.
  const char* const yaml = R"(
seed: 5
nodes:
  - {name: top,  type: binary, size: 3}
  - {name: data, type: binary, size: 5, observed: true}
generative:
  top:  {distribution: sigmoid}
  data: {distribution: noisy-or, parents: [top]}
)";
  for (const bool with_single : {false, true}) {
    for (const bool overflow : {false, true}) {
      CAPTURE(with_single);
      CAPTURE(overflow);
      Network a = parse_model(yaml, "a.yaml"), b = parse_model(yaml, "b.yaml");
      for (Network* n : {&a, &b})
        if (with_single) n->generative.enable_single_precision();
      const std::size_t size = a.generative.parameters.size();
      Rng rng = make_rng(11);
      Vector g = Vector::from_shape({size});
      VectorF extra = VectorF::from_shape({size});
      for (std::size_t i = 0; i < size; ++i) {
        g(i) = 4.0 * uniform01(rng) - 2.0;  // steps of up to 1.2: many leave [0, 1]
        extra(i) = static_cast<float>(0.5 * uniform01(rng) - 0.25);
      }
      if (overflow) g(1) = std::numeric_limits<double>::infinity();
      const double rate = 0.6;

      LearningCoordinates plain_a(a.generative, true), plain_b(b.generative, true);
      REQUIRE(plain_a.plain());
      Vector sum = g;  // what the learner's unfused path adds up: g + the float gradient
      if (with_single)
        for (std::size_t i = 0; i < size; ++i) sum(i) += extra(i);
      TrainingOptions options;
      make_step_rule(options, size)->step(plain_a.values(), sum, rate);
      plain_a.store();

      plain_b.step_and_store(g, with_single ? &extra : nullptr, rate);

      CHECK(plain_b.overflowed() == overflow);
      CHECK(plain_a.overflowed() == plain_b.overflowed());
      for (std::size_t i = 0; i < size; ++i) {
        CHECK(std::bit_cast<std::uint64_t>(a.generative.parameters(i)) ==
              std::bit_cast<std::uint64_t>(b.generative.parameters(i)));
        CHECK(g(i) == 0.0);
        if (with_single) {
          CHECK(extra(i) == 0.0f);
          CHECK(a.generative.single(i) == b.generative.single(i));
        }
      }
      // The distributions were refreshed: they see the new parameters.
      const Distribution& noisy_or = *b.generative.conditionals[1].distribution;
      CHECK(noisy_or.parameters()(0) == b.generative.parameters(b.generative.offsets[1]));
    }
  }
}

TEST_CASE("the online sgd step made in the parameters gives bit for bit the step through the gradient buffer") {
  // One pattern, sigmoid everywhere: ascend_log_probability adds rate x the gradient
  // straight into the parameters; zero, accumulate and step go through the buffer.
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    Network a = parse_model(student_yaml, "a.yaml"), b = parse_model(student_yaml, "b.yaml");
    TrainingOptions options;
    DirectionLearner in_place(a.generative, options, 0.37), buffered(b.generative, options, 0.37);
    Vector one = Vector::from_shape({1});
    one(0) = 1.0;
    Rng rng = make_rng(seed);
    for (int step = 0; step < 20; ++step) {
      AncestralSampler sampler(a);  // states of every node for one pattern, 0 or 1
      const NodeStates& states = sampler.sample(1, rng);
      in_place.ascend_log_probability(states, one, 0.9);
      buffered.zero_gradient();
      buffered.accumulate_log_probability_gradient(states, one);
      buffered.step(0.9);
    }
    for (std::size_t i = 0; i < a.generative.parameters.size(); ++i)
      CHECK(std::bit_cast<std::uint64_t>(a.generative.parameters(i)) ==
            std::bit_cast<std::uint64_t>(b.generative.parameters(i)));
    CHECK(a.generative.parameters != parse_model(student_yaml, "c.yaml").generative.parameters);  // it moved
  }
}

TEST_CASE("learning coordinates: round trips, and gradients by the chain rule agree with finite differences") {
  for (Reparameterisation r : {Reparameterisation::identity, Reparameterisation::log, Reparameterisation::log_hazard}) {
    CAPTURE(describe(r));
    for (double theta : {1e-6, 0.01, 0.3, 0.7, 0.999}) {
      const double v = to_learning(r, theta);
      CHECK(to_natural(r, v) == doctest::Approx(theta).epsilon(1e-13));
      const double h = 1e-6;
      const double numeric = (to_natural(r, v + h) - to_natural(r, v - h)) / (2 * h);
      CHECK(natural_derivative(r, v, theta) == doctest::Approx(numeric).epsilon(1e-7));
    }
  }
  // Zero stays exactly zero in the multiplicative coordinates.
  CHECK(to_natural(Reparameterisation::log, -std::numeric_limits<double>::max()) == 0.0);
  CHECK(to_natural(Reparameterisation::log_hazard, -std::numeric_limits<double>::max()) == 0.0);
}

namespace {

// An odds-sum node under one sigmoid unit: bias [0.5, 0.5], weights [[0], [0.3]] (log
// coordinates), and the flat index of each of its parameters.
struct OddsNode {
  Network network = parse_model(R"(
nodes:
  - {name: top,  type: binary, size: 1}
  - {name: data, type: binary, size: 2, observed: true}
generative:
  top:  {distribution: sigmoid}
  data: {distribution: odds-sum, parents: [top], bias: [0.5, 0.5], weights: {top: [[0], [0.3]]}}
)", "odds.yaml");
  std::size_t bias = network.generative.offsets[1], zero_weight = bias + 2, weight = bias + 3;
};

}  // namespace

// Momentum keeps moving v after the step that took a parameter to an exact 0 (v = -DBL_MAX),
// and v = -DBL_MAX plus a large negative velocity rounds to -inf: still theta = 0.
TEST_CASE("learning coordinates: an exact 0 that momentum carries on to v = -inf stays 0 and has not overflowed (-inf "
          "for a parameter that was not 0, or +inf under log coordinates, has)") {
  OddsNode odds;
  DirectedModel& model = odds.network.generative;
  LearningCoordinates coordinates(model, false);
  const double inf = std::numeric_limits<double>::infinity();
  coordinates.values()(odds.zero_weight) = -inf;
  coordinates.store();
  CHECK(!coordinates.overflowed());
  CHECK(model.parameters(odds.zero_weight) == 0.0);
  CHECK(coordinates.values()(odds.zero_weight) == -std::numeric_limits<double>::max());

  coordinates.load();
  coordinates.values()(odds.weight) = -inf;  // 0.3 to 0 in one step: an overflow
  coordinates.store();
  CHECK(coordinates.overflowed());
  CHECK(model.parameters(odds.weight) == 0.0);

  coordinates.load();
  coordinates.values()(odds.bias) = inf;  // e^inf is beyond every double
  coordinates.store();
  CHECK(coordinates.overflowed());
  CHECK(model.parameters(odds.bias) == std::numeric_limits<double>::max());
}

// d theta / d v = theta under log coordinates: to first order a natural-gradient displacement
// of 0.5 at theta = 1e-300 is a step of 5e299 in v, which took theta to 1.8e308, and one of
// 1e8 at 5e-324 an infinite step.
TEST_CASE("learning coordinates: a natural-gradient displacement that would multiply theta by more than e under log "
          "coordinates takes theta exactly to theta + rate d (1e-300 with 0.5 went to 1.8e308), a small one stays "
          "first order, and a tiny theta on the way down stays put") {
  OddsNode odds;
  DirectedModel& model = odds.network.generative;
  Vector theta = model.conditionals[1].distribution->parameters();
  theta(3) = 1e-300;  // the weight of 0.3
  model.conditionals[1].distribution->set_parameters(theta);
  LearningCoordinates coordinates(model, false);
  const double rate = 0.1;
  Vector displacement = Vector::from_shape({model.parameters.size()}), out;
  displacement.fill(0.0);
  displacement(odds.weight) = 0.5;
  displacement(odds.bias) = 0.25;  // rate d / theta = 0.05: first order, d / theta
  displacement(odds.zero_weight) = 0.5;  // an exact 0: slope 0, it stays 0
  coordinates.displacement_to_learning(displacement, out, rate);
  CHECK(std::exp(coordinates.values()(odds.weight) + rate * out(odds.weight)) == doctest::Approx(0.05));
  CHECK(out(odds.bias) == 0.25 / 0.5);
  CHECK(out(odds.zero_weight) == 0.0);
  // Down from 5e-324, d / theta overflows: the weight stays put instead of an infinite step.
  theta(3) = std::numeric_limits<double>::denorm_min();
  model.conditionals[1].distribution->set_parameters(theta);
  coordinates.load();
  displacement(odds.weight) = -1e8;
  coordinates.displacement_to_learning(displacement, out, rate);
  CHECK(out(odds.weight) == 0.0);
  displacement(odds.weight) = std::numeric_limits<double>::quiet_NaN();  // still shows
  coordinates.displacement_to_learning(displacement, out, rate);
  CHECK(std::isnan(out(odds.weight)));
}

TEST_CASE("wake-sleep with the reparameterised noisy-or learns a known noisy-or network at a rate of 0.05") {
  const char* const noisy_teacher = R"(
nodes:
  - {name: causes, type: binary, size: 3}
  - {name: data,   type: binary, size: 8, observed: true}
generative:
  causes: {distribution: sigmoid, bias: [-1, -1, -1]}
  data:   {distribution: noisy-or, parents: [causes], bias: [0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02],
           weights: {causes: [[0.9, 0, 0], [0.9, 0, 0], [0.8, 0.8, 0], [0, 0.9, 0],
                              [0, 0.9, 0], [0, 0.8, 0.8], [0, 0, 0.9], [0, 0, 0.9]]}}
)";
  const char* const noisy_student = R"(
seed: 5
nodes:
  - {name: causes, type: binary, size: 3}
  - {name: data,   type: binary, size: 8, observed: true}
generative:
  causes: {distribution: sigmoid}
  data:   {distribution: noisy-or, parents: [causes]}
)";
  const Network teacher = parse_model(noisy_teacher, "teacher.yaml");
  Rng rng = make_rng(6);
  const Matrix training = sample_visible(teacher, 2000, rng), held_out = sample_visible(teacher, 1000, rng);
  auto mean_log_likelihood = [&](const Network& n) {
    double sum = 0;
    for (double x : exact_inference(n, held_out).log_likelihood) sum += x;
    return sum / static_cast<double>(held_out.shape(0));
  };
  const double truth = mean_log_likelihood(teacher);
  Network student = parse_model(noisy_student, "student.yaml");
  const double before = mean_log_likelihood(student);
  TrainingOptions options;
  options.epochs = 15;
  options.generative_rate = options.recognition_rate = 0.05;
  options.seed = 7;
  std::vector<double> curve;
  TrainingSetup setup;
  setup.validation = &held_out;
  run(student, training, options, setup, [&](const EpochReport& r) { curve.push_back(r.validation_log_likelihood); });
  const double after = mean_log_likelihood(student);
  MESSAGE("noisy-or at rate 0.05: held-out log p(d) " << before << " -> " << after << " (true network " << truth << ")");
  CHECK(after > truth - 0.35);
  // Learning does not make it worse along the way (the old probability-space gradients did).
  for (std::size_t e = 1; e < curve.size(); ++e) CHECK(curve[e] > before);
}

}  // namespace helmholtz

namespace helmholtz {

TEST_CASE("the trainer reports the fraction of its epochs done, at most every half second") {
  // A fake algorithm that takes 0.3 s per minibatch: 2 epochs of 3 minibatches take 1.8 s.
  struct Slow final : TrainingAlgorithm {
    void train_batch(const Matrix&, Rng&, Learners&, double) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  };
  AlgorithmRegistry registry;
  registry.add({"slow", "", [](Network&, const TrainingOptions&) { return std::make_unique<Slow>(); }});
  Network network = parse_model(student_yaml, "s.yaml");
  TrainingOptions options;
  options.algorithm = "slow";
  options.epochs = 2;
  options.batch_size = 10;
  TrainingSetup setup;
  setup.algorithms = &registry;
  std::vector<double> fractions;
  setup.on_progress = [&](double f) { fractions.push_back(f); };
  train(network, teacher_data(30, 1), options, setup);
  REQUIRE(fractions.size() >= 2);
  CHECK(fractions.size() <= 4);
  for (std::size_t i = 0; i < fractions.size(); ++i) {
    CHECK(fractions[i] > 0.0);
    CHECK(fractions[i] <= 1.0);
    if (i > 0) CHECK(fractions[i] > fractions[i - 1]);
  }
}

}  // namespace helmholtz
