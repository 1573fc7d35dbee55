// `helmholtz init MODEL --seed S -o OUT.yaml`: the model with every parameter written out,
// those MODEL leaves out drawn as when MODEL says `seed: S`, those it gives kept to the bit;
// and training OUT.yaml gives the model that training MODEL with `seed: S` gives.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/scratch_folder.hpp"

namespace helmholtz {
namespace {

const std::string tiny_model = HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml";

// Some parameters given (a bias left at 0.1 and a weight block fixed), the rest left out, no
// seed key (so seed 0), block and flow style and comments mixed.
const char* const partial_model = R"(# some given, some drawn
name: partial
nodes:
  - {name: top, type: binary, size: 2}
  - name: data
    type: binary
    size: 3
    observed: true
generative:
  top: {distribution: sigmoid, bias: [0.1, -0.3]}
  data:
    distribution: noisy-or
    parents: [top]
    weights: {top: [[0.5, 0], [0.25, 0.125], [0, 0.75]]}
    fixed: [weights]
)";

std::vector<double> parameters_of(const DirectedModel& model) {
  return std::vector<double>(model.parameters.begin(), model.parameters.end());
}

// Is every parameter of `a` the same double as `b`'s, sign of zero included?
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] || std::signbit(a[i]) != std::signbit(b[i])) return false;
  return true;
}

}  // namespace

TEST_CASE("init: the same seed writes the same bytes, another seed other drawn parameters, and the file passes check") {
  const ScratchFolder folder;
  const std::string model = folder.write("partial.yaml", partial_model);
  for (const std::string name : {"a.yaml", "b.yaml"}) {
    const Run r = run({"init", model, "--seed", "5", "-o", folder.file(name)});
    REQUIRE(r.status == 0);
    CHECK(r.out == folder.file(name) + ": " + model +
                       " with every parameter written out, those it leaves out drawn from seed 5\n");
  }
  CHECK(slurp(folder.file("a.yaml")) == slurp(folder.file("b.yaml")));
  REQUIRE(run({"init", model, "--seed", "6", "--output", folder.file("c.yaml")}).status == 0);
  CHECK(slurp(folder.file("a.yaml")) != slurp(folder.file("c.yaml")));
  const Run check = run({"check", folder.file("a.yaml")});
  CHECK(check.status == 0);
  CHECK(contains(check.out, "valid"));
}

TEST_CASE("init --seed S keeps what the file gives to the bit and its fixed blocks fixed, and draws the rest as the "
          "file with seed: S draws it") {
  const ScratchFolder folder;
  const std::string model = folder.write("partial.yaml", partial_model);
  REQUIRE(run({"init", model, "--seed", "5", "-o", folder.file("init.yaml")}).status == 0);
  const Network written = read_model(folder.file("init.yaml"));
  const Network seeded = parse_model(std::string("seed: 5\n") + partial_model, "seeded.yaml");
  CHECK(written.seed == 5);
  CHECK(same_bits(parameters_of(written.generative), parameters_of(seeded.generative)));
  CHECK(same_bits(parameters_of(written.recognition), parameters_of(seeded.recognition)));
  // The given values, as the file writes them: top's bias, and data's fixed weights.
  const Distribution& top = *written.generative.conditionals[0].distribution;
  CHECK(top.parameters()[0] == 0.1);
  CHECK(top.parameters()[1] == -0.3);
  const Conditional& data = written.generative.conditionals[1];
  CHECK(data.fixed == std::vector<std::string>{"weights"});
  const ParameterBlock& weights = *data.distribution->block("weights");
  const std::vector<double> given = {0.5, 0, 0.25, 0.125, 0, 0.75};
  for (std::size_t i = 0; i < given.size(); ++i) CHECK(data.distribution->parameters()[weights.offset + i] == given[i]);
  // data's bias, left out, is drawn from noisy-or's initial range, a single value (0.05); the
  // recognition weights, left out, from sigmoid's [-0.1, 0.1]: another seed draws others.
  CHECK(data.distribution->parameters()[data.distribution->block("bias")->offset] == 0.05);
  const Network other = parse_model(std::string("seed: 6\n") + partial_model, "other.yaml");
  CHECK(!same_bits(parameters_of(written.recognition), parameters_of(other.recognition)));
}

TEST_CASE("init keeps what a file spells its own way: anchors and aliases, quoted names, -0.0, a seed key of its own") {
  const ScratchFolder folder;
  const std::string model = HELMHOLTZ_SOURCE_DIR "/tests/fuzz/seeds/model_file/anchors-and-aliases.yaml";
  REQUIRE(run({"init", model, "--seed", "9", "-o", folder.file("init.yaml")}).status == 0);
  const Network as_read = read_model(model);  // seed 2^64 - 1: every parameter but h's recognition weights given
  const Network written = read_model(folder.file("init.yaml"));
  CHECK(written.seed == 9);
  CHECK(same_bits(parameters_of(written.generative), parameters_of(as_read.generative)));
  CHECK(std::signbit(written.generative.conditionals[0].distribution->parameters()[1]));  // bias [0, -0.0]
  const Distribution& h = *written.recognition.conditionals[0].distribution;
  const Distribution& h_as_read = *as_read.recognition.conditionals[0].distribution;
  const ParameterBlock& bias = *h.block("bias");
  CHECK(h.parameters()[bias.offset + 1] == 0.0);  // *zeros, given
  CHECK(std::signbit(h.parameters()[bias.offset + 1]));
  const ParameterBlock& weights = *h.block("weights");
  CHECK(h.parameters()[weights.offset] != h_as_read.parameters()[weights.offset]);  // drawn, from another seed
}

TEST_CASE("init then train: the model that training MODEL with seed: S gives, byte for byte") {
  const ScratchFolder folder;
  const std::string data = folder.write("train.data", run({"sample", tiny_model, "-n", "100", "--seed", "1"}).out);
  auto train = [&](const std::string& model, const std::string& output) {
    const Run r = run({"train", model, "--data", data, "--seed", "4", "--epochs", "2", "--batch-size", "5",
                       "--learning-rate", "0.05", "--quiet", "-o", folder.file(output)});
    REQUIRE(r.status == 0);
    return slurp(folder.file(output));
  };
  // models/tiny.yaml has no seed key: seed 0. Its recognition parameters are drawn.
  REQUIRE(run({"init", tiny_model, "--seed", "0", "-o", folder.file("init0.yaml")}).status == 0);
  CHECK(train(folder.file("init0.yaml"), "a.yaml") == train(tiny_model, "b.yaml"));
  // Another seed: the same as tiny.yaml with seed: 3, not as tiny.yaml itself.
  REQUIRE(run({"init", tiny_model, "--seed", "3", "-o", folder.file("init3.yaml")}).status == 0);
  const std::string seeded = folder.write("seeded.yaml", "seed: 3\n" + slurp(tiny_model));
  const std::string from_init = train(folder.file("init3.yaml"), "c.yaml");
  CHECK(from_init == train(seeded, "d.yaml"));
  CHECK(from_init != slurp(folder.file("b.yaml")));
}

TEST_CASE("init: usage errors exit 2, and a mistake in the model exits 1 at its line") {
  const ScratchFolder folder;
  Run r = run({"init", tiny_model, "-o", folder.file("x.yaml")});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz init: missing --seed (see helmholtz init --help)\n");
  r = run({"init", tiny_model, "--seed", "1"});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz init: missing --output (see helmholtz init --help)\n");
  r = run({"init", tiny_model, "--seed", "x", "-o", folder.file("x.yaml")});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz init: --seed is 'x', but must be a whole number >= 0\n");
  const std::string bad = folder.write("bad.yaml", "nodes:\n  - {name: v, type: binary, size: 2, observed: true}\n"
                                                   "generative:\n  v: {distribution: sigmoid, bias: [0, x]}\n");
  r = run({"init", bad, "--seed", "1", "-o", folder.file("x.yaml")});
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz init: " + bad + ", line 4, column 40: generative.v (sigmoid): bias[1] is 'x', but must be a number\n");
  CHECK(folder.names() == std::vector<std::string>{"bad.yaml"});
}

}  // namespace helmholtz
