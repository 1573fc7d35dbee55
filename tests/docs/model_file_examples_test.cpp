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

#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
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

// The file name a message starts with ("two.yaml, line 6, column 1: ..." gives two.yaml), or
// "" when it starts otherwise.
std::string leading_file(const std::string& message) {
  const std::size_t at = message.find(", line ");
  if (at == 0 || at == std::string::npos) return "";
  const std::string name = message.substr(0, at);
  if (name.find_first_of(" ,:'") != std::string::npos) return "";
  std::size_t digits = at + 7;
  while (digits < message.size() && std::isdigit(static_cast<unsigned char>(message[digits]))) ++digits;
  if (digits == at + 7 || digits == message.size() || (message[digits] != ',' && message[digits] != ':')) return "";
  return name;
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// The messages of the Errors section: the tables' and those shown alone in a code block, a
// line that starts with a model file's name ("entry-nodist-bias.yaml, line 4, ...").
std::vector<std::string> documented_messages() {
  const std::string section = errors_section();
  std::vector<std::string> messages = doc_text::table_messages(section);
  for (const auto& block : doc_text::code_blocks(section))
    for (const std::string& line : block)
      if (ends_with(leading_file(line), ".yaml")) messages.push_back(line);
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
  const std::string missing = "cannot open model file '", directory = "' is a directory, not a model file";
  if (starts_with(message, missing) && ends_with(message, "'"))
    return {message.substr(missing.size(), message.size() - missing.size() - 1), errors_dir, false};
  if (starts_with(message, "'") && ends_with(message, directory))
    return {message.substr(1, message.size() - directory.size() - 1), source, false};
  const std::string file = leading_file(message);
  if (!file.empty()) return {file, errors_dir, true};
  // A message about the whole file names no line: "tiny.yaml: the model file has ... bytes".
  const std::size_t colon = message.find(".yaml: ");
  if (colon != std::string::npos && message.substr(0, colon).find_first_of(" ,:'") == std::string::npos)
    return {message.substr(0, colon + 5), errors_dir, true};
  FAIL("no file named at the start of the message: " << message);
  return {};
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// `text` cut into its numbers and the rest, each number made '#':
// "- [0.5, -1e-3]" gives "- [#, #]" and 0.5, -0.001.
struct NumbersAndText {
  std::vector<double> numbers;
  std::string text;
};

NumbersAndText split_numbers(const std::string& text) {
  NumbersAndText out;
  const auto digit = [&](std::size_t i) { return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); };
  for (std::size_t i = 0; i < text.size();) {
    const bool starts = digit(i) || ((text[i] == '-' || text[i] == '+' || text[i] == '.') && digit(i + 1)) ||
                        ((text[i] == '-' || text[i] == '+') && text[i + 1] == '.' && digit(i + 2));
    char* end = nullptr;
    const double value = starts ? std::strtod(text.c_str() + i, &end) : 0;
    if (!starts || end == text.c_str() + i) {
      out.text += text[i++];
      continue;
    }
    out.numbers.push_back(value);
    out.text += '#';
    i = static_cast<std::size_t>(end - text.c_str());
  }
  return out;
}

std::vector<double> numbers_in(const std::string& text) { return split_numbers(text).numbers; }

// Two lines of model files alike but for the last digits of their numbers (within 1e-9):
// the digits a trained parameter ends in follow the compiler's floating-point contraction,
// and the Debug build of the sanitizer run (.ci/sanitize) contracts less than Release.
bool same_but_last_digits(const std::string& a, const std::string& b) {
  const NumbersAndText x = split_numbers(a), y = split_numbers(b);
  if (x.text != y.text) return false;
  for (std::size_t i = 0; i < x.numbers.size(); ++i)
    if (x.numbers[i] != doctest::Approx(y.numbers[i]).epsilon(1e-9)) return false;
  return true;
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
  const std::size_t at = err.rfind("sampled bound ");
  return at == std::string::npos ? NAN : std::stod(err.substr(at + 14));
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
    const ProgramRun r = run_helmholtz({"check", from.name}, from.directory, doc_text::limit_settings(message));
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
  // A file that a model file refers to (not-a-plugin.so, named by `plugins:`) is shipped for the
  // message that mentions it.
  std::set<std::string> mentioned;
  for (const std::string& message : documented_messages())
    for (const std::string& name : files_in(errors_dir))
      if (message.find(" " + name + " ") != std::string::npos) mentioned.insert(name);
  const std::set<std::string> shipped = files_in(errors_dir);
  for (const std::string& name : shipped)
    CHECK_MESSAGE(named.count(name) + mentioned.count(name) >= 1,
                  "tests/model-files/errors/" << name << " is named by no message of the document");
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
  const std::string entry = "  " + doc_text::between(fixed, "In each file the entry is `", " ...}`");
  const std::size_t line = std::stoul(doc_text::between(fixed, "...}` on line ", "."));
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

  const std::string table = doc_text::section(doc, "### The training section");
  const std::size_t from = std::stoul(doc_text::between(table, "(from line ", ")"));
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
    for (std::size_t i = 0; i + 1 < from; ++i) {
      CAPTURE(i + 1);
      CHECK(same_but_last_digits(file[i], three[i]));
    }
  }

  // "helmholtz check summarises it (`trained with ... on b.data`)"
  const std::string summary = doc_text::between(training, "`helmholtz check` summarises it (`", "`)");
  const ProgramRun check = run_helmholtz({"check", "three.yaml"}, scratch.path);
  CHECK(check.status == 0);
  CHECK(doc_text::one_line(check.out).find(summary) != std::string::npos);
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
  const std::string role = doc_text::between(doc, "`helmholtz check` shows each cue in the node's role (`", "`)");
  const ProgramRun cues = run_helmholtz({"check", "models/digits9-cues.yaml"}, source);
  CHECK(cues.status == 0);
  CHECK(cues.out.find(role) != std::string::npos);

  // The fixed blocks after a node's parents, in zero-fixed.yaml.
  // The row is quoted whole, its runs of spaces kept: it is taken from the document as written.
  const std::string fixed_at = "shows the fixed blocks after a node's parents, as\n  `";
  const std::size_t row_at = doc.find(fixed_at);
  REQUIRE(row_at != std::string::npos);
  const std::string row = doc.substr(row_at + fixed_at.size(), doc.find('`', row_at + fixed_at.size()) - row_at - fixed_at.size());
  const ProgramRun fixed = run_helmholtz({"check", "zero-fixed.yaml"}, examples_dir);
  CHECK(fixed.status == 0);
  CHECK(fixed.out.find("\n  " + row + "\n") != std::string::npos);
}

TEST_CASE("docs/model-file.md: training zero.yaml and zero-fixed.yaml by the commands shown gives the weights and bounds shown") {
  // Trained weights are compared to 1e-9 (their last digits follow the build, as in
  // same_but_last_digits), the bounds to their last printed digit, and the zeros exactly.
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
  CHECK(std::abs(last_bound(errs[1]) - std::stod(doc_text::between(doc, "after epoch 5 is ", " nats in the first run"))) <= 1e-4);
  CHECK(std::abs(last_bound(errs[2]) - std::stod(doc_text::between(doc, "nats in the first run and ", " in the second"))) <= 1e-4);

  // zero-fixed.yaml: the weights come back as they were, with `fixed: [weights]`; the biases move.
  run_commands(code_block_after(doc, "With `zero-fixed.yaml`"), scratch.path);
  const std::string weights_back = doc_text::between(doc, "writes its weights back as `", "`");
  const std::string fixed_key = doc_text::between(doc, "writes its weights back as `" + weights_back + "`, with `", "`");
  const std::string written = doc_text::read(scratch.path / "fixed-out.yaml");
  CHECK(data_weights(written) == numbers_in(weights_back));
  const std::size_t data_at = written.find("  data:\n"), data_end = written.find("\nrecognition:");
  REQUIRE(data_at < data_end);
  const std::string data_entry = written.substr(data_at, data_end + 1 - data_at);
  CHECK(data_entry.find("\n    " + fixed_key + "\n") != std::string::npos);
  const std::size_t bias = data_entry.find("    bias: ");
  REQUIRE(bias != std::string::npos);
  for (double b : numbers_in(data_entry.substr(bias, data_entry.find('\n', bias) - bias))) CHECK(b != 0.01);
}

}  // namespace
}  // namespace helmholtz
