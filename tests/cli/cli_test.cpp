// The command line, through helmholtz::cli::run_cli(args, out, err) with string streams,
// and once through the built binary. Exit status: 0 success, 1 an error in the input or
// the run (message on err), 2 wrong usage (message on err). Expected outputs come from
// models/tiny.yaml worked out by hand:
//   nodes top (2, hidden), mid (3, hidden), data (4, observed);
//   a plugin with bias + weights has units x (1 + parent units) parameters, so
//   generative  top 2 x 1 = 2, mid 3 x (1 + 2) = 9, data 4 x (1 + 3) = 16: 27;
//   recognition mid 3 x (1 + 4) = 15 (from data), top 2 x (1 + 3) = 8 (from mid): 23.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "plugins/builtin.hpp"
#include "framework/cli/command.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/scratch_folder.hpp"
#include "framework/datasets/bars.hpp"
#include "framework/datasets/spikes.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/io/model_file.hpp"
#include "tests/support/brute_force.hpp"

namespace helmholtz {
namespace {

const std::string tiny_model = HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Index of the first line at or after `from` whose words are exactly `words`, or -1.
long find_row(const std::vector<std::string>& lines, const std::vector<std::string>& words, std::size_t from = 0) {
  for (std::size_t i = from; i < lines.size(); ++i)
    if (words_of(lines[i]) == words) return static_cast<long>(i);
  return -1;
}

bool is_bits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("01") == std::string::npos;
}

// A directory of scratch files, removed at the end of the test.
using ScratchDirectory = ScratchFolder;

// ---------------------------------------------------------------------------------------
// check

TEST_CASE("check: describes nodes, distributions and parameter counts of models/tiny.yaml") {
  const Run r = run({"check", tiny_model});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  const auto lines = lines_of(r.out);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0].find("valid") != std::string::npos);
  CHECK(lines[0].find("tiny") != std::string::npos);

  // nodes: name, type, units, role.
  CHECK(find_row(lines, {"top", "binary", "2", "hidden"}) >= 0);
  CHECK(find_row(lines, {"mid", "binary", "3", "hidden"}) >= 0);
  CHECK(find_row(lines, {"data", "binary", "4", "observed"}) >= 0);

  // generative model: node, distribution, parameters, parents, parents before children.
  const long generative_top = find_row(lines, {"top", "sigmoid", "2", "-"});
  const long generative_mid = find_row(lines, {"mid", "sigmoid", "9", "top"});
  const long generative_data = find_row(lines, {"data", "noisy-or", "16", "mid"});
  CHECK(generative_top >= 0);
  CHECK(generative_mid > generative_top);
  CHECK(generative_data > generative_mid);

  // recognition model: bottom-up, data has none.
  const long recognition_mid = find_row(lines, {"mid", "sigmoid", "15", "data"});
  const long recognition_top = find_row(lines, {"top", "sigmoid", "8", "mid"});
  CHECK(recognition_mid > generative_data);
  CHECK(recognition_top > recognition_mid);

  CHECK(r.out.find("4 visible units, 5 hidden units, 27 generative and 23 recognition parameters") !=
        std::string::npos);
}

TEST_CASE("check: a bad model file exits 1 with the message on err") {
  ScratchDirectory scratch;
  SUBCASE("a parameter out of range names file, line, field and value") {
    // Line 7: the weight 1.3 of data's second unit on mid's first unit.
    const std::string file = scratch.write("bad_weight.yaml",
                                           "nodes:\n"
                                           "  - {name: mid, type: binary, size: 3}\n"
                                           "  - {name: data, type: binary, size: 2, observed: true}\n"
                                           "generative:\n"
                                           "  mid: {distribution: sigmoid}\n"
                                           "  data: {distribution: noisy-or, parents: [mid],\n"
                                           "         weights: {mid: [[0.1, 0.2, 0.3], [1.3, 0, 0]]}}\n");
    const Run r = run({"check", file});
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CAPTURE(r.err);
    // "FILE, line L, column C: field: message", column 44 being where 1.3 starts.
    CHECK(r.err == "helmholtz check: " + file +
                       ", line 7, column 44: generative.data (noisy-or): weights[mid][1][0] is 1.3, but must be in "
                       "[0, 1]\n");
  }
  SUBCASE("a cycle is named") {
    const std::string file = scratch.write("cycle.yaml",
                                           "nodes:\n"
                                           "  - {name: a, type: binary, size: 1}\n"
                                           "  - {name: b, type: binary, size: 1}\n"
                                           "  - {name: v, type: binary, size: 1, observed: true}\n"
                                           "generative:\n"
                                           "  a: {distribution: sigmoid, parents: [b]}\n"
                                           "  b: {distribution: sigmoid, parents: [a]}\n"
                                           "  v: {distribution: sigmoid, parents: [a]}\n");
    const Run r = run({"check", file});
    CHECK(r.status == 1);
    CAPTURE(r.err);
    const bool names_cycle = r.err.find("cycle a -> b -> a") != std::string::npos ||
                             r.err.find("cycle b -> a -> b") != std::string::npos;
    CHECK(names_cycle);
  }
  SUBCASE("a file that does not exist") {
    const Run r = run({"check", (scratch.path / "missing.yaml").string()});
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("missing.yaml") != std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------
// sample

TEST_CASE("sample: -n 5 --seed 1 prints 5 patterns of 4 bits, the same every time") {
  const Run first = run({"sample", tiny_model, "-n", "5", "--seed", "1"});
  CHECK(first.status == 0);
  CHECK(first.err.empty());
  const auto lines = lines_of(first.out);
  REQUIRE(lines.size() == 5);
  for (const auto& line : lines) {
    CHECK(line.size() == 4);
    CHECK(is_bits(line));
  }
  CHECK(run({"sample", tiny_model, "-n", "5", "--seed", "1"}).out == first.out);
  // Options in another order, and --seed=S, are the same request.
  CHECK(run({"sample", "--seed=1", "-n", "5", tiny_model}).out == first.out);

  // 100 patterns of 4 bits from seeds 1 and 2 coincide with negligible probability.
  const Run a = run({"sample", tiny_model, "-n", "100", "--seed", "1"});
  const Run b = run({"sample", tiny_model, "-n", "100", "--seed", "2"});
  CHECK(a.status == 0);
  CHECK(b.status == 0);
  CHECK(a.out != b.out);
  CHECK(run({"sample", tiny_model, "-n", "3", "--seed", "0"}).status == 0);  // seed 0 is allowed
}

TEST_CASE("sample --all-nodes: a '# nodes:' header, then every node's block") {
  const Run r = run({"sample", tiny_model, "-n", "20", "--seed", "4", "--all-nodes"});
  CHECK(r.status == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 21);
  CHECK(lines[0] == "# nodes: top(2) mid(3) data(4)");
  const Run visible_only = run({"sample", tiny_model, "-n", "20", "--seed", "4"});
  const auto visible_lines = lines_of(visible_only.out);
  REQUIRE(visible_lines.size() == 20);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto blocks = words_of(lines[i]);
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].size() == 2);
    CHECK(blocks[1].size() == 3);
    CHECK(blocks[2].size() == 4);
    for (const auto& b : blocks) CHECK(is_bits(b));
    // The same seed draws the same fantasies; --all-nodes only shows more of them.
    CHECK(blocks[2] == visible_lines[i - 1]);
  }
}

// The printed patterns are draws from P(data): Pearson's chi-square over the 16 patterns
// against the brute-force marginal of models/tiny.yaml, at false-alarm rate 1e-4. 20000
// patterns span several of the command's internal batches.
TEST_CASE("sample: printed patterns follow the model's distribution of visible patterns") {
  const std::size_t total = 20000;
  const Run r = run({"sample", tiny_model, "-n", std::to_string(total), "--seed", "12"});
  REQUIRE(r.status == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == total);
  std::vector<double> counts(16, 0.0);
  for (const auto& line : lines) counts[brute_force::pattern_index(line)] += 1;
  const auto test = brute_force::pearson_test(counts, brute_force::visible_probabilities(read_model(tiny_model)));
  CAPTURE(test.statistic);
  CAPTURE(test.threshold);
  CHECK(test.passes());
  // Batches continue the random stream rather than restart it.
  CHECK(std::vector<std::string>(lines.begin(), lines.begin() + 1000) !=
        std::vector<std::string>(lines.begin() + 1024, lines.begin() + 2024));
}

TEST_CASE("sample: usage errors exit 2 with a clear message on err") {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"sample", tiny_model, "--seed", "1"}, "missing -n"},
      {{"sample", tiny_model, "-n", "5"}, "missing --seed"},
      {{"sample", tiny_model, "-n", "0", "--seed", "1"}, "-n is '0', but must be a whole number >= 1"},
      {{"sample", tiny_model, "-n", "abc", "--seed", "1"}, "-n is 'abc', but must be a whole number >= 1"},
      {{"sample", tiny_model, "-n", "-3", "--seed", "1"}, "-n is '-3', but must be a whole number >= 1"},
      {{"sample", tiny_model, "-n", "2.5", "--seed", "1"}, "-n is '2.5', but must be a whole number >= 1"},
      {{"sample", tiny_model, "-n", "5", "--seed", "x"}, "--seed is 'x', but must be a whole number >= 0"},
      {{"sample", tiny_model, "--seed", "1", "-n"}, "-n needs a value"},
      {{"sample", tiny_model, "-n", "--seed", "1"}, "-n needs a value N, but is followed by the option --seed"},
      {{"sample", tiny_model, "-n", "5", "--seed", "-o", "x.data"}, "--seed needs a value S, but is followed by the option -o"
                                                                     " (write --seed=VALUE for a value that starts with '-')"},
      {{"sample", tiny_model, "-n", "5", "-n", "6", "--seed", "1"}, "-n is given twice"},
      {{"sample", tiny_model, "-n", "5", "--seed", "1", "--bogus"}, "unknown option '--bogus'"},
      {{"sample", tiny_model, "-n", "5", "--seed", "1", "--all-nodes=yes"}, "--all-nodes takes no value"},
      {{"sample", "-n", "5", "--seed", "1"}, "missing MODEL"},
      {{"check", tiny_model, "extra.yaml"}, "unexpected argument 'extra.yaml'"},
      {{"check", tiny_model, "--seed", "1"}, "unknown option '--seed'"},
  };
  for (const auto& c : cases) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    CAPTURE(joined);
    const Run r = run(c.args);
    CAPTURE(r.err);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.err.rfind("helmholtz " + c.args[0] + ": ", 0) == 0);  // says which command
  }
}

// ---------------------------------------------------------------------------------------
// help and commands

TEST_CASE("help: at top level and for every command, on out with status 0") {
  for (const std::string flag : {"--help", "-h", "help"}) {
    CAPTURE(flag);
    const Run r = run({flag});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.rfind("usage: helmholtz COMMAND", 0) == 0);
    for (const auto& command : cli::all_commands()) CHECK(r.out.find("  " + command.spec.name + " ") != std::string::npos);
  }
  REQUIRE(cli::all_commands().size() >= 2);
  for (const auto& command : cli::all_commands()) {
    for (const std::string flag : {"--help", "-h"}) {
      CAPTURE(command.spec.name);
      const Run r = run({command.spec.name, flag});
      CHECK(r.status == 0);
      CHECK(r.err.empty());
      CHECK(r.out.rfind("usage: helmholtz " + command.spec.name + " ", 0) == 0);
      for (const auto& option : command.spec.options) CHECK(r.out.find(option.name) != std::string::npos);
    }
  }
  const Run sample_help = run({"sample", "--help"});
  for (const std::string option : {"-n N", "--seed S", "--all-nodes"})
    CHECK(sample_help.out.find(option) != std::string::npos);
  // --help wins over missing arguments.
  CHECK(run({"sample", "--help"}).status == 0);
}

TEST_CASE("an unknown command or no command exits 2") {
  const Run unknown = run({"frobnicate", tiny_model});
  CHECK(unknown.status == 2);
  CHECK(unknown.out.empty());
  CHECK(unknown.err.find("unknown command 'frobnicate'") != std::string::npos);
  CHECK(unknown.err.find("usage: helmholtz COMMAND") != std::string::npos);

  const Run none = run({});
  CHECK(none.status == 2);
  CHECK(none.out.empty());
  CHECK(none.err.find("usage: helmholtz COMMAND") != std::string::npos);
}

// ---------------------------------------------------------------------------------------
// data spikes and data assemblies

TEST_CASE("data spikes: the conformance example prints exactly the two bins") {
  ScratchDirectory scratch;
  const Run r = run({"data", "spikes", scratch.write("rec.txt", "0 0.5\n1 12\n"), "--bin", "10", "--channels", "2"});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out == "10\n01\n");
  // The external conformance script, as it is written, on the built program.
  const std::string command = "cd '" + scratch.path.string() + "' && printf '0 0.5\\n1 12\\n' > rec.txt && '" +
                              HELMHOLTZ_BINARY + "' data spikes rec.txt --bin 10 --channels 2 > out.txt";
  const int raw = std::system(command.c_str());
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 0);
  CHECK(slurp((scratch.path / "out.txt").string()) == "10\n01\n");
}

TEST_CASE("data spikes: without --channels, the largest channel + 1 columns, and empty bins as rows of 0") {
  ScratchDirectory scratch;
  const Run r = run({"data", "spikes", scratch.write("rec.txt", "# ms\n2 7.5\n0 0\n"), "--bin", "2.5"});
  CHECK(r.status == 0);
  CHECK(r.out == "100\n000\n000\n001\n");
}

TEST_CASE("data spikes: a mistake in the file exits 1 naming the file, line and field") {
  ScratchDirectory scratch;
  const std::string bad = scratch.write("bad.txt", "0 1\n1 2\n5 3\n");
  const Run r = run({"data", "spikes", bad, "--bin", "1", "--channels", "2"});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "helmholtz data: " + bad +
                     ", line 3, column 1: channel 5 is out of range: --channels 2 gives channels 0..1\n");
  const std::string empty = scratch.write("empty.txt", "# nothing recorded\n");
  const Run e = run({"data", "spikes", empty, "--bin", "1"});
  CHECK(e.status == 1);
  CHECK(e.err == "helmholtz data: " + empty + ": no spikes in the spike file\n");
}

TEST_CASE("data spikes and generators: usage errors exit 2 with a clear message") {
  ScratchDirectory scratch;
  const std::string rec = scratch.write("rec.txt", "0 1\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"data", "spikes", rec, "--bin", "0"}, "--bin is '0', but must be a number > 0"},
      {{"data", "spikes", rec, "--bin", "-2"}, "--bin is '-2', but must be a number > 0"},
      {{"data", "spikes", rec, "--bin", "inf"}, "--bin is 'inf', but must be a number"},
      {{"data", "spikes", rec, "--bin", "nan"}, "--bin is 'nan', but must be a number"},
      {{"data", "spikes", rec, "--bin", "1ms"}, "--bin is '1ms', but must be a number"},
      {{"data", "spikes", rec}, "missing --bin"},
      {{"data", "spikes", "--bin", "1"}, "missing FILE"},
      {{"data", "spikes", rec, "--bin", "1", "--channels", "0"}, "--channels is '0', but must be a whole number >= 1"},
      {{"data", "spikes", rec, "--bin", "1", "-n", "3"}, "-n applies to generators only, not to spikes"},
      {{"data", "spikes", rec, "--bin", "1", "--size", "3"}, "--size applies to generators only, not to spikes"},
      {{"data", "bars", "-n", "2", "--seed", "1", "--bin", "1"}, "--bin applies to spikes only"},
      {{"data", "bars", "-n", "2", "--seed", "1", "--channels", "3"}, "--channels applies to spikes only"},
      {{"data", "bars", rec, "-n", "2", "--seed", "1"}, "unexpected argument '" + rec + "'"},
      {{"data", "spikes", rec, "extra", "--bin", "1"}, "unexpected argument 'extra'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    const Run r = run(c.args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.rfind("helmholtz data: ", 0) == 0);
    CHECK(r.err.find(c.message) != std::string::npos);
  }
}

TEST_CASE("data assemblies: the patterns and planted assemblies of the C++ generator, listed in the comment") {
  const Run r = run({"data", "assemblies", "-n", "6", "--seed", "5"});
  CHECK(r.status == 0);
  Rng rng = make_rng(5);
  const datasets::PlantedAssemblies planted = datasets::assemblies(6, rng);
  std::string listed;
  for (const auto& assembly : planted.assemblies) {
    listed += listed.empty() ? "[" : " [";
    for (std::size_t i = 0; i < assembly.size(); ++i) {
      if (i > 0) listed += ' ';
      listed += std::to_string(assembly[i]);
    }
    listed += "]";
  }
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "# assemblies: 16 channels, one pattern per time bin; planted assemblies " + listed + "; seed 5");
  for (std::size_t n = 0; n < 6; ++n) {
    std::string row;
    for (std::size_t c = 0; c < 16; ++c) row += planted.patterns(n, c) != 0.0 ? '1' : '0';
    CHECK(lines[n + 1] == row);
  }
  // Its options reach the generator: 2 assemblies of 3 and 1 unassigned channel make 7 columns.
  const Run small = run({"data", "assemblies", "-n", "2", "--seed", "5", "--assemblies", "2", "--assembly-size", "3",
                         "--unassigned-channels", "1"});
  CHECK(small.status == 0);
  const auto small_lines = lines_of(small.out);
  REQUIRE(small_lines.size() == 3);
  CHECK(small_lines[1].size() == 7);
}

TEST_CASE("data assemblies --planted: the planted assemblies, one per line, the same as the comment line lists") {
  ScratchDirectory scratch;
  const std::string planted_file = (scratch.path / "cells.assemblies").string();
  const Run r = run({"data", "assemblies", "-n", "6", "--seed", "5", "--planted", planted_file});
  REQUIRE(r.status == 0);
  Rng rng = make_rng(5);
  const datasets::PlantedAssemblies planted = datasets::assemblies(6, rng);
  std::string expected = "# planted assemblies: 4 of 4 channels among 16, one per line, numbered from 0 as the columns; seed 5\n";
  std::string listed;  // as in the comment line above the patterns
  for (const auto& assembly : planted.assemblies) {
    listed += listed.empty() ? "[" : " [";
    for (std::size_t i = 0; i < assembly.size(); ++i) {
      if (i > 0) {
        expected += ' ';
        listed += ' ';
      }
      expected += std::to_string(assembly[i]);
      listed += std::to_string(assembly[i]);
    }
    expected += "\n";
    listed += "]";
  }
  CHECK(slurp(planted_file) == expected);
  CHECK(lines_of(r.out)[0].find("planted assemblies " + listed + "; seed 5") != std::string::npos);
  // The patterns do not change with --planted.
  CHECK(r.out == run({"data", "assemblies", "-n", "6", "--seed", "5"}).out);
  const Run bars = run({"data", "bars", "-n", "2", "--seed", "1", "--planted", planted_file});
  CHECK(bars.status == 2);
  CHECK(bars.err.find("--planted applies to generators that plant groups only (bars plants none)") != std::string::npos);
  const Run spikes = run({"data", "spikes", planted_file, "--bin", "1", "--planted", planted_file});
  CHECK(spikes.status == 2);
  CHECK(spikes.err.find("--planted applies to generators only, not to spikes") != std::string::npos);
}

// Three cells over six channels, noisy-or weights a row per channel: cell 0 has its largest
// weights to channels 0 1 2, cell 1 to 3 4 and then 0, cell 2 to 5 and then 1 2.
const std::string planted_model = R"(name: planted
nodes:
  - {name: top,      type: binary, size: 1}
  - {name: cells,    type: binary, size: 3}
  - {name: channels, type: binary, size: 6, observed: true}
generative:
  top:      {distribution: sigmoid}
  cells:    {distribution: sigmoid, parents: [top]}
  channels: {distribution: noisy-or, parents: [cells],
             weights: {cells: [[0.9, 0.7, 0], [0.8, 0, 0.8], [0.7, 0, 0.7], [0, 0.9, 0], [0, 0.8, 0], [0, 0, 0.9]]}}
)";

TEST_CASE("probe --assemblies: each assembly's best unit and Jaccard, in text and JSON") {
  ScratchDirectory scratch;
  const std::string model = scratch.write("planted.yaml", planted_model);
  const std::string cells = scratch.write("cells.assemblies", "# two assemblies\n0 1 2\n3 4 5\n");
  // {0 1 2} is cell 0's top 3 (J = 1); {3 4 5} against cell 1's {0 3 4}: 2 of 4 channels (J = 0.5).
  const Run text = run({"probe", model, "--assemblies", cells, "--node", "cells"});
  REQUIRE(text.status == 0);
  const auto lines = lines_of(text.out);
  CHECK(find_row(lines, {"assembly", "channels", "unit", "unit's", "channels", "Jaccard"}) >= 0);
  CHECK(find_row(lines, {"0", "0", "1", "2", "0", "0", "1", "2", "1"}) >= 0);
  CHECK(find_row(lines, {"1", "3", "4", "5", "1", "0", "3", "4", "0.5"}) >= 0);
  CHECK(text.out.find("recovered exactly (Jaccard 1): 1 of 2; mean best Jaccard: 0.75\n") != std::string::npos);
  const Run json = run({"probe", model, "--assemblies", cells, "--node", "cells", "--json"});
  REQUIRE(json.status == 0);
  CHECK(json.out == "{\"model\": \"" + model + "\", \"node\": \"cells\", \"observed\": \"channels\", \"assemblies_file\": \"" +
                        cells +
                        "\", \"assemblies\": [{\"channels\": [0, 1, 2], \"unit\": 0, \"unit_channels\": [0, 1, 2], "
                        "\"jaccard\": 1.0}, {\"channels\": [3, 4, 5], \"unit\": 1, \"unit_channels\": [0, 3, 4], "
                        "\"jaccard\": 0.5}], \"recovered\": 1, \"count\": 2, \"mean_jaccard\": 0.75}\n");
  // --observed names the only observed node: the same answer.
  CHECK(run({"probe", model, "--assemblies", cells, "--node", "cells", "--observed", "channels", "--json"}).out == json.out);
}

TEST_CASE("probe --assemblies: clear errors for a missing file, a channel out of range, a wrong node or option") {
  ScratchDirectory scratch;
  const std::string model = scratch.write("planted.yaml", planted_model);
  const std::string cells = scratch.write("cells.assemblies", "0 1 2\n3 4 5\n");
  const std::string missing = (scratch.path / "missing.assemblies").string();
  const Run no_file = run({"probe", model, "--assemblies", missing, "--node", "cells"});
  CHECK(no_file.status == 1);
  CHECK(no_file.err.find("cannot open assemblies file '" + missing + "'") != std::string::npos);
  const std::string wide = scratch.write("wide.assemblies", "0 1 2\n# six channels: 0..5\n3 4 6\n");
  const Run out_of_range = run({"probe", model, "--assemblies", wide, "--node", "cells"});
  CHECK(out_of_range.status == 1);
  CHECK(out_of_range.err.find(wide + ", line 3, column 5: channel 6 is out of range: node 'channels' of " + model +
                              " has 6 channels, 0..5") != std::string::npos);
  const Run observed = run({"probe", model, "--assemblies", cells, "--node", "channels"});
  CHECK(observed.status == 2);
  CHECK(observed.err.find("node 'channels' is observed; probe a hidden node") != std::string::npos);
  const Run not_parent = run({"probe", model, "--assemblies", cells, "--node", "top"});
  CHECK(not_parent.status == 1);
  CHECK(not_parent.err.find("node 'top' is not a generative parent of 'channels'") != std::string::npos);
  const Run hidden_observed = run({"probe", model, "--assemblies", cells, "--node", "cells", "--observed", "top"});
  CHECK(hidden_observed.status == 2);
  CHECK(hidden_observed.err.find("--observed names node 'top', which is hidden") != std::string::npos);
  const Run with_data = run({"probe", model, "--assemblies", cells, "--node", "cells", "--data", cells});
  CHECK(with_data.status == 2);
  CHECK(with_data.err.find("--data does not apply with --assemblies") != std::string::npos);
  const Run stray = run({"probe", model, "--data", cells, "--labels", cells, "--node", "cells", "--observed", "channels"});
  CHECK(stray.status == 2);
  CHECK(stray.err.find("--observed applies with --assemblies only") != std::string::npos);
  const std::string two = scratch.write("two.yaml", R"(name: two
nodes:
  - {name: cells, type: binary, size: 2}
  - {name: left,  type: binary, size: 3, observed: true}
  - {name: right, type: binary, size: 3, observed: true}
generative:
  cells: {distribution: sigmoid}
  left:  {distribution: sigmoid, parents: [cells]}
  right: {distribution: sigmoid, parents: [cells]}
)");
  const Run ambiguous = run({"probe", two, "--assemblies", cells, "--node", "cells"});
  CHECK(ambiguous.status == 2);
  CHECK(ambiguous.err.find("has 2 observed nodes (left, right): name the channels' node with --observed NAME") !=
        std::string::npos);
  CHECK(run({"probe", two, "--assemblies", scratch.write("small.assemblies", "0 1\n"), "--node", "cells", "--observed",
             "right"})
            .status == 0);
}

// The installed program is run_cli behind main(): same output, same exit status.
TEST_CASE("exact --kl-from bars: KL in nats and bits equal to the engine's divergence over the bars distribution") {
  const std::string bars_model = HELMHOLTZ_SOURCE_DIR "/models/bars.yaml";
  const Run r = run({"exact", bars_model, "--kl-from", "bars", "--bar-probability", "0.3", "--json"});
  REQUIRE(r.status == 0);
  datasets::BarsOptions options;
  options.bar_probability = 0.3;
  const DataDistribution d = datasets::bars_distribution(options);
  const double nats = divergence_from(read_model(bars_model), d.patterns, d.probabilities);
  CHECK(r.out.find("\"kl_from\": \"bars\", \"patterns\": 30") != std::string::npos);
  const std::size_t at = r.out.find("\"kl_nats\": ");
  REQUIRE(at != std::string::npos);
  const double printed = std::stod(r.out.substr(at + 11));
  CHECK(printed == doctest::Approx(nats).epsilon(1e-15));
  const std::size_t bits_at = r.out.find("\"kl_bits\": ");
  REQUIRE(bits_at != std::string::npos);
  CHECK(std::stod(r.out.substr(bits_at + 11)) == doctest::Approx(nats / std::log(2.0)).epsilon(1e-15));
  const Run text = run({"exact", bars_model, "--kl-from", "bars"});
  REQUIRE(text.status == 0);
  CHECK(text.out.rfind("KL(bars || " + bars_model + ") = ", 0) == 0);
  CHECK(text.out.find(" bits\n(exact, over the 30 patterns of the bars distribution") != std::string::npos);
}

TEST_CASE("exact --kl-from: usage errors exit 2 with a clear message") {
  const std::string bars_model = HELMHOLTZ_SOURCE_DIR "/models/bars.yaml";
  const Run both = run({"exact", bars_model, "--kl-from", "bars", "--all-patterns"});
  CHECK(both.status == 2);
  CHECK(both.err.find("give one of --data FILE, --all-patterns and --kl-from GENERATOR") != std::string::npos);
  const Run stray = run({"exact", bars_model, "--all-patterns", "--bar-probability", "0.3"});
  CHECK(stray.status == 2);
  CHECK(stray.err.find("--bar-probability applies with --kl-from only") != std::string::npos);
  const Run unlisted = run({"exact", bars_model, "--kl-from", "shifter"});
  CHECK(unlisted.status == 2);
  CHECK(unlisted.err.find("the shifter generator cannot list its distribution exactly") != std::string::npos);
  const Run unknown = run({"exact", bars_model, "--kl-from", "zebras"});
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("unknown generator 'zebras'") != std::string::npos);
  const Run other = run({"exact", bars_model, "--kl-from", "bars", "--on-probability", "0.3"});  // a shifter option
  CHECK(other.status == 2);
  const Run wide = run({"exact", tiny_model, "--kl-from", "bars"});  // 4 observed units, bars have 16
  CHECK(wide.status == 1);
  CHECK(wide.err.find("the bars patterns have 16 units") != std::string::npos);
}

TEST_CASE("probe: the shifter's labels against a node, and clear errors for a wrong node or labels file") {
  const std::string shifter_model = HELMHOLTZ_SOURCE_DIR "/models/shifter.yaml";
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string data = dir + "/helmholtz_probe_test.data", labels = dir + "/helmholtz_probe_test.labels";
  const Run made = run({"data", "shifter", "-n", "200", "--seed", "3", "--labels", labels});
  REQUIRE(made.status == 0);
  { std::ofstream(data) << made.out; }
  const Run r = run({"probe", shifter_model, "--data", data, "--labels", labels, "--node", "detectors", "--samples", "5",
                     "--json"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("\"node\": \"detectors\", \"samples\": 5") != std::string::npos);
  CHECK(r.out.find("\"centroid_accuracy\": ") != std::string::npos);
  const Run no_node = run({"probe", shifter_model, "--data", data, "--labels", labels, "--node", "nothing"});
  CHECK(no_node.status == 2);
  CHECK(no_node.err.find("has no node 'nothing'") != std::string::npos);
  const Run observed = run({"probe", shifter_model, "--data", data, "--labels", labels, "--node", "pixels"});
  CHECK(observed.status == 2);
  CHECK(observed.err.find("node 'pixels' is observed") != std::string::npos);
  { std::ofstream(labels) << "# labels\n1\n0\nright\n"; }
  const Run bad = run({"probe", shifter_model, "--data", data, "--labels", labels, "--node", "direction"});
  CHECK(bad.status == 1);
  CHECK(bad.err.find(labels + ", line 4: 'right' is not a label (a whole number)") != std::string::npos);
  { std::ofstream(labels) << "1\n0\n"; }
  const Run short_file = run({"probe", shifter_model, "--data", data, "--labels", labels, "--node", "direction"});
  CHECK(short_file.status == 1);
  CHECK(short_file.err.find("has 2 labels, " + data + " has 200 patterns") != std::string::npos);
  std::filesystem::remove(data);
  std::filesystem::remove(labels);
}

TEST_CASE("render fantasies: the seed defaults to 0, as its help says, and the same seed gives the same file") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string a = dir + "/helmholtz_render_a.png", b = dir + "/helmholtz_render_b.png";
  const Run implicit = run({"render", "fantasies", tiny_model, "-o", a});
  REQUIRE(implicit.status == 0);
  const Run explicit_seed = run({"render", "fantasies", tiny_model, "--seed", "0", "-o", b});
  REQUIRE(explicit_seed.status == 0);
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  const std::string bytes_a((std::istreambuf_iterator<char>(fa)), {}), bytes_b((std::istreambuf_iterator<char>(fb)), {});
  CHECK(!bytes_a.empty());
  CHECK(bytes_a == bytes_b);
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}

TEST_CASE("the helmholtz binary prints what run_cli prints and exits with its status") {
  ScratchDirectory scratch;
  const std::string out_file = (scratch.path / "out.txt").string();
  const std::string err_file = (scratch.path / "err.txt").string();
  auto shell = [&](const std::string& arguments) {
    const std::string command =
        std::string("'") + HELMHOLTZ_BINARY + "' " + arguments + " > '" + out_file + "' 2> '" + err_file + "'";
    const int raw = std::system(command.c_str());
    REQUIRE(WIFEXITED(raw));
    return WEXITSTATUS(raw);
  };
  CHECK(shell("sample '" + tiny_model + "' -n 50 --seed 3") == 0);
  CHECK(slurp(out_file) == run({"sample", tiny_model, "-n", "50", "--seed", "3"}).out);
  CHECK(shell("sample '" + tiny_model + "' --seed 3") == 2);
  CHECK(slurp(err_file).find("missing -n") != std::string::npos);
  CHECK(shell("check '" + (scratch.path / "missing.yaml").string() + "'") == 1);
  CHECK(shell("--help") == 0);
}

TEST_CASE("a pattern impossible under the model: -inf and 'impossible', never nan, in exact --posterior and evaluate, and "
          "exact --json lists it in impossible_patterns") {
  ScratchDirectory scratch;
  // v[0] can fire only on its own (bias 0, weight 0): the pattern 10 has probability 0.
  const std::string model = (scratch.path / "impossible.yaml").string();
  const std::string data = (scratch.path / "impossible.data").string();
  {
    std::ofstream file(model);
    file << "nodes:\n  - {name: h, type: binary, size: 1}\n  - {name: v, type: binary, size: 2, observed: true}\n"
            "generative:\n  h: {distribution: sigmoid}\n"
            "  v: {distribution: noisy-or, parents: [h], bias: [0, 0], weights: {h: [[0], [0.5]]}}\n";
    std::ofstream patterns(data);
    patterns << "10\n01\n";
  }
  const Run exact = run({"exact", model, "--data", data, "--posterior"});
  CHECK(exact.status == 0);
  CHECK(exact.out.find("nan") == std::string::npos);
  CHECK(exact.out.find("impossible under the model (p(d) = 0): no posterior") != std::string::npos);
  CHECK(exact.out.find("1 of 2 patterns are impossible under the model") != std::string::npos);
  const Run exact_json = run({"exact", model, "--data", data, "--posterior", "--json"});
  CHECK(exact_json.out.find("\"log_likelihood\": [null, ") != std::string::npos);
  CHECK(exact_json.out.find("\"impossible_patterns\": [1]") != std::string::npos);  // what the null means
  CHECK(exact_json.out.find("\"posterior_mode\": [null, [1]]") != std::string::npos);
  CHECK(exact_json.out.find("\"posterior_marginals\": [[null], [1.0]]") != std::string::npos);

  const Run evaluate = run({"evaluate", model, "--data", data, "--samples", "10", "--seed", "1"});
  CHECK(evaluate.status == 0);
  CHECK(evaluate.out.find("nan") == std::string::npos);
  CHECK(evaluate.out.find("impossible\n") != std::string::npos);  // pattern 1's KL column
  CHECK(evaluate.out.find("1 of 2 patterns are impossible under the model") != std::string::npos);
  const Run evaluate_json = run({"evaluate", model, "--data", data, "--samples", "10", "--seed", "1", "--json"});
  CHECK(evaluate_json.out.find("\"impossible_patterns\": [1]") != std::string::npos);
  CHECK(evaluate_json.out.find("nan") == std::string::npos);
}

// A stream buffer that refuses every byte, as a full disk does.
class FullDevice : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

TEST_CASE("a command whose output cannot be written exits 1 with a message, never 0 in silence") {
  const std::vector<std::vector<std::string>> commands = {
      {"sample", tiny_model, "-n", "5", "--seed", "1"},
      {"data", "bars", "-n", "5", "--seed", "1"},
      {"check", tiny_model},
      {"sample", "--help"},
  };
  for (const auto& args : commands) {
    CAPTURE(args[0]);
    FullDevice full;
    std::ostream out(&full);
    std::ostringstream err;
    CHECK(cli::run_cli(args, out, err) == 1);
    CHECK(err.str().find("helmholtz " + args[0] + ": could not write the output") != std::string::npos);
  }
}

TEST_CASE("the helmholtz binary writing to /dev/full exits 1 and says why") {
  if (!std::filesystem::exists("/dev/full")) return;  // not every system has one
  ScratchDirectory scratch;
  const std::string data = (scratch.path / "tiny.data").string();
  REQUIRE(run({"sample", tiny_model, "-n", "20", "--seed", "1"}).status == 0);
  {
    std::ofstream file(data);
    file << run({"sample", tiny_model, "-n", "20", "--seed", "1"}).out;
  }
  const std::string err_file = (scratch.path / "err.txt").string();
  const std::vector<std::string> commands = {
      "sample '" + tiny_model + "' -n 5 --seed 1",
      "exact '" + tiny_model + "' --data '" + data + "'",
      "data bars -n 5 --seed 1",
      "check '" + tiny_model + "'",
      "evaluate '" + tiny_model + "' --data '" + data + "' --samples 5",
  };
  for (const std::string& arguments : commands) {
    CAPTURE(arguments);
    const std::string command = std::string("'") + HELMHOLTZ_BINARY + "' " + arguments + " > /dev/full 2> '" + err_file + "'";
    const int raw = std::system(command.c_str());
    REQUIRE(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 1);
    CHECK(slurp(err_file).find("could not write the output (No space left on device)") != std::string::npos);
  }
}

}  // namespace
}  // namespace helmholtz

TEST_CASE("train refuses an output it cannot write before it trains") {
  std::ostringstream out, err;
  const std::string model = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/tiny.yaml";
  const std::string data = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/tiny.yaml";  // never read: refused first
  const int status = helmholtz::cli::run_cli(
      {"train", model, "--data", data, "--seed", "1", "--output", "/nonexistent-folder/trained.yaml"}, out, err);
  CHECK(status == 1);
  CHECK(err.str().find("cannot write '/nonexistent-folder/trained.yaml'") != std::string::npos);
}

TEST_CASE("train refuses a directory as its output before it trains") {
  std::ostringstream out, err;
  const std::string model = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/tiny.yaml";
  const std::string data = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/tiny.yaml";  // never read: refused first
  const std::string folder = std::string(HELMHOLTZ_SOURCE_DIR) + "/models";
  const int status = helmholtz::cli::run_cli({"train", model, "--data", data, "--seed", "1", "--output", folder}, out, err);
  CHECK(status == 1);
  CHECK(err.str() == "helmholtz train: cannot write '" + folder + "': Is a directory\n");
}
