// The model-file keys that training reads and writes: `fixed:` in a distribution entry
// (blocks training leaves alone) and the `training:` section (how the network was trained,
// so that a run can be resumed). Mistakes are InputErrors at their line; good entries
// round-trip exactly.
#include <doctest/doctest.h>

#include <string>

#include "framework/error.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

const std::string header = R"(nodes:
  - {name: top,  type: binary, size: 2}
  - {name: data, type: binary, size: 3, observed: true}
)";

std::string error_of(const std::string& text) {
  try {
    parse_model(text, "bad.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("the model was accepted, but it has a mistake");
  return "";
}

}  // namespace

TEST_CASE("fixed: [bias], [weights] or a single name marks blocks, in either direction, and round-trips") {
  const Network n = parse_model(header + R"(generative:
  top:  {distribution: sigmoid, fixed: [bias]}
  data: {distribution: noisy-or, parents: [top], fixed: weights}
recognition:
  top: {distribution: sigmoid, parents: [data], fixed: [bias, weights]}
)",
                                "fixed.yaml");
  CHECK(n.generative.conditionals[0].fixed == std::vector<std::string>{"bias"});
  CHECK(n.generative.conditionals[1].fixed == std::vector<std::string>{"weights"});
  CHECK(n.recognition.conditionals[0].fixed == std::vector<std::string>{"bias", "weights"});
  const std::vector<bool> mask = n.generative.fixed_mask();
  // generative: top bias (2) | data bias (3), data weights (3 x 2)
  CHECK(mask == std::vector<bool>{true, true, false, false, false, true, true, true, true, true, true});
  const std::string text = model_to_yaml(n);
  CHECK(text.find("fixed: [bias]") != std::string::npos);
  CHECK(text.find("fixed: [bias, weights]") != std::string::npos);
  const Network back = parse_model(text, "back.yaml");
  CHECK(back.generative.conditionals[1].fixed == std::vector<std::string>{"weights"});
  CHECK(model_to_yaml(back) == text);
}

TEST_CASE("a fixed entry that names no block of the plugin, repeats one, or is not a list is refused at its line") {
  CHECK(error_of(header + "generative:\n  top:  {distribution: sigmoid, fixed: [biases]}\n  data: {distribution: "
                          "sigmoid, parents: [top]}\n") ==
        "bad.yaml, line 5, column 41: generative.top (sigmoid): fixed[0] is 'biases', which is not a parameter block "
        "of sigmoid (blocks: bias, weights)");
  CHECK(error_of(header + "generative:\n  top:  {distribution: sigmoid, fixed: [bias, bias]}\n  data: {distribution: "
                          "sigmoid, parents: [top]}\n") ==
        "bad.yaml, line 5, column 47: generative.top (sigmoid): fixed[1]: 'bias' is listed twice");
  CHECK(error_of(header + "generative:\n  top:  {distribution: sigmoid, fixed: {bias: true}}\n  data: {distribution: "
                          "sigmoid, parents: [top]}\n") ==
        "bad.yaml, line 5, column 40: generative.top (sigmoid): fixed is a map, but must be a list of parameter "
        "blocks (bias, weights)");
}

TEST_CASE("the training section round-trips, options and optimiser state included") {
  Network n = parse_model(header + "generative:\n  top: {distribution: sigmoid}\n  data: {distribution: sigmoid, "
                                   "parents: [top]}\n",
                          "t.yaml");
  TrainingRecord record;
  record.options.algorithm = "wake-sleep";
  record.options.seed = 18446744073709551615ull;
  record.options.batch_size = 7;
  record.options.generative_rate = 0.1 + 0.2;
  record.options.recognition_rate = 1e-3;
  record.options.optimizer = "momentum";
  record.options.momentum = 0.9;
  record.options.schedule = "exponential";
  record.options.decay = 0.05;
  record.options.weight_decay = 1e-4;
  record.options.natural_coordinates = true;
  record.options.samples = 12;
  record.options.sleep_updates = true;
  record.options.damping = 0.01;
  record.options.patience = 3;
  record.options.shuffle = false;
  record.options.cue_epochs = 25;
  record.epochs_completed = 42;
  record.data_file = "data/train.data";
  record.data_checksum = "fnv1a64:0123456789abcdef";
  record.optimiser_state["generative"]["velocity"] = Vector{1.0 / 3.0, -0.0, 5e-324};
  n.training = record;
  const std::string text = model_to_yaml(n);
  INFO(text);
  const Network back = parse_model(text, "back.yaml");
  REQUIRE(back.training);
  const TrainingRecord& r = *back.training;
  CHECK(r.options.algorithm == "wake-sleep");
  CHECK(r.options.seed == 18446744073709551615ull);
  CHECK(r.options.batch_size == 7);
  CHECK(r.options.generative_rate == 0.1 + 0.2);
  CHECK(r.options.recognition_rate == 1e-3);
  CHECK(r.options.optimizer == "momentum");
  CHECK(r.options.momentum == 0.9);
  CHECK(r.options.schedule == "exponential");
  CHECK(r.options.decay == 0.05);
  CHECK(r.options.weight_decay == 1e-4);
  CHECK(r.options.natural_coordinates);
  CHECK(r.options.samples == 12);
  CHECK(r.options.sleep_updates);
  CHECK(r.options.damping == 0.01);
  CHECK(r.options.patience == 3);
  CHECK(!r.options.shuffle);
  CHECK(r.options.cue_epochs == 25);
  CHECK(r.epochs_completed == 42);
  CHECK(r.data_file == "data/train.data");
  CHECK(r.data_checksum == "fnv1a64:0123456789abcdef");
  const Vector& v = r.optimiser_state.at("generative").at("velocity");
  REQUIRE(v.size() == 3);
  CHECK(v(0) == 1.0 / 3.0);
  CHECK(std::signbit(v(1)));
  CHECK(v(2) == 5e-324);
  CHECK(model_to_yaml(back) == text);
}

TEST_CASE("mistakes in the training section are refused at their line") {
  const std::string base = header + "generative:\n  top: {distribution: sigmoid}\n  data: {distribution: sigmoid, "
                                    "parents: [top]}\n";
  CHECK(error_of(base + "training:\n  algorithm: wake-sleep\n  epoch_completed: 3\n") ==
        "bad.yaml, line 9, column 3: training: unknown key 'epoch_completed' (allowed: algorithm, epochs_completed, "
        "interrupted, seed, data, data_checksum, options, optimizer_state)");
  CHECK(error_of(base + "training: [1, 2]\n") == "bad.yaml, line 7, column 11: training is a list, but must be a map");
  CHECK(error_of(base + "training:\n  options: {generative_learning_rate: 0}\n") ==
        "bad.yaml, line 8, column 39: training.options: generative_learning_rate is 0, but must be > 0");
  CHECK(error_of(base + "training:\n  options: {optimizer: adam}\n") ==
        "bad.yaml, line 8, column 24: training.options: optimizer is 'adam', but must be one of sgd, momentum, cg");
  CHECK(error_of(base + "training:\n  options: {momentum: 1}\n") ==
        "bad.yaml, line 8, column 23: training.options: momentum is 1, but must be >= 0 and < 1");
  CHECK(error_of(base + "training:\n  seed: -3\n") ==
        "bad.yaml, line 8, column 9: training: seed is '-3', but must be a whole number from 0 to 18446744073709551615");
  CHECK(error_of(base + "training:\n  epochs_completed: -1\n") ==
        "bad.yaml, line 8, column 21: training: epochs_completed is '-1', but must be a whole number >= 0");
  CHECK(error_of(base + "training:\n  options: {batch_size: 2, learning_rate: 0.1}\n") ==
        "bad.yaml, line 8, column 28: training.options: unknown key 'learning_rate' (allowed: batch_size, "
        "generative_learning_rate, recognition_learning_rate, shuffle, optimizer, momentum, schedule, decay, "
        "weight_decay, natural_coordinates, samples, sleep_updates, damping, patience, precision, cue_epochs)");
  CHECK(error_of(base + "training:\n  options: {cue_epochs: 2.5}\n") ==
        "bad.yaml, line 8, column 25: training.options: cue_epochs is '2.5', but must be a whole number >= 0");
  CHECK(error_of(base + "training:\n  options: {precision: float16}\n") ==
        "bad.yaml, line 8, column 24: training.options: precision is 'float16', but must be one of float64, float32");
  CHECK(error_of(base + "training:\n  optimizer_state: {generative: {velocity: [1, x]}}\n") ==
        "bad.yaml, line 8, column 48: training.optimizer_state: generative.velocity[1] is 'x', but must be a number");
}

}  // namespace helmholtz
