// `helmholtz train --cue-epochs` and `helmholtz check` on a model with cues, through run_cli,
// on the shipped models/digits9-cues.yaml and its 9s.
// Facts checked:
//   train --cue-epochs writes a model that loads, keeps both cues, and records cue_epochs;
//   2 + 1 resumed epochs write the same file as 3 (the schedule counts the run's epochs);
//   check lists each cue beside its node and the cue epochs of the run;
//   --cue-epochs for a model without cues, or for rws, exits 1 with the trainer's message.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "framework/cli/command.hpp"
#include "tests/support/cli_run.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

const std::string cued_model = HELMHOLTZ_SOURCE_DIR "/models/digits9-cues.yaml";
const std::string plain_model = HELMHOLTZ_SOURCE_DIR "/models/digits9.yaml";
const std::string nines = HELMHOLTZ_SOURCE_DIR "/models/data/digits9-train.data";

struct Scratch {
  std::filesystem::path path;
  Scratch() {
    path = std::filesystem::temp_directory_path() / ("helmholtz_cues_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<std::string> train_args(const std::string& model, const std::string& output,
                                    const std::vector<std::string>& more) {
  std::vector<std::string> args = {"train", model, "--data", nines, "--output", output, "--quiet",
                                   "--seed", "2", "--learning-rate", "0.05"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("train --cue-epochs writes a loadable model that keeps its cues, and a resumed run continues the schedule") {
  Scratch s;
  const Run three = run(train_args(cued_model, s.file("three.yaml"), {"--epochs", "3", "--cue-epochs", "2"}));
  REQUIRE(three.status == 0);
  const Network trained = read_model(s.file("three.yaml"));
  REQUIRE(trained.nodes[0].cue);
  REQUIRE(trained.nodes[1].cue);
  CHECK(trained.nodes[0].cue->cell_rows == 2);
  CHECK(trained.nodes[0].cue->threshold == 0.35);
  CHECK(trained.nodes[1].cue->cell_columns == 4);
  REQUIRE(trained.training);
  CHECK(trained.training->options.cue_epochs == 2);
  CHECK(contains(slurp(s.file("three.yaml")), "cue_epochs: 2"));
  // two.yaml holds epochs 1 and 2 (weights 1 and 1/2); resumed, its epoch 3 has weight 0, as in three.yaml.
  REQUIRE(run(train_args(cued_model, s.file("two.yaml"), {"--epochs", "2", "--cue-epochs", "2"})).status == 0);
  const Run resumed = run({"train", s.file("two.yaml"), "--resume", "--data", nines, "--epochs", "1", "--output",
                           s.file("resumed.yaml"), "--quiet"});
  REQUIRE(resumed.status == 0);
  CHECK(slurp(s.file("resumed.yaml")) == slurp(s.file("three.yaml")));
  // The cues change what is learnt.
  REQUIRE(run(train_args(cued_model, s.file("without.yaml"), {"--epochs", "3"})).status == 0);
  CHECK(read_model(s.file("without.yaml")).generative.parameters != trained.generative.parameters);

  const Run check = run({"check", s.file("three.yaml")});
  REQUIRE(check.status == 0);
  CHECK(contains(check.out, "hidden, cue of pixels: image 8x8 in cells 2x2, on at a fraction >= 0.35"));
  CHECK(contains(check.out, "hidden, cue of pixels: image 8x8 in cells 4x4, on at a fraction >= 0.5"));
  CHECK(contains(check.out, "seed 2, cues in the first 2 epochs"));
}

TEST_CASE("train --cue-epochs: a model without cues, or an algorithm that does not take them, exits 1") {
  Scratch s;
  Run r = run(train_args(plain_model, s.file("x.yaml"), {"--epochs", "1", "--cue-epochs", "3"}));
  CHECK(r.status == 1);
  CHECK(contains(r.err, "--cue-epochs 3: the network declares no cue"));
  r = run(train_args(cued_model, s.file("x.yaml"), {"--epochs", "1", "--cue-epochs", "3", "--algorithm", "rws"}));
  CHECK(r.status == 1);
  CHECK(contains(r.err, "--cue-epochs 3: the algorithm 'rws' does not take cues"));
}

}  // namespace helmholtz
