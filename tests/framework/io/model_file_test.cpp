// Model files: every mistake is an InputError that names the file label, the line of the
// mistake (", line N") and what is wrong; good files load into the network they describe;
// writing a network out and reading it back changes nothing.
// Facts checked:
//   each mistake listed in the cases below is refused, with the line of the offending
//   text (counted by hand from the test's text, 1-based) and a message naming the key,
//   value or nodes involved;
//   models/tiny.yaml has the nodes, edges, parameter counts and parameter values typed in
//   the file (generative 2 + (3 + 3*2) + (4 + 4*3) = 27, recognition (3 + 3*4) + (2 + 2*3) = 23);
//   without a recognition section each hidden node is recognised by a sigmoid from its
//   generative children;
//   parameters a file omits are drawn from its `seed`: the same file gives the same bits,
//   another seed other values, every value inside its plugin's range, and giving some
//   parameters does not shift the draws of the others;
//   parse_model(model_to_yaml(n)) has every parameter of n bit for bit and emits the same
//   text again; write_model leaves exactly the complete file and no temporary behind.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "plugins/builtin.hpp"
#include "framework/error.hpp"
#include "framework/io/model_file.hpp"

namespace helmholtz {
namespace {

namespace fs = std::filesystem;

// The message of the InputError parse_model throws for `text`; fails the test if it
// throws nothing or something else.
InputError error_of(const std::string& text) {
  try {
    parse_model(text, "bad.yaml");
  } catch (const InputError& e) {
    return e;
  } catch (const std::exception& e) {
    FAIL("expected an InputError, got: " << e.what());
  }
  FAIL("the model was accepted, but it has a mistake");
  return InputError(Where{}, "");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The message starts with "bad.yaml, line N" (then ", column C" or ":") and contains every
// fragment; the error's Where carries the same file and line.
void check_error(const std::string& text, int line, const std::vector<std::string>& fragments) {
  const InputError e = error_of(text);
  const std::string message = e.what();
  INFO("message: " << message);
  const std::string head = "bad.yaml, line " + std::to_string(line);
  CHECK(message.rfind(head, 0) == 0);
  CHECK((message.substr(head.size(), 1) == "," || message.substr(head.size(), 1) == ":"));
  CHECK(e.where().file == "bad.yaml");
  CHECK(e.where().line == line);
  for (const auto& fragment : fragments) CHECK_MESSAGE(contains(message, fragment), "missing: " << fragment);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.insert(entry.path().filename().string());
  return out;
}

// A fresh empty directory, removed at the end of the test.
struct TemporaryDirectory {
  fs::path path;
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "helmholtz-model-file-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::vector<double> values_of(const Distribution& d) { return {d.parameters().begin(), d.parameters().end()}; }

std::vector<std::uint64_t> bits_of(const Distribution& d) {
  std::vector<std::uint64_t> out;
  for (double x : d.parameters()) out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

std::vector<std::string> parent_names(const Distribution& d) {
  std::vector<std::string> out;
  for (const auto& p : d.shape().parents) out.push_back(p.name);
  return out;
}

// ---------------------------------------------------------------------------------------
// Mistakes. Line numbers are those of the text as written: line 1 is the text right
// after R"( .

TEST_CASE("a YAML syntax error names its line") {
  // Line 4: a map value where none is allowed.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: distribution: sigmoid
)",
              4, {"not valid YAML"});
  // Line 5 is indented less than the map it would belong to.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid}
 b: 1
)",
              5, {"not valid YAML"});
  // Line 4: a list closed by '}'.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid, bias: [0, 0}
)",
              4, {"not valid YAML"});
}

TEST_CASE("a ',' where a YAML document should begin is refused at its line, not parsed for ever") {
  // yaml-cpp 0.7's LoadAll never returns on these (the reader does not use it).
  check_error(",\n", 1, {"not valid YAML: unexpected ','"});
  check_error("[a],\n", 1, {"column 4", "not valid YAML: unexpected ','"});
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid}
---
, b
)",
              6, {"not valid YAML: unexpected ','"});
}

TEST_CASE("an unknown top-level key is named with the allowed keys") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generativ:
  a: {distribution: sigmoid}
)",
              3, {"unknown key 'generativ'", "generative", "recognition"});
}

TEST_CASE("an unknown key in a node entry is named") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
  - {name: b, type: binary, sise: 2}
generative:
  a: {distribution: sigmoid}
  b: {distribution: sigmoid}
)",
              3, {"nodes[1]", "unknown key 'sise'", "allowed: name, type, size, observed"});
}

TEST_CASE("an unknown key in a distribution entry is named") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid,
      bais: [0, 0]}
)",
              5, {"generative.a (sigmoid)", "unknown key 'bais'", "bias", "weights"});
  // Also before the distribution is known.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {bais: [0, 0]}
)",
              4, {"generative.a", "missing key 'distribution'"});
}

TEST_CASE("an unknown distribution is named with the registered ones") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoidd}
)",
              4, {"generative.a", "unknown distribution 'sigmoidd'", "sigmoid", "noisy-or", "odds-sum"});
}

TEST_CASE("an unknown node among the parents is named with the known nodes") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 1}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h, hh]}
)",
              6, {"generative.a", "unknown node 'hh'", "nodes: h, a"});
}

TEST_CASE("in a network of many nodes, an unknown node's message lists the first ten and counts the rest") {
  // A chain of 2000 nodes, each the parent of the next; the last entry names a node that is not there.
  std::string text = "nodes:\n";
  for (int i = 0; i < 2000; ++i)
    text += "  - {name: n" + std::to_string(i) + ", type: binary, size: 1" + (i == 1999 ? ", observed: true" : "") + "}\n";
  text += "generative:\n  n0: {distribution: sigmoid}\n";
  for (int i = 1; i < 2000; ++i) {
    text += "  n";
    text += std::to_string(i);
    text += ": {distribution: sigmoid, parents: [";
    if (i == 1999) {
      text += "nosuch";
    } else {
      text += 'n';
      text += std::to_string(i - 1);
    }
    text += "]}\n";
  }
  const InputError e = error_of(text);
  CHECK(contains(e.what(), "unknown node 'nosuch' (nodes: n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, and 1990 more)"));
  CHECK(std::string(e.what()).size() < 300);
  // The same chain with the right parent reads, and the default recognition network reverses
  // every edge: each hidden node is recognised from the next.
  const std::string good = text.substr(0, text.rfind("nosuch")) + "n1998]}\n";
  const Network network = parse_model(good, "chain.yaml");
  REQUIRE(network.nodes.size() == 2000);
  CHECK(network.generative.conditionals[1999].parents == std::vector<std::size_t>{1998});
  CHECK(network.recognition.conditionals[0].parents == std::vector<std::size_t>{1});
  CHECK(network.recognition.conditionals[1998].parents == std::vector<std::size_t>{1999});
}

TEST_CASE("a node with two entries in the generative section is refused at the second") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid}
  a: {distribution: sigmoid}
)",
              5, {"key 'a' appears twice"});
}

TEST_CASE("an unknown node as a key of the generative or recognition section is named") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 1}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h]}
  b: {distribution: sigmoid}
)",
              7, {"generative", "unknown node 'b'"});
  check_error(R"(nodes:
  - {name: h, type: binary, size: 1}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h]}
recognition:
  h: {distribution: sigmoid, parents: [a]}
  z: {distribution: sigmoid, parents: [a]}
)",
              9, {"recognition", "unknown node 'z'"});
}

TEST_CASE("a duplicate node name is refused at the second declaration") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
  - {name: h, type: binary, size: 1}
  - {name: a, type: binary, size: 3}
generative:
  a: {distribution: sigmoid}
)",
              4, {"duplicate node 'a'"});
}

TEST_CASE("a key given twice is refused at the second occurrence") {
  // At the top level.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid}
generative:
  a: {distribution: sigmoid}
)",
              5, {"key 'generative' appears twice"});
  // In a node entry.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2,
     size: 3, observed: true}
generative:
  a: {distribution: sigmoid}
)",
              3, {"key 'size' appears twice"});
  // A node twice in a section.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid}
  a: {distribution: noisy-or}
)",
              5, {"key 'a' appears twice"});
  // In a distribution entry.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid, bias: [0, 0],
      bias: [1, 1]}
)",
              5, {"generative.a (sigmoid)", "key 'bias' appears twice"});
}

TEST_CASE("a parent listed twice is refused") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 1}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h, h]}
)",
              6, {"generative.a", "parent 'h' is listed twice"});
}

TEST_CASE("a generative cycle is refused, naming the nodes on it") {
  // x <- a <- b <- a: the cycle a -> b -> a; the message points at a's entry.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 1}
  - {name: b, type: binary, size: 1}
  - {name: x, type: binary, size: 1, observed: true}
generative:
  x: {distribution: sigmoid, parents: [a]}
  a: {distribution: sigmoid, parents: [b]}
  b: {distribution: sigmoid, parents: [a]}
)",
              7, {"generative", "cycle a -> b -> a"});
  // A longer one: a -> b -> c -> a.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 1}
  - {name: b, type: binary, size: 1}
  - {name: c, type: binary, size: 1}
  - {name: x, type: binary, size: 1, observed: true}
generative:
  a: {distribution: sigmoid, parents: [c]}
  b: {distribution: sigmoid, parents: [a]}
  c: {distribution: sigmoid, parents: [b]}
  x: {distribution: sigmoid, parents: [a]}
)",
              7, {"generative", "cycle a -> b -> c -> a"});
}

TEST_CASE("a node that is its own parent is refused") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 1, observed: true}
generative:
  a: {distribution: sigmoid, parents: [a]}
)",
              4, {"generative.a", "own parent", "a -> a"});
}

TEST_CASE("a bias of the wrong length is refused") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid,
      bias: [0, 0, 0]}
)",
              5, {"generative.a (sigmoid)", "bias has 3 entries, but must have 2"});
}

TEST_CASE("weights with the wrong number of rows or columns are refused") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: a, type: binary, size: 3, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h],
      weights: {h: [[1, 2], [3, 4]]}}
)",
              7, {"generative.a (sigmoid)", "weights[h] has 2 rows, but must have 3"});
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: a, type: binary, size: 3, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h],
      weights: {h: [[1, 2],
                    [3, 4, 5],
                    [5, 6]]}}
)",
              8, {"generative.a (sigmoid)", "weights[h][1] has 3 columns, but must have 2"});
}

TEST_CASE("weights for a node that is not a parent are refused") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: g, type: binary, size: 1}
  - {name: a, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid}
  g: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [g],
      weights: {g: [[1]],
                h: [[1, 2]]}}
)",
              10, {"generative.a (sigmoid)", "'h' is not a parent of 'a'", "parents: g"});
}

TEST_CASE("a parameter outside its plugin's range is named with the range") {
  // noisy-or weights are probabilities.
  check_error(R"(nodes:
  - {name: top, type: binary, size: 2}
  - {name: mid, type: binary, size: 3}
  - {name: data, type: binary, size: 4, observed: true}
generative:
  top: {distribution: sigmoid}
  mid: {distribution: sigmoid, parents: [top]}
  data: {distribution: noisy-or, parents: [mid],
         weights: {mid: [[0.9, 0, 0], [0, 0.8, 0],
                         [1.3, 0, 0.7], [0.5, 0.5, 0]]}}
)",
              10, {"generative.data (noisy-or): weights[mid][2][0] is 1.3, but must be in [0, 1]"});
  // odds-sum biases are odds, so >= 0.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: odds-sum,
      bias: [0.5, -0.25]}
)",
              5, {"generative.a (odds-sum): bias[1] is -0.25, but must be >= 0"});
}

TEST_CASE("a value that is not a number is refused") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid,
      bias: [0, abc]}
)",
              5, {"generative.a (sigmoid)", "bias[1] is 'abc', but must be a number"});
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid,
      bias: [[0], 1]}
)",
              5, {"generative.a (sigmoid)", "bias[0] is a list, but must be a number"});
  check_error(R"(nodes:
  - {name: h, type: binary, size: 1}
  - {name: a, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h],
      weights: {h: [[abc]]}}
)",
              7, {"weights[h][0][0] is 'abc', but must be a number"});
  // Not finite.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 1, observed: true}
generative:
  a: {distribution: sigmoid,
      bias: [1e400]}
)",
              5, {"bias[0] is '1e400'"});
}

TEST_CASE("a node size that is not a whole number >= 1 is refused") {
  // Whole numbers are written in digits, as seeds are: 1e3, 3.0 and the string "4" are not.
  for (const std::string size : {"0", "2.5", "-1", "1e3", "3.0", "x"}) {
    CAPTURE(size);
    check_error("nodes:\n  - {name: h, type: binary, size: 1}\n  - {name: a, type: binary, size: " + size +
                    ", observed: true}\ngenerative:\n  a: {distribution: sigmoid}\n",
                3, {"nodes.a", "size is '" + size + "', but must be a whole number >= 1 written in digits"});
  }
  check_error("nodes:\n  - {name: a, type: binary, size: \"4\", observed: true}\ngenerative:\n  a: {distribution: sigmoid}\n",
              2, {"nodes.a", "size is '4', but must be a whole number >= 1 written in digits"});
  CHECK(parse_model("nodes:\n  - {name: a, type: binary, size: +4, observed: true}\ngenerative:\n  a: {distribution: sigmoid}\n",
                    "plus.yaml").nodes[0].size == 4);
}

TEST_CASE("YAML's spellings of NaN and infinity in a parameter are refused as not finite") {
  for (const std::string value : {".nan", ".NaN", ".inf", "-.inf", ".Inf", "nan", "inf"}) {
    CAPTURE(value);
    check_error("nodes:\n  - {name: a, type: binary, size: 2, observed: true}\ngenerative:\n"
                "  a: {distribution: sigmoid, bias: [" + value + ", 0]}\n",
                4, {"bias[0] is '" + value + "', but must be finite"});
  }
}

TEST_CASE("an unknown node type is refused") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
  - {name: h, type: gaussian, size: 2}
generative:
  a: {distribution: sigmoid}
)",
              3, {"nodes.h", "unknown type 'gaussian'", "allowed: binary"});
}

TEST_CASE("an observed node may not have a recognition entry") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h]}
recognition:
  h: {distribution: sigmoid, parents: [a]}
  a: {distribution: sigmoid, parents: [h]}
)",
              9, {"recognition.a", "'a' is observed"});
}

TEST_CASE("a declared recognition section needs an entry, with parents, for every hidden node") {
  // g has no entry; the message points into the section.
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: g, type: binary, size: 2}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  g: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h, g]}
recognition:
  h: {distribution: sigmoid, parents: [a]}
)",
              10, {"recognition", "hidden node 'g' has no entry"});
  // h's entry has an empty parent list.
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h]}
recognition:
  h: {distribution: sigmoid, parents: []}
)",
              8, {"recognition.h", "hidden node 'h' has no parents"});
}

TEST_CASE("with the default recognition network, a hidden node without children is refused") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: lonely, type: binary, size: 2}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  lonely: {distribution: sigmoid}
  a: {distribution: sigmoid, parents: [h]}
)",
              3, {"nodes.lonely", "hidden node 'lonely' has no children", "recognition"});
}

TEST_CASE("a model without an observed node is refused") {
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2}
  - {name: b, type: binary, size: 2, observed: false}
generative:
  a: {distribution: sigmoid}
  b: {distribution: sigmoid}
)",
              2, {"no node is observed", "observed: true"});
}

TEST_CASE("every node needs a generative entry") {
  // The message points into the generative section (its first entry, line 5).
  check_error(R"(nodes:
  - {name: h, type: binary, size: 2}
  - {name: a, type: binary, size: 2, observed: true}
generative:
  a: {distribution: sigmoid, parents: [h]}
)",
              5, {"generative", "node 'h' has no entry"});
  // No generative section at all.
  check_error(R"(nodes:
  - {name: a, type: binary, size: 2, observed: true}
)",
              1, {"missing key 'generative'"});
}

TEST_CASE("a recognition cycle is refused, naming the nodes on it") {
  check_error(R"(nodes:
  - {name: h, type: binary, size: 1}
  - {name: g, type: binary, size: 1}
  - {name: a, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid}
  g: {distribution: sigmoid, parents: [h]}
  a: {distribution: sigmoid, parents: [g]}
recognition:
  h: {distribution: sigmoid, parents: [a, g]}
  g: {distribution: sigmoid, parents: [h]}
)",
              10, {"recognition", "cycle h -> g -> h"});
}

TEST_CASE("a seed that is not a whole number >= 0 is refused") {
  for (const std::string seed : {"-1", "2.5", "abc"}) {
    CAPTURE(seed);
    check_error("seed: " + seed + "\nnodes:\n  - {name: a, type: binary, size: 1, observed: true}\n"
                "generative:\n  a: {distribution: sigmoid}\n",
                1, {"seed is"});
  }
}

TEST_CASE("an empty model file is refused, naming the file") {
  // Named by file; there is no key to point at, so the message points at line 1.
  for (const std::string text : {"", "\n", "# only a comment\n"}) {
    CAPTURE(text);
    const InputError e = error_of(text);
    CHECK(contains(e.what(), "empty"));
    CHECK(std::string(e.what()).rfind("bad.yaml, line 1", 0) == 0);
  }
}

TEST_CASE("an empty model file is refused with its file label") {
  for (const std::string text : {"", "\n", "# only a comment\n"}) {
    CAPTURE(text);
    const InputError e = error_of(text);
    CHECK(std::string(e.what()).rfind("bad.yaml", 0) == 0);
    CHECK(contains(e.what(), "the model file is empty"));
  }
}

TEST_CASE("a second YAML document in a model file is refused at its --- line, not dropped") {
  const std::string body = "nodes:\n  - {name: a, type: binary, size: 1, observed: true}\n"
                           "generative:\n  a: {distribution: sigmoid}\n";
  const InputError e = error_of(body + "---\nnodes: []\n");
  CHECK(std::string(e.what()).rfind("bad.yaml, line 5, column 1:", 0) == 0);  // the --- the user removes
  CHECK(contains(e.what(), "a second YAML document begins here, but a model file holds one network"));
  // The marker found above a document that starts further down, after comments.
  CHECK(std::string(error_of(body + "--- # two\n# more\n\nnodes: []\n").what()).rfind("bad.yaml, line 5, column 1:", 0) == 0);
  // A document marker with nothing after it, or an explicit end, adds no document to lose.
  CHECK(parse_model(body + "---\n", "ok.yaml").nodes.size() == 1);
  CHECK(parse_model("---\n" + body + "...\n", "ok.yaml").nodes.size() == 1);
}

TEST_CASE("a directory given as a model file is named as a directory") {
  try {
    read_model(HELMHOLTZ_SOURCE_DIR "/models", builtin_registry());
    FAIL("a directory was read as a model");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == std::string("'") + HELMHOLTZ_SOURCE_DIR + "/models' is a directory, not a model file");
  }
}

TEST_CASE("a large seed is kept exactly") {
  // 2^53 + 1 = 9007199254740993 is a valid 64-bit seed that a double cannot hold; it must
  // not silently become 2^53, or two different seeds would give the same parameters.
  const std::string body = "nodes:\n  - {name: a, type: binary, size: 1, observed: true}\n"
                           "generative:\n  a: {distribution: sigmoid}\n";
  CHECK(parse_model("seed: 9007199254740993\n" + body, "seed.yaml").seed == 9007199254740993ULL);
  // 2^64 - 1, the largest seed, is a whole number >= 0.
  CHECK(parse_model("seed: 18446744073709551615\n" + body, "seed.yaml").seed == 18446744073709551615ULL);
}

TEST_CASE("read_model names the path it was given") {
  TemporaryDirectory dir;
  const fs::path file = dir.path / "broken.yaml";
  std::ofstream(file) << "nodes:\n  - {name: a, type: binary, size: 2, observed: true}\ngenerative:\n"
                         "  a: {distribution: sigmoid, bias: [0, 0, 0]}\n";
  try {
    read_model(file.string());
    FAIL("accepted a bias of the wrong length");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).rfind(file.string() + ", line 4", 0) == 0);
  }
  CHECK_THROWS_AS(read_model((dir.path / "missing.yaml").string()), Error);
}

// ---------------------------------------------------------------------------------------
// Good files.

TEST_CASE("models/tiny.yaml loads as written") {
  const Network n = read_model(std::string(HELMHOLTZ_SOURCE_DIR) + "/models/tiny.yaml");
  CHECK(n.name == "tiny");
  REQUIRE(n.nodes.size() == 3);
  CHECK(n.nodes[0].name == "top");
  CHECK(n.nodes[1].name == "mid");
  CHECK(n.nodes[2].name == "data");
  CHECK(n.nodes[0].size == 2);
  CHECK(n.nodes[1].size == 3);
  CHECK(n.nodes[2].size == 4);
  CHECK(!n.nodes[0].observed);
  CHECK(!n.nodes[1].observed);
  CHECK(n.nodes[2].observed);
  CHECK(n.generative.order == std::vector<std::size_t>{0, 1, 2});
  // top: 2 biases; mid: 3 + 3x2; data: 4 + 4x3.
  CHECK(n.generative.parameter_count() == 27);
  // mid from data: 3 + 3x4; top from mid: 2 + 2x3.
  CHECK(n.recognition.parameter_count() == 23);
  CHECK(n.recognition_declared);

  const auto& g = n.generative.conditionals;
  CHECK(g[0].parents.empty());
  CHECK(g[1].parents == std::vector<std::size_t>{0});
  CHECK(g[2].parents == std::vector<std::size_t>{1});
  CHECK(g[0].distribution->kind() == "sigmoid");
  CHECK(g[1].distribution->kind() == "sigmoid");
  CHECK(g[2].distribution->kind() == "noisy-or");
  // [bias | W row-major], typed from the file.
  CHECK(values_of(*g[0].distribution) == std::vector<double>{0.1, -0.3});
  CHECK(values_of(*g[1].distribution) == std::vector<double>{0, 0, 0, 1, -1, 0.5, 0.2, 0, 2});
  CHECK(values_of(*g[2].distribution) ==
        std::vector<double>{0.01, 0.01, 0.01, 0.01, 0.9, 0, 0, 0, 0.8, 0, 0, 0, 0.7, 0.5, 0.5, 0});

  const auto& r = n.recognition.conditionals;
  CHECK(r[2].distribution == nullptr);  // observed: the data gives it
  REQUIRE(r[1].distribution != nullptr);
  REQUIRE(r[0].distribution != nullptr);
  CHECK(r[1].parents == std::vector<std::size_t>{2});
  CHECK(r[0].parents == std::vector<std::size_t>{1});
  CHECK(r[1].distribution->kind() == "sigmoid");
  CHECK(r[0].distribution->kind() == "sigmoid");
  CHECK(n.recognition.order == std::vector<std::size_t>{2, 1, 0});
}

TEST_CASE("without a recognition section, each hidden node is recognised by a sigmoid from its generative children") {
  // Generative edges: h1 -> h2, h1 -> v1, h2 -> v1, h2 -> v2.
  // Reversed: h1 from {h2, v1}, h2 from {v1, v2}; v1, v2 have none.
  const Network n = parse_model(R"(seed: 3
nodes:
  - {name: h1, type: binary, size: 2}
  - {name: h2, type: binary, size: 1}
  - {name: v1, type: binary, size: 3, observed: true}
  - {name: v2, type: binary, size: 2, observed: true}
generative:
  h1: {distribution: sigmoid}
  h2: {distribution: noisy-or, parents: [h1]}
  v1: {distribution: odds-sum, parents: [h1, h2]}
  v2: {distribution: sigmoid, parents: [h2]}
)",
                                "default.yaml");
  CHECK(!n.recognition_declared);
  const auto& r = n.recognition.conditionals;
  REQUIRE(r.size() == 4);
  CHECK(r[2].distribution == nullptr);
  CHECK(r[3].distribution == nullptr);
  REQUIRE(r[0].distribution != nullptr);
  REQUIRE(r[1].distribution != nullptr);
  CHECK(std::set<std::size_t>(r[0].parents.begin(), r[0].parents.end()) == std::set<std::size_t>{1, 2});
  CHECK(std::set<std::size_t>(r[1].parents.begin(), r[1].parents.end()) == std::set<std::size_t>{2, 3});
  for (std::size_t i : {0, 1}) {
    CAPTURE(i);
    const Distribution& d = *r[i].distribution;
    CHECK(d.kind() == "sigmoid");
    CHECK(d.shape().node == n.nodes[i].name);
    CHECK(d.shape().units == n.nodes[i].size);
    // The plugin sees the parents in the order the conditional lists them.
    std::vector<std::string> listed;
    for (std::size_t p : r[i].parents) listed.push_back(n.nodes[p].name);
    CHECK(parent_names(d) == listed);
  }
  // h1: 2 + 2x(1 + 3); h2: 1 + 1x(3 + 2).
  CHECK(r[0].distribution->parameters().size() == 10);
  CHECK(r[1].distribution->parameters().size() == 6);
  CHECK(n.recognition.parameter_count() == 16);
  // Every recognition parent comes before its child.
  std::vector<std::size_t> position(4);
  for (std::size_t k = 0; k < n.recognition.order.size(); ++k) position[n.recognition.order[k]] = k;
  for (std::size_t child = 0; child < 4; ++child)
    for (std::size_t p : r[child].parents) CHECK(position[p] < position[child]);
}

// A network with all three plugins and every parameter left out.
std::string unparameterised(const std::string& seed_line, const std::string& mid_parameters = "") {
  return seed_line + R"(
nodes:
  - {name: top, type: binary, size: 2}
  - {name: mid, type: binary, size: 3}
  - {name: data, type: binary, size: 4, observed: true}
  - {name: more, type: binary, size: 2, observed: true}
generative:
  top: {distribution: sigmoid}
  mid: {distribution: noisy-or, parents: [top])" +
         mid_parameters + R"(}
  data: {distribution: odds-sum, parents: [mid, top]}
  more: {distribution: sigmoid, parents: [mid]}
)";
}

// Every parameter of both directions, bit for bit, node by node.
std::vector<std::vector<std::uint64_t>> all_bits(const Network& n) {
  std::vector<std::vector<std::uint64_t>> out;
  for (const DirectedModel* m : {&n.generative, &n.recognition})
    for (const auto& c : m->conditionals) out.push_back(c.distribution ? bits_of(*c.distribution) : std::vector<std::uint64_t>{});
  return out;
}

TEST_CASE("omitted parameters are drawn from the file's seed") {
  const Network a = parse_model(unparameterised("seed: 11"), "a.yaml");
  const Network again = parse_model(unparameterised("seed: 11"), "again.yaml");
  const Network other = parse_model(unparameterised("seed: 12"), "other.yaml");
  CHECK(a.seed == 11);
  CHECK(other.seed == 12);

  SUBCASE("the same file gives the same parameters, bit for bit") { CHECK(all_bits(a) == all_bits(again)); }

  SUBCASE("another seed gives other parameters") {
    // Every distribution with weights has drawn values, so each must change.
    for (auto [m, mo] : {std::pair{&a.generative, &other.generative}, std::pair{&a.recognition, &other.recognition}}) {
      for (std::size_t i = 0; i < m->conditionals.size(); ++i) {
        const Distribution* d = m->conditionals[i].distribution.get();
        if (!d || d->parameters().size() == d->shape().units) continue;
        CAPTURE(d->shape().node);
        CHECK(bits_of(*d) != bits_of(*mo->conditionals[i].distribution));
      }
    }
  }

  SUBCASE("no seed key means seed 0") {
    const Network none = parse_model(unparameterised(""), "none.yaml");
    const Network zero = parse_model(unparameterised("seed: 0"), "zero.yaml");
    CHECK(none.seed == 0);
    CHECK(all_bits(none) == all_bits(zero));
  }

  SUBCASE("every drawn value is inside its plugin's range and the weights are spread") {
    for (const Network* n : {&a, &other}) {
      for (const DirectedModel* m : {&n->generative, &n->recognition}) {
        for (std::size_t i = 0; i < m->conditionals.size(); ++i) {
          const Distribution* d = m->conditionals[i].distribution.get();
          if (!d) continue;
          CAPTURE(d->shape().node);
          CAPTURE(d->kind());
          const auto v = values_of(*d);
          const std::size_t units = d->shape().units;
          for (double x : v) {
            CHECK(std::isfinite(x));
            if (d->kind() == "noisy-or") CHECK((x >= 0 && x <= 1));  // probabilities
            if (d->kind() == "odds-sum") CHECK(x >= 0);               // odds
          }
          if (v.size() > units) {
            // Drawn, not all set to one value.
            const std::set<double> weights(v.begin() + static_cast<std::ptrdiff_t>(units), v.end());
            CHECK(weights.size() > 1);
          }
        }
      }
    }
  }

  SUBCASE("giving some parameters does not shift the draws of the others") {
    const Network given =
        parse_model(unparameterised("seed: 11", ",\n       bias: [0.5, 0.5, 0.5], weights: {top: [[1, 0], [0, 1], [0.5, 0.5]]}"),
                    "given.yaml");
    const auto x = all_bits(a), y = all_bits(given);
    REQUIRE(x.size() == y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      CAPTURE(i);
      if (i == 1) {  // generative mid: the values typed above
        CHECK(values_of(*given.generative.conditionals[1].distribution) ==
              std::vector<double>{0.5, 0.5, 0.5, 1, 0, 0, 1, 0.5, 0.5});
      } else {
        CHECK(x[i] == y[i]);
      }
    }
  }
}

TEST_CASE("model_to_yaml and parse_model round-trip every parameter bit for bit") {
  Network n = parse_model(unparameterised("name: round\nseed: 77"), "start.yaml");
  // Values whose decimal form needs all 17 digits, signed zero, extremes and subnormals.
  const double awkward[] = {1.0 / 3.0,  -0.0,     5e-324,  -2.2250738585072014e-308, 1e300, -1.7976931348623157e308,
                            0.1,        -2.0 / 3, 1e-5,    123456789.123456789,      -7.0, std::nextafter(1.0, 2.0)};
  const double probability[] = {0.0, 1.0, 1.0 / 3.0, std::nextafter(1.0, 0.0), 5e-324, 0.1, 0.7, 1e-17, 0.5};
  const double odds[] = {0.0, 1e308, 1.0 / 7.0, 5e-324, 2.5, 1e-300, 3.0, 0.3};
  std::size_t next = 0;
  for (DirectedModel* m : {&n.generative, &n.recognition}) {
    for (auto& c : m->conditionals) {
      if (!c.distribution) continue;
      Vector v = c.distribution->parameters();
      for (std::size_t i = 0; i < v.size(); ++i, ++next) {
        if (c.distribution->kind() == "noisy-or") v(i) = probability[next % std::size(probability)];
        else if (c.distribution->kind() == "odds-sum") v(i) = odds[next % std::size(odds)];
        else v(i) = awkward[next % std::size(awkward)];
      }
      c.distribution->set_parameters(v);
    }
  }
  const std::string text = model_to_yaml(n);
  INFO(text);
  const Network back = parse_model(text, "round.yaml");

  CHECK(back.name == "round");
  CHECK(back.seed == 77);
  REQUIRE(back.nodes.size() == n.nodes.size());
  for (std::size_t i = 0; i < n.nodes.size(); ++i) {
    CHECK(back.nodes[i].name == n.nodes[i].name);
    CHECK(back.nodes[i].size == n.nodes[i].size);
    CHECK(back.nodes[i].observed == n.nodes[i].observed);
  }
  for (auto [m, mb] : {std::pair{&n.generative, &back.generative}, std::pair{&n.recognition, &back.recognition}}) {
    REQUIRE(mb->conditionals.size() == m->conditionals.size());
    for (std::size_t i = 0; i < m->conditionals.size(); ++i) {
      CAPTURE(i);
      const auto& c = m->conditionals[i];
      const auto& cb = mb->conditionals[i];
      CHECK(cb.parents == c.parents);
      REQUIRE((cb.distribution == nullptr) == (c.distribution == nullptr));
      if (!c.distribution) continue;
      CHECK(cb.distribution->kind() == c.distribution->kind());
      CHECK(bits_of(*cb.distribution) == bits_of(*c.distribution));
    }
  }
  CHECK(model_to_yaml(back) == text);
}

TEST_CASE("write_model writes the whole file and leaves no temporary behind") {
  const Network n = read_model(std::string(HELMHOLTZ_SOURCE_DIR) + "/models/tiny.yaml");
  TemporaryDirectory dir;
  const fs::path file = dir.path / "model.yaml";

  SUBCASE("a new file") {
    write_model(n, file.string());
    CHECK(files_in(dir.path) == std::set<std::string>{"model.yaml"});
    CHECK(read_text(file) == model_to_yaml(n));
    CHECK(all_bits(read_model(file.string())) == all_bits(n));
  }

  SUBCASE("over an existing, longer file") {
    std::ofstream(file) << std::string(100000, '#') << "\n";
    write_model(n, file.string());
    CHECK(files_in(dir.path) == std::set<std::string>{"model.yaml"});
    CHECK(read_text(file) == model_to_yaml(n));
  }

  SUBCASE("a failed write throws and leaves nothing behind") {
    // The target is a non-empty directory, so the final rename must fail.
    fs::create_directory(file);
    std::ofstream(file / "keep") << "x";
    CHECK_THROWS_AS(write_model(n, file.string()), Error);
    CHECK(files_in(dir.path) == std::set<std::string>{"model.yaml"});
    CHECK(files_in(file) == std::set<std::string>{"keep"});
    // A directory that does not exist.
    CHECK_THROWS_AS(write_model(n, (dir.path / "no" / "such" / "model.yaml").string()), Error);
    CHECK(files_in(dir.path) == std::set<std::string>{"model.yaml"});
  }
}

}  // namespace
}  // namespace helmholtz
