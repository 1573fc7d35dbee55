// Training with cues (--cue-epochs; Ramos, Sa-Couto & Wichert): the schedule of the cues'
// weight, the trainer handing it to the algorithm epoch by epoch, the wake phase learning
// from the cue, and the refusals.
// Facts checked:
//   w(t) = 1 - (t - 1) / E for t = 1 .. E and 0 after (E = 4: 1, 0.75, 0.5, 0.25, 0);
//   the trainer gives the algorithm w(t) before each epoch t, counting the epochs of a
//   resumed run (3 + 3 epochs with E = 4: 1, 0.75, 0.5, then 0.25, 0, 0), and never asks
//   when E = 0;
//   in an online wake step at weight 1 the generative update is the delta rule on the cue
//   (h = 1) where Q says h = 0;
//   a model with cues trained with cue_epochs 0 ends with every parameter bit for bit as the
//   same model without the cue keys, in float64 and float32;
//   cue_epochs > 0 is refused for a model without a cue, and for an algorithm that does not
//   take cues, naming it;
//   the online path with cues allocates nothing per pattern.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "framework/engines/training/cue_schedule.hpp"
#include "framework/engines/training/follows_cues.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/model_file.hpp"
#include "framework/numerics.hpp"

using namespace helmholtz;

#include "tests/support/allocation_counter.hpp"
#include "tests/support/teacher_student.hpp"

using helmholtz::testing::allocations;

namespace {

// The student (2-4-8), with cues or without (testing::cued_student_text).
std::string cued_student_text(bool cues) {
  return cues ? testing::cued_student_text() : testing::model_text("student.yaml");
}

// A fake algorithm that records the cue weight it is given before each epoch's batches.
class CueRecorder final : public TrainingAlgorithm, public FollowsCues {
 public:
  explicit CueRecorder(std::vector<double>& weights) : weights_(weights) {}
  void set_cue_weight(double weight) override { weights_.push_back(weight); }
  void train_batch(const Matrix&, Rng&, Learners&, double) override {}

 private:
  std::vector<double>& weights_;
};

TrainingOutcome train_with(Network& network, const Matrix& data, const TrainingOptions& options) {
  TrainingSetup setup;
  return train(network, data, options, setup);
}

}  // namespace

TEST_CASE("the cue weight falls linearly from 1 in epoch 1 to 0 after epoch E") {
  CHECK(cue_weight(1, 4) == 1.0);
  CHECK(cue_weight(2, 4) == 0.75);
  CHECK(cue_weight(3, 4) == 0.5);
  CHECK(cue_weight(4, 4) == 0.25);
  CHECK(cue_weight(5, 4) == 0.0);
  CHECK(cue_weight(100, 4) == 0.0);
  CHECK(cue_weight(1, 1) == 1.0);
  CHECK(cue_weight(2, 1) == 0.0);
  CHECK(cue_weight(1, 0) == 0.0);
}

TEST_CASE("the trainer gives the algorithm the schedule's cue weight before each epoch, continued by a resumed run") {
  std::vector<double> weights;
  AlgorithmRegistry registry;
  registry.add({"recorder", "records cue weights", [&](Network&, const TrainingOptions&) {
                  return std::make_unique<CueRecorder>(weights);
                }});
  Network network = parse_model(cued_student_text(true), "cued.yaml");
  const Matrix data = testing::teacher_data(10, 1);
  TrainingOptions options;
  options.algorithm = "recorder";
  options.epochs = 3;
  options.cue_epochs = 4;
  TrainingSetup setup;
  setup.algorithms = &registry;
  train(network, data, options, setup);
  CHECK(weights == std::vector<double>{1.0, 0.75, 0.5});
  REQUIRE(setup.epochs_completed == 3);
  train(network, data, options, setup);  // a resumed run: epochs 4 to 6
  CHECK(weights == std::vector<double>{1.0, 0.75, 0.5, 0.25, 0.0, 0.0});

  weights.clear();
  options.cue_epochs = 0;
  TrainingSetup fresh;
  fresh.algorithms = &registry;
  train(network, data, options, fresh);
  CHECK(weights.empty());
}

TEST_CASE("an online wake step at cue weight 1 is the delta rule on the cue, not on Q's state") {
  // Q keeps h off (bias -40); the cue of d = (1, 1) (one cell of 1x2) turns it on.
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 1, cue: {of: d, image: 1x2, cells: 1x1}}
  - {name: d, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.3]}
  d: {distribution: sigmoid, parents: [h], bias: [-0.2, 0.1], weights: {h: [[0.7], [-0.4]]}}
recognition:
  h: {distribution: sigmoid, parents: [d], bias: [-40], weights: {d: [[0, 0]]}}
)",
                                      "delta.yaml");
  const Matrix data = {{1.0, 1.0}};
  TrainingOptions options;
  options.epochs = 1;
  options.generative_rate = 0.25;
  options.seed = 9;
  options.cue_epochs = 1;
  Network trained = network;
  train_with(trained, data, options);
  const ParameterView h = trained.generative.conditionals[0].distribution->parameters();
  const ParameterView d = trained.generative.conditionals[1].distribution->parameters();
  const double ph = numerics::sigmoid(0.3), p0 = numerics::sigmoid(-0.2 + 0.7), p1 = numerics::sigmoid(0.1 - 0.4);
  CHECK(h(0) == doctest::Approx(0.3 + 0.25 * (1 - ph)).epsilon(1e-15));
  CHECK(d(0) == doctest::Approx(-0.2 + 0.25 * (1 - p0)).epsilon(1e-15));
  CHECK(d(1) == doctest::Approx(0.1 + 0.25 * (1 - p1)).epsilon(1e-15));
  CHECK(d(2) == doctest::Approx(0.7 + 0.25 * (1 - p0)).epsilon(1e-15));  // W[0][0], h = 1
  CHECK(d(3) == doctest::Approx(-0.4 + 0.25 * (1 - p1)).epsilon(1e-15));

  // Without cues Q's h = 0 leaves the weights where they were.
  Network plain = network;
  options.cue_epochs = 0;
  train_with(plain, data, options);
  CHECK(plain.generative.conditionals[1].distribution->parameters()(2) == 0.7);
}

TEST_CASE("a model with cues trained without cue epochs ends bit for bit as the model without them") {
  const Matrix data = testing::teacher_data(200, 2);
  for (const bool single : {false, true}) {
    CAPTURE(single);
    Network cued = parse_model(cued_student_text(true), "cued.yaml");
    Network plain = parse_model(cued_student_text(false), "plain.yaml");
    REQUIRE(cued.nodes[1].cue);
    TrainingOptions options;
    options.epochs = 3;
    options.seed = 5;
    options.batch_size = single ? 4 : 1;
    options.single_precision = single;
    train_with(cued, data, options);
    train_with(plain, data, options);
    CHECK(cued.generative.parameters == plain.generative.parameters);
    CHECK(cued.recognition.parameters == plain.recognition.parameters);
    // And cues change the run when they are on.
    Network followed = parse_model(cued_student_text(true), "cued.yaml");
    options.cue_epochs = 2;
    train_with(followed, data, options);
    CHECK(followed.generative.parameters != plain.generative.parameters);
  }
}

TEST_CASE("cue epochs are refused for a model without a cue and for an algorithm that does not take cues") {
  const Matrix data = testing::teacher_data(10, 3);
  TrainingOptions options;
  options.epochs = 1;
  options.cue_epochs = 2;
  Network plain = parse_model(cued_student_text(false), "plain.yaml");
  CHECK_THROWS_WITH_AS(train_with(plain, data, options),
                       "--cue-epochs 2: the network declares no cue; give a hidden node one in the model file (cue: "
                       "{of: NODE, image: RxC, cells: RxC}), or leave out --cue-epochs",
                       Error);
  Network cued = parse_model(cued_student_text(true), "cued.yaml");
  for (const std::string algorithm : {"rws", "deterministic", "natural-wake-sleep"}) {
    options.algorithm = algorithm;
    CHECK_THROWS_WITH_AS(train_with(cued, data, options),
                         ("--cue-epochs 2: the algorithm '" + algorithm +
                          "' does not take cues; train with cues using wake-sleep, or leave out --cue-epochs")
                             .c_str(),
                         Error);
  }
}

TEST_CASE("the online path with cues allocates nothing per pattern") {
  const Matrix small = testing::teacher_data(100, 4);
  const Matrix large = testing::teacher_data(1000, 5);
  for (const std::size_t cue_epochs : {1, 2}) {  // weight 1 (a copy); then 1/2 (mixed, with draws) in epoch 2
    CAPTURE(cue_epochs);
    TrainingOptions options;
    options.epochs = cue_epochs;
    options.cue_epochs = cue_epochs;
    options.seed = 1;
    Network a = parse_model(cued_student_text(true), "cued.yaml"), b = a, warm_up = a;
    train_with(warm_up, small, options);
    const long start = allocations.load();
    train_with(a, small, options);
    const long for_small = allocations.load() - start;
    train_with(b, large, options);
    const long for_large = allocations.load() - start - for_small;
    CHECK(for_large == for_small);
  }
}
