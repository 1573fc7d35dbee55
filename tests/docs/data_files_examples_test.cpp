// docs/data-files.md against the files it names and the program it describes.
// Facts checked:
//   every message of its error tables that names an input file is exactly what the built
//   program prints on stderr, with exit status 1, run in tests/data-files/ (the missing
//   files stay missing; /dev/zero is the system's) with the command the table is about:
//     data files:        helmholtz exact models/tiny.yaml --data FILE   (the table's model)
//     spike files:       helmholtz data spikes FILE --bin 5, with the --channels or --bin
//                        the message itself names
//     assemblies files:  helmholtz probe trained.yaml --assemblies FILE --node assemblies,
//                        trained.yaml being models/trained/spikes.yaml, the network the
//                        document's probe example trains (docs/results.md);
//   every file under tests/data-files/ is named by such a message or is one of the document's
//   two examples, and every file a message names is there;
//   the examples data/example.txt and data/rec.txt are the text the document shows, and the
//   commands shown on them print the output shown;
//   every command of the section on standard input (`$ ...`, a pipe into `--data -`) prints
//   what is shown below it, stdout and stderr together, and exits with status 0 when that is
//   not a message of the program; run one after the other in one folder, so that a run can
//   resume the model an earlier one wrote.
#include <doctest/doctest.h>

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "tests/support/doc_text.hpp"
#include "tests/support/run_program.hpp"

namespace helmholtz {
namespace {

namespace fs = std::filesystem;
using doc_text::code_block_after;
using doc_text::starts_with;

const fs::path source = HELMHOLTZ_SOURCE_DIR;
const fs::path files_dir = source / "tests" / "data-files";

std::string data_doc() { return doc_text::read(source / "docs" / "data-files.md"); }

// A documented message and how to reproduce it: `args` run in `directory`; `file` the input
// it names, relative to tests/data-files/, and whether that file is shipped there.
struct Case {
  std::string message;
  std::vector<std::string> args;
  std::string file;
  bool shipped = true;
};

// The file a message names after the command's name: at its start ("data/neg.txt, line 2,
// ...", "data/empty.txt: no ..."), or quoted by "cannot open ... file '...'"; "" for a
// message about the command line.
std::string file_of(const std::string& message) {
  if (!starts_with(message, "helmholtz ")) return "";
  const std::size_t colon = message.find(": ");
  if (colon == std::string::npos) return "";
  const std::string rest = message.substr(colon + 2);
  const std::size_t quote = rest.find(" file '");
  if (starts_with(rest, "cannot open ") && quote != std::string::npos && rest.back() == '\'')
    return rest.substr(quote + 7, rest.size() - quote - 8);
  const std::size_t end = rest.find_first_of(" ,:");
  if (end == 0 || end == std::string::npos || starts_with(rest, "--")) return "";
  if (rest.compare(end, 7, ", line ") == 0 || rest.compare(end, 2, ": ") == 0) return rest.substr(0, end);
  return "";
}

// What follows `before` in `message` up to the next space ("" without `before`).
std::string word_after(const std::string& message, const std::string& before) {
  const std::size_t at = message.find(before);
  if (at == std::string::npos) return "";
  const std::size_t start = at + before.size();
  return message.substr(start, message.find(' ', start) - start);
}

// The table rows of the document whose message names an input file, with their commands.
std::vector<Case> documented_cases() {
  std::vector<Case> cases;
  for (const std::string& message : doc_text::table_messages(data_doc())) {
    const std::string file = file_of(message);
    if (file.empty()) continue;  // a mistake on the command line, not in a file
    Case c{message, {}, file, file != "/dev/zero" && message.find("cannot open") == std::string::npos};
    if (starts_with(message, "helmholtz exact: ")) {
      c.args = {"exact", (source / "models" / "tiny.yaml").string(), "--data", file};
    } else if (starts_with(message, "helmholtz data: ")) {
      const std::string bin = word_after(message, ": bins of "), channels = word_after(message, "--channels ");
      c.args = {"data", "spikes", file, "--bin", bin.empty() ? "5" : bin};
      if (!channels.empty()) {
        c.args.push_back("--channels");
        c.args.push_back(channels);
      }
    } else if (starts_with(message, "helmholtz probe: ")) {
      c.args = {"probe", "trained.yaml", "--assemblies", file, "--node", "assemblies"};
    } else {
      FAIL("a message of a command this test does not know: " << message);
    }
    cases.push_back(c);
  }
  return cases;
}

// The lines below `command` in the code block that starts with it.
std::string output_shown(const std::string& doc, const std::string& command) {
  for (const auto& block : doc_text::code_blocks(doc)) {
    if (block.empty() || block[0] != command) continue;
    std::string shown;
    for (std::size_t i = 1; i < block.size(); ++i) shown += block[i] + "\n";
    return shown;
  }
  FAIL("no code block starts with: " << command);
  return "";
}

TEST_CASE("docs/data-files.md: every documented message about a file is what the program prints for it") {
  const std::vector<Case> cases = documented_cases();
  REQUIRE(cases.size() > 15);
  // The probe runs in a folder of its own, beside the trained network the messages name.
  const ScratchFolder probe_folder;
  fs::copy_file(source / "models" / "trained" / "spikes.yaml", probe_folder.path / "trained.yaml");
  for (const auto& entry : fs::directory_iterator(files_dir))
    if (entry.path().extension() == ".assemblies") fs::copy_file(entry.path(), probe_folder.path / entry.path().filename());
  for (const Case& c : cases) {
    CAPTURE(c.message);
    if (c.shipped) {
      REQUIRE_MESSAGE(fs::is_regular_file(files_dir / c.file), "not shipped: tests/data-files/" << c.file);
    } else if (c.file != "/dev/zero") {
      CHECK_MESSAGE(!fs::exists(files_dir / c.file), c.file << " must stay missing");
    }
    const ProgramRun r = run_helmholtz(c.args, c.args[0] == "probe" ? probe_folder.path : files_dir,
                                       doc_text::limit_settings(c.message));
    CHECK(r.status == 1);
    CHECK(r.err == c.message + "\n");
  }
}

TEST_CASE("docs/data-files.md: tests/data-files holds exactly the files the messages name and the two examples") {
  std::set<std::string> named = {"data/example.txt", "data/rec.txt"};
  for (const Case& c : documented_cases())
    if (c.shipped) named.insert(c.file);
  std::set<std::string> shipped;
  for (const auto& entry : fs::recursive_directory_iterator(files_dir))
    if (entry.is_regular_file()) shipped.insert(entry.path().lexically_relative(files_dir).generic_string());
  for (const std::string& name : shipped)
    CHECK_MESSAGE(named.count(name) == 1, "tests/data-files/" << name << " is named nowhere in the document");
  for (const std::string& name : named)
    CHECK_MESSAGE(shipped.count(name) == 1, "tests/data-files/" << name << " is named by the document but missing");
}

TEST_CASE("docs/data-files.md: the examples are the files shown, and the commands shown on them print what is shown") {
  const std::string doc = data_doc();
  const std::string example = doc_text::read(files_dir / "data" / "example.txt");
  CHECK(code_block_after(doc, "An example for `models/tiny.yaml`") == example);
  CHECK(code_block_after(doc, "An example, `data/rec.txt` (as in `tests/data-files/`):") == doc_text::read(files_dir / "data" / "rec.txt"));

  // `$ helmholtz exact models/tiny.yaml --data data/example.txt`, in a folder laid out as its paths say.
  const ScratchFolder folder;
  fs::create_directories(folder.path / "models");
  fs::create_directories(folder.path / "data");
  fs::copy_file(source / "models" / "tiny.yaml", folder.path / "models" / "tiny.yaml");
  fs::copy_file(files_dir / "data" / "example.txt", folder.path / "data" / "example.txt");
  const ProgramRun exact = run_helmholtz({"exact", "models/tiny.yaml", "--data", "data/example.txt"}, folder.path);
  CHECK(exact.status == 0);
  CHECK(exact.out == output_shown(doc, "$ helmholtz exact models/tiny.yaml --data data/example.txt"));

  const ProgramRun spikes = run_helmholtz({"data", "spikes", "data/rec.txt", "--bin", "5"}, files_dir);
  CHECK(spikes.status == 0);
  CHECK(spikes.out == output_shown(doc, "$ helmholtz data spikes data/rec.txt --bin 5"));
}

TEST_CASE("docs/data-files.md: each command of the standard-input section prints what is shown below it") {
  const std::string section = doc_text::section(data_doc(), "## Standard input: `-`");
  const ScratchFolder folder;
  fs::create_directories(folder.path / "models");
  for (const char* model : {"tiny.yaml", "bars.yaml"}) fs::copy_file(source / "models" / model, folder.path / "models" / model);
  std::size_t commands = 0;
  for (const auto& block : doc_text::code_blocks(section)) {
    for (std::size_t i = 0; i < block.size(); ++i) {
      if (!starts_with(block[i], "$ ")) continue;
      std::string shown;
      for (std::size_t j = i + 1; j < block.size() && !starts_with(block[j], "$ "); ++j) shown += block[j] + "\n";
      CAPTURE(block[i]);
      const ProgramRun r = run_shell_line(block[i].substr(2), folder.path);
      CHECK(r.out + r.err == shown);
      if (starts_with(shown, "helmholtz ")) CHECK(r.status != 0);
      else CHECK(r.status == 0);
      ++commands;
    }
  }
  CHECK(commands == 6);
}

}  // namespace
}  // namespace helmholtz
