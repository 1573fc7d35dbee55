// `helmholtz train` through run_cli: resuming a recorded run (2 + 1 epochs give the file of 3),
// the CSV learning curve, a diverging run, and the usage errors of the training options.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "framework/cli/command.hpp"
#include "tests/support/cli_run.hpp"
#include "framework/engines/training/algorithm.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

const std::string tiny_model = HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml";

// Scratch files, with 200 patterns sampled from models/tiny.yaml as training data and 50 as
// validation data.
struct Scratch {
  std::filesystem::path path;
  std::string data, validation;
  Scratch() {
    path = std::filesystem::temp_directory_path() / ("helmholtz_train_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    data = file("train.data");
    validation = file("validation.data");
    std::ofstream(data) << run({"sample", tiny_model, "-n", "200", "--seed", "1"}).out;
    std::ofstream(validation) << run({"sample", tiny_model, "-n", "50", "--seed", "2"}).out;
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<std::string> train_args(const Scratch& s, const std::string& output, std::vector<std::string> more) {
  std::vector<std::string> args = {"train", tiny_model, "--data", s.data, "--output", output, "--quiet"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("train --resume: 2 + 1 epochs write the same file as 3, momentum and schedule included") {
  Scratch s;
  const std::vector<std::string> options = {"--seed",     "4",     "--optimizer",    "momentum", "--momentum", "0.5",
                                            "--schedule", "inverse", "--batch-size", "5",        "--learning-rate",
                                            "0.05"};
  auto with = [&](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  REQUIRE(run(train_args(s, s.file("three.yaml"), with(options, {"--epochs", "3"}))).status == 0);
  REQUIRE(run(train_args(s, s.file("two.yaml"), with(options, {"--epochs", "2"}))).status == 0);
  const Run resumed = run({"train", s.file("two.yaml"), "--resume", "--data", s.data, "--epochs", "1", "--output",
                           s.file("resumed.yaml"), "--quiet"});
  REQUIRE(resumed.status == 0);
  CHECK(slurp(s.file("resumed.yaml")) == slurp(s.file("three.yaml")));
  const Network three = read_model(s.file("three.yaml"));
  REQUIRE(three.training);
  CHECK(three.training->epochs_completed == 3);
  CHECK(three.training->options.optimizer == "momentum");
  CHECK(three.training->data_file == s.data);
  CHECK(three.training->data_checksum.rfind("fnv1a64:", 0) == 0);
  CHECK(three.training->optimiser_state.count("generative") == 1);
}

TEST_CASE("train --resume refuses a model without a training section, other data, and another seed") {
  Scratch s;
  Run r = run({"train", tiny_model, "--resume", "--data", s.data, "--output", s.file("x.yaml")});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--resume needs a model written by 'helmholtz train'"));
  REQUIRE(run(train_args(s, s.file("one.yaml"), {"--seed", "1", "--epochs", "1"})).status == 0);
  r = run({"train", s.file("one.yaml"), "--resume", "--data", s.validation, "--output", s.file("x.yaml")});
  CHECK(r.status == 1);
  CHECK(contains(r.err, "holds other patterns than the run being resumed was trained on"));
  r = run({"train", s.file("one.yaml"), "--resume", "--seed", "2", "--data", s.data, "--output", s.file("x.yaml")});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--resume continues the recorded run, whose seed is 1"));
}

TEST_CASE("train --log writes a CSV row per epoch with validation columns, continued by --resume") {
  Scratch s;
  const std::string log = s.file("curve.csv");
  REQUIRE(run(train_args(s, s.file("a.yaml"), {"--seed", "3", "--epochs", "2", "--log", log, "--validation",
                                               s.validation}))
              .status == 0);
  std::vector<std::string> lines;
  std::istringstream in(slurp(log));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] ==
        "epoch,seconds,sampled_bound,objective,validation_log_likelihood,validation_exact_bound,validation_sampled_bound");
  CHECK(lines[1].rfind("1,", 0) == 0);
  CHECK(lines[2].rfind("2,", 0) == 0);
  CHECK(!contains(lines[2], ",,,"));  // the exact validation columns are filled (5 hidden units)
  REQUIRE(run({"train", s.file("a.yaml"), "--resume", "--data", s.data, "--epochs", "1", "--log", log, "--validation",
               s.validation, "--output", s.file("b.yaml"), "--quiet"})
              .status == 0);
  const std::string after = slurp(log);
  CHECK(after.rfind(lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n3,", 0) == 0);
}

TEST_CASE("a diverging run exits 1, says so, and writes the last good parameters") {
  Scratch s;
  const Run r = run(train_args(s, s.file("d.yaml"), {"--seed", "1", "--epochs", "3", "--learning-rate", "1e308"}));
  CHECK(r.status == 1);
  CHECK(contains(r.err, "training diverged in epoch 1"));
  CHECK(contains(r.err, "the parameters after epoch 0 are kept"));
  const Network written = read_model(s.file("d.yaml"));
  const Network start = read_model(tiny_model);
  CHECK(written.generative.parameters == start.generative.parameters);
}

TEST_CASE("train: usage errors of the training options exit 2 with a clear message") {
  Scratch s;
  const std::string out = s.file("u.yaml");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : {
           Case{{"--seed", "1", "--algorithm", "magic"}, "unknown algorithm 'magic' (available: "},
           Case{{"--seed", "1", "--optimizer", "adam"}, "unknown optimizer 'adam' (available: sgd, momentum, cg)"},
           Case{{"--seed", "1", "--schedule", "cosine"}, "unknown schedule 'cosine'"},
           Case{{"--seed", "1", "--momentum", "0.5"}, "--momentum applies to --optimizer momentum only"},
           Case{{"--seed", "1", "--optimizer", "momentum", "--momentum", "1"}, "--momentum must be in [0, 1)"},
           Case{{"--seed", "1", "--patience", "3"}, "--patience needs --validation FILE"},
           Case{{"--seed", "1", "--learning-rate", "-1"}, "learning rates must be > 0"},
           Case{{"--epochs", "1"}, "missing --seed"},
           Case{{"--seed", "1", "--precision", "float16"}, "unknown precision 'float16' (available: float64, float32)"},
       }) {
    CAPTURE(c.message);
    const Run r = run(train_args(s, out, c.args));
    CHECK(r.status == 2);
    CHECK(contains(r.err, c.message));
  }
  // cg needs an algorithm that follows one objective; wake-sleep does not.
  const Run r = run(train_args(s, out, {"--seed", "1", "--optimizer", "cg"}));
  CHECK(r.status == 1);
  CHECK(contains(r.err, "the cg optimizer searches along lines of one objective, and the algorithm 'wake-sleep' follows none"));
}

TEST_CASE("train --precision float32: recorded in the model, kept by --resume, refused where it does not apply") {
  Scratch s;
  const std::vector<std::string> options = {"--seed", "4", "--batch-size", "5", "--learning-rate", "0.05",
                                            "--precision", "float32"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> all = options;
    all.insert(all.end(), more.begin(), more.end());
    return all;
  };
  REQUIRE(run(train_args(s, s.file("f3.yaml"), with({"--epochs", "3"}))).status == 0);
  REQUIRE(run(train_args(s, s.file("f2.yaml"), with({"--epochs", "2"}))).status == 0);
  const Network three = read_model(s.file("f3.yaml"));
  REQUIRE(three.training);
  CHECK(three.training->options.single_precision);
  CHECK(contains(slurp(s.file("f3.yaml")), "precision: float32"));
  const Run resumed = run({"train", s.file("f2.yaml"), "--resume", "--data", s.data, "--epochs", "1", "--output",
                           s.file("f-resumed.yaml"), "--quiet"});
  REQUIRE(resumed.status == 0);
  CHECK(slurp(s.file("f-resumed.yaml")) == slurp(s.file("f3.yaml")));
  // Same seed, same file; float64 from the same seed is a different (but close) file.
  REQUIRE(run(train_args(s, s.file("f3-again.yaml"), with({"--epochs", "3"}))).status == 0);
  CHECK(slurp(s.file("f3-again.yaml")) == slurp(s.file("f3.yaml")));
  const Run refused = run(train_args(s, s.file("n.yaml"), with({"--epochs", "1", "--algorithm", "natural-wake-sleep"})));
  CHECK(refused.status == 1);
  CHECK(contains(refused.err, "trains in double precision only; --precision float32 is for wake-sleep and rws"));
}

TEST_CASE("train --help lists every registered algorithm with its summary") {
  const Run r = run({"train", "--help"});
  CHECK(r.status == 0);
  for (const std::string& name : builtin_algorithms().names()) CHECK(contains(r.out, "  " + name + " "));
  CHECK(contains(r.out, "--resume"));
}

}  // namespace helmholtz
