// docs/model-file.md against the files it names and the program it describes.
// Facts checked:
//   every message of the Errors section (its tables, and a message shown alone in a code
//   block) is exactly what the built `helmholtz check` prints on stderr, with exit status 1,
//   for the file the message names, run in tests/model-files/errors/ as the document's
//   messages are (the missing file stays missing; the directory is models/, run from the top
//   of the source tree);
//   every file in tests/model-files/errors/ is named by such a message, and every file a
//   message names is there, so that the tables and the files never drift apart;
//   the files the text shows (models/tiny.yaml, zero.yaml, zero-fixed.yaml,
//   weights-range.yaml, the cue files' model, the fixed-block files' line 6, the training
//   files' three.yaml) are the shipped ones, and tests/model-files/examples/ holds exactly
//   the worked examples;
//   every "$ helmholtz check FILE" block prints the lines shown below it, and the other
//   outputs the text quotes (the default recognition network, cues, fixed blocks, a
//   training summary, the weights and bounds of training zero.yaml) are the program's.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/doc_text.hpp"
#include "tests/support/run_program.hpp"

namespace helmholtz {
namespace {

namespace fs = std::filesystem;
using doc_text::code_block_after;
using doc_text::lines_of;
using doc_text::starts_with;

const fs::path source = HELMHOLTZ_SOURCE_DIR;
const fs::path errors_dir = source / "tests" / "model-files" / "errors";
const fs::path examples_dir = source / "tests" / "model-files" / "examples";

std::string model_doc() { return doc_text::read(source / "docs" / "model-file.md"); }

std::string errors_section() { return doc_text::section(model_doc(), "## Errors"); }

// The messages of the Errors section: the tables' and those shown alone in a code block, a
// line that starts with a model file's name ("entry-nodist-bias.yaml, line 4, ...").
std::vector<std::string> documented_messages() {
  const std::string section = errors_section();
  std::vector<std::string> messages = doc_text::table_messages(section);
  const std::regex alone(R"(^[A-Za-z0-9._-]+\.yaml, line [0-9]+[,:].*)");
  for (const auto& block : doc_text::code_blocks(section))
    for (const std::string& line : block)
      if (std::regex_match(line, alone)) messages.push_back(line);
  return messages;
}

// Where a message comes from: `helmholtz check NAME` run in `directory`; `shipped` when NAME
// is one of the files in tests/model-files/errors/.
struct MessageSource {
  std::string name;
  fs::path directory;
  bool shipped;
};

MessageSource source_of(const std::string& message) {
  std::smatch m;
  if (std::regex_match(message, m, std::regex(R"(cannot open model file '(.*)')"))) return {m[1], errors_dir, false};
  if (std::regex_match(message, m, std::regex(R"('(.*)' is a directory, not a model file)"))) return {m[1], source, false};
  if (std::regex_search(message, m, std::regex(R"(^([^,:]+), line [0-9]+[,:])"))) return {m[1], errors_dir, true};
  FAIL("no file named at the start of the message: " << message);
  return {};
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// The numbers in `text`, in order: "[[0.5, 0], [0, 1e-3]]" gives 0.5, 0, 0, 0.001.
std::vector<double> numbers_in(const std::string& text) {
  std::vector<double> numbers;
  const std::regex number(R"([-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it)
    numbers.push_back(std::stod(it->str()));
  return numbers;
}

// The rows "        - [a, b]" of the first "    weights:\n      top:" block of a model
// file's text (the generative weights of `data` in zero.yaml's outputs), as numbers.
std::vector<double> data_weights(const std::string& text) {
  const std::string head = "    weights:\n      top:\n";
  const std::size_t at = text.find(head);
  REQUIRE_MESSAGE(at != std::string::npos, "no weights block from top in:\n" << text);
  std::string rows;
  for (const std::string& line : lines_of(text.substr(at + head.size()))) {
    if (!starts_with(line, "        - [")) break;
    rows += line + "\n";
  }
  return numbers_in(rows);
}

// The last "sampled bound X nats" a training run printed.
double last_bound(const std::string& err) {
  const std::regex bound(R"(sampled bound (\S+) nats)");
  double last = NAN;
  for (auto it = std::sregex_iterator(err.begin(), err.end(), bound); it != std::sregex_iterator(); ++it)
    last = std::stod((*it)[1].str());
  return last;
}

// Runs each line of a document's command block in `directory`, each required to succeed;
// returns what each printed on stderr.
std::vector<std::string> run_commands(const std::string& block, const fs::path& directory) {
  std::vector<std::string> errs;
  for (const std::string& line : lines_of(block)) {
    CAPTURE(line);
    const ProgramRun r = run_shell_line(line, directory);
    INFO(r.err);
    REQUIRE(r.status == 0);
    errs.push_back(r.err);
  }
  return errs;
}

// ---------------------------------------------------------------------------------------

TEST_CASE("docs/model-file.md: every documented message is what helmholtz check prints for its file") {
  const std::vector<std::string> messages = documented_messages();
  REQUIRE(messages.size() > 50);
  for (const std::string& message : messages) {
    CAPTURE(message);
    const MessageSource from = source_of(message);
    if (from.shipped) {
      REQUIRE_MESSAGE(fs::is_regular_file(errors_dir / from.name), "not shipped: tests/model-files/errors/" << from.name);
    }
    const ProgramRun r = run_helmholtz({"check", from.name}, from.directory);
    CHECK(r.status == 1);
    CHECK(r.out == "");
    CHECK(r.err == "helmholtz check: " + message + "\n");
  }
}

TEST_CASE("docs/model-file.md: tests/model-files/errors holds exactly the files the messages name") {
  std::set<std::string> named;
  for (const std::string& message : documented_messages()) {
    const MessageSource from = source_of(message);
    if (from.shipped) {
      CHECK_MESSAGE(named.insert(from.name).second, from.name << " is named by two messages");
    } else if (from.directory == errors_dir) {
      CHECK_MESSAGE(!fs::exists(errors_dir / from.name), from.name << " must stay missing");
    } else {
      CHECK_MESSAGE(fs::is_directory(from.directory / from.name), from.name << " must be a directory");
    }
  }
  const std::set<std::string> shipped = files_in(errors_dir);
  for (const std::string& name : shipped)
    CHECK_MESSAGE(named.count(name) == 1, "tests/model-files/errors/" << name << " is named by no message of the document");
  for (const std::string& name : named)
    CHECK_MESSAGE(shipped.count(name) == 1, "tests/model-files/errors/" << name << " is named by the document but missing");
}

TEST_CASE("docs/model-file.md: every $ helmholtz check block prints the lines shown below it") {
  // A bare file name is one of tests/model-files/errors/, as in the Errors section; a path
  // is run from the top of the source tree.
  int blocks = 0;
  for (const auto& block : doc_text::code_blocks(model_doc())) {
    if (block.empty() || !starts_with(block[0], "$ helmholtz check ")) continue;
    ++blocks;
    const std::string file = block[0].substr(std::string("$ helmholtz check ").size());
    CAPTURE(file);
    std::string shown;
    for (std::size_t i = 1; i < block.size(); ++i) shown += block[i] + "\n";
    const ProgramRun r = run_helmholtz({"check", file}, file.find('/') == std::string::npos ? errors_dir : source);
    if (starts_with(shown, "helmholtz check: ")) {
      CHECK(r.status == 1);
      CHECK(r.err == shown);
    } else {
      CHECK(r.status == 0);
      CHECK(r.out == shown);
    }
  }
  CHECK(blocks >= 3);  // tiny.yaml, weights-range.yaml and the shipped empty.yaml
}

TEST_CASE("docs/model-file.md: the files the text shows are the shipped ones") {
  const std::string doc = model_doc();
  CHECK(code_block_after(doc, "`models/tiny.yaml`: two layers") == doc_text::read(source / "models" / "tiny.yaml"));
  CHECK(code_block_after(doc, "where `weights-range.yaml`") == doc_text::read(errors_dir / "weights-range.yaml"));

  // zero.yaml as shown; zero-fixed.yaml is zero.yaml with the `data` entry of "Fixed blocks".
  const std::string zero = code_block_after(doc, "For example, `zero.yaml`");
  CHECK(zero == doc_text::read(examples_dir / "zero.yaml"));
  const std::string fixed_entries = code_block_after(doc_text::section(doc, "## Fixed blocks"), "a single name:");
  std::string fixed_data;  // the lines of the `data` entry: its first line and those indented below it
  for (const std::string& line : lines_of(fixed_entries)) {
    if (starts_with(line, "  data:") || (!fixed_data.empty() && starts_with(line, "    "))) {
      fixed_data += line + "\n";
    } else if (!fixed_data.empty()) {
      break;
    }
  }
  std::string zero_fixed, zero_data;
  for (const std::string& line : lines_of(zero)) {
    if (starts_with(line, "  data:") || (!zero_data.empty() && starts_with(line, "    "))) {
      if (zero_data.empty()) zero_fixed += fixed_data;
      zero_data += line + "\n";
    } else {
      zero_fixed += line + "\n";
    }
  }
  REQUIRE(!fixed_data.empty());
  REQUIRE(!zero_data.empty());
  CHECK(zero_fixed == doc_text::read(examples_dir / "zero-fixed.yaml"));
  CHECK(files_in(examples_dir) == std::set<std::string>{"zero.yaml", "zero-fixed.yaml"});
}

TEST_CASE("docs/model-file.md: each cue file is the model shown with line 3 changed (a cue on an observed node moved to line 4)") {
  const std::string cues = doc_text::section(model_doc(), "### Cues");
  const std::vector<std::string> model = lines_of(code_block_after(cues, "Each file is the model below"));
  REQUIRE(model.size() > 4);
  const std::vector<std::string> messages = doc_text::table_messages(cues);
  REQUIRE(messages.size() > 10);
  for (const std::string& message : messages) {
    const std::string name = source_of(message).name;
    CAPTURE(name);
    const std::vector<std::string> file = lines_of(doc_text::read(errors_dir / name));
    REQUIRE(file.size() == model.size());
    std::set<std::size_t> changed;
    for (std::size_t i = 0; i < file.size(); ++i)
      if (file[i] != model[i]) changed.insert(i + 1);
    CHECK(changed == (name == "cue-observed.yaml" ? std::set<std::size_t>{3, 4} : std::set<std::size_t>{3}));
  }
}

TEST_CASE("docs/model-file.md: each fixed-blocks file has the entry the text describes on its line") {
  const std::string fixed = doc_text::section(model_doc(), "### Fixed blocks");
  std::smatch m;
  REQUIRE(std::regex_search(fixed, m, std::regex(R"(In each file the entry is `(.*) \.\.\.\}` on line ([0-9]+)\.)")));
  const std::string entry = "  " + m[1].str();
  const std::size_t line = std::stoul(m[2].str());
  const std::vector<std::string> messages = doc_text::table_messages(fixed);
  REQUIRE(messages.size() > 3);
  for (const std::string& message : messages) {
    const std::string name = source_of(message).name;
    CAPTURE(name);
    const std::vector<std::string> file = lines_of(doc_text::read(errors_dir / name));
    REQUIRE(file.size() >= line);
    CHECK(starts_with(file[line - 1], entry));
  }
}

TEST_CASE("docs/model-file.md: the training files are three.yaml as the shown commands write it, with the training section replaced") {
  const std::string doc = model_doc();
  const std::string training = doc_text::section(doc, "## The training section");
  const ScratchFolder scratch;
  fs::create_directories(scratch.path / "models");
  fs::copy_file(source / "models" / "bars.yaml", scratch.path / "models" / "bars.yaml");
  run_commands(code_block_after(training, "\nAfter\n"), scratch.path);
  const std::vector<std::string> three = lines_of(doc_text::read(scratch.path / "three.yaml"));

  std::smatch m;
  const std::string table = doc_text::section(doc, "### The training section");
  REQUIRE(std::regex_search(table, m, std::regex(R"(\(from line ([0-9]+)\))")));
  const std::size_t from = std::stoul(m[1].str());
  REQUIRE(three.size() > from);
  CHECK(three[from - 1] == "training:");
  std::string shown_end;
  for (std::size_t i = from - 1; i < three.size(); ++i) shown_end += three[i] + "\n";
  CHECK(shown_end == code_block_after(training, "`three.yaml` ends with"));

  const std::vector<std::string> messages = doc_text::table_messages(table);
  REQUIRE(messages.size() > 5);
  for (const std::string& message : messages) {
    const std::string name = source_of(message).name;
    CAPTURE(name);
    const std::vector<std::string> file = lines_of(doc_text::read(errors_dir / name));
    REQUIRE(file.size() >= from);
    CHECK(std::vector<std::string>(file.begin(), file.begin() + static_cast<long>(from - 1)) ==
          std::vector<std::string>(three.begin(), three.begin() + static_cast<long>(from - 1)));
  }

  // "helmholtz check summarises it (`trained with ... on b.data`)"
  REQUIRE(std::regex_search(training, m, std::regex(R"(`helmholtz check` summarises it \(`([^`]*)`\))")));
  const ProgramRun check = run_helmholtz({"check", "three.yaml"}, scratch.path);
  CHECK(check.status == 0);
  CHECK(doc_text::one_line(check.out).find(doc_text::one_line(m[1].str())) != std::string::npos);
}

TEST_CASE("docs/model-file.md: what helmholtz check shows of the default recognition network, cues and fixed blocks") {
  const std::string doc = model_doc();
  // models/tiny.yaml without its recognition section.
  const std::string tiny = doc_text::read(source / "models" / "tiny.yaml");
  const ScratchFolder scratch;
  {
    std::ofstream(scratch.path / "tiny.yaml") << tiny.substr(0, tiny.find("\nrecognition:") + 1);
  }
  const ProgramRun reversed = run_helmholtz({"check", "tiny.yaml"}, scratch.path);
  CHECK(reversed.status == 0);
  CHECK(reversed.out.find(code_block_after(doc, "`models/tiny.yaml` without its `recognition` section:")) !=
        std::string::npos);

  // The role of a cued node, in models/digits9-cues.yaml.
  std::smatch m;
  REQUIRE(std::regex_search(doc, m, std::regex(R"(`helmholtz check` shows each cue in the node's role\s*\(`([^`]*)`\))")));
  const ProgramRun cues = run_helmholtz({"check", "models/digits9-cues.yaml"}, source);
  CHECK(cues.status == 0);
  CHECK(cues.out.find(m[1].str()) != std::string::npos);

  // The fixed blocks after a node's parents, in zero-fixed.yaml.
  REQUIRE(std::regex_search(doc, m, std::regex(R"(`helmholtz check` shows the fixed blocks after a node's parents, as\s*`([^`]*)`)")));
  const ProgramRun fixed = run_helmholtz({"check", "zero-fixed.yaml"}, examples_dir);
  CHECK(fixed.status == 0);
  CHECK(fixed.out.find("\n  " + m[1].str() + "\n") != std::string::npos);
}

TEST_CASE("docs/model-file.md: training zero.yaml and zero-fixed.yaml by the commands shown gives the weights and bounds shown") {
  // The last digits of a trained weight follow the compiler's floating-point contraction,
  // which differs between optimised and debug builds: weights are compared to 1e-9, the
  // bounds to their last printed digit, and the zeros exactly.
  const std::string doc = model_doc();
  const ScratchFolder scratch;
  fs::copy_file(examples_dir / "zero.yaml", scratch.path / "zero.yaml");
  fs::copy_file(examples_dir / "zero-fixed.yaml", scratch.path / "zero-fixed.yaml");
  const std::vector<std::string> errs = run_commands(code_block_after(doc, "Trained on its own samples"), scratch.path);
  REQUIRE(errs.size() == 3);

  const std::map<std::string, std::string> shown = {
      {"coordinates.yaml", code_block_after(doc, "in `coordinates.yaml`")},
      {"natural.yaml", code_block_after(doc, "and in `natural.yaml`")},
  };
  for (const auto& [file, block] : shown) {
    CAPTURE(file);
    const std::vector<double> expected = data_weights(block);
    const std::vector<double> trained = data_weights(doc_text::read(scratch.path / file));
    REQUIRE(expected.size() == 8);
    REQUIRE(trained.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(i);
      if (expected[i] == 0) CHECK(trained[i] == 0);
      else CHECK(trained[i] == doctest::Approx(expected[i]).epsilon(1e-9));
    }
  }
  std::smatch m;
  REQUIRE(std::regex_search(doc, m, std::regex(R"(after epoch 5 is (\S+) nats in the first run and (\S+) in the\s+second)")));
  CHECK(std::abs(last_bound(errs[1]) - std::stod(m[1].str())) <= 1e-4);
  CHECK(std::abs(last_bound(errs[2]) - std::stod(m[2].str())) <= 1e-4);

  // zero-fixed.yaml: the weights come back as they were, with `fixed: [weights]`; the biases move.
  run_commands(code_block_after(doc, "With `zero-fixed.yaml`"), scratch.path);
  REQUIRE(std::regex_search(doc, m, std::regex(R"(writes its weights back as\s+`([^`]*)`, with `([^`]*)`)")));
  const std::string written = doc_text::read(scratch.path / "fixed-out.yaml");
  CHECK(data_weights(written) == numbers_in(m[1].str()));
  const std::size_t data_at = written.find("  data:\n"), data_end = written.find("\nrecognition:");
  REQUIRE(data_at < data_end);
  const std::string data_entry = written.substr(data_at, data_end + 1 - data_at);
  CHECK(data_entry.find("\n    " + m[2].str() + "\n") != std::string::npos);
  const std::size_t bias = data_entry.find("    bias: ");
  REQUIRE(bias != std::string::npos);
  for (double b : numbers_in(data_entry.substr(bias, data_entry.find('\n', bias) - bias))) CHECK(b != 0.01);
}

}  // namespace
}  // namespace helmholtz
