// docs/json-output.md against the program it describes.
// Facts checked:
//   every command of the CLI with a --json option has a section of the document ("## `exact
//   ...`"), and every section names such a command;
//   the commands shown in the sections' code blocks (`$ ...` lines) run one after the other by
//   /bin/sh in one folder, where `models` is the shipped models/ and impossible.yaml the network
//   the document shows, exit with status 0, and print what is shown below them: nothing for a
//   command that writes a file, else one JSON object on one line whose keys, strings, whole
//   numbers and nulls are those shown, and whose other numbers are those shown to 1e-9
//   (relative: the last digits may differ on other machines);
//   the keys each --json command prints (every key of every object, as a path:
//   `sampled_bound.mean`, `assemblies[].unit`) are keys of its section's table, in the table's
//   order; every key the table says is present "always" is printed by each example of the
//   section; and the examples of a section print, between them, every key of its table: the
//   tables are exactly the keys the program writes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "framework/cli/command.hpp"
#include "tests/support/doc_text.hpp"
#include "tests/support/run_program.hpp"

namespace helmholtz {
namespace {

namespace fs = std::filesystem;
using doc_text::starts_with;
using Json = nlohmann::ordered_json;

const fs::path source = HELMHOLTZ_SOURCE_DIR;

std::string json_doc() { return doc_text::read(source / "docs" / "json-output.md"); }

// The headings of the sections about a command: "## `exact --kl-from`".
std::vector<std::string> command_headings(const std::string& doc) {
  std::vector<std::string> headings;
  for (const std::string& line : doc_text::lines_of(doc))
    if (starts_with(line, "## `")) headings.push_back(line);
  return headings;
}

// The command a heading is about: "exact" for "## `exact --kl-from`".
std::string command_of(const std::string& heading) {
  const std::string inside = heading.substr(4);
  return inside.substr(0, inside.find_first_of(" `"));
}

std::string trimmed(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(' '), end = text.find_last_not_of(' ');
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

struct DocumentedKey {
  std::string path;
  bool always = false;
};

// The rows of the section's "| key | type | unit | present | meaning |" table, in order.
std::vector<DocumentedKey> documented_keys(const std::string& section) {
  std::vector<DocumentedKey> keys;
  bool inside = false;
  for (const std::string& line : doc_text::lines_of(section)) {
    if (line == "| key | type | unit | present | meaning |") {
      inside = true;
      continue;
    }
    if (!inside || starts_with(line, "| ---")) continue;
    if (!starts_with(line, "| ")) break;
    std::vector<std::string> cells;
    for (std::size_t start = 2, bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1)
      cells.push_back(trimmed(line.substr(start, bar - start)));
    REQUIRE_MESSAGE(cells.size() == 5, "a row of 5 cells: " << line);
    const bool code = cells[0].size() > 2 && cells[0].front() == '`' && cells[0].back() == '`';
    REQUIRE_MESSAGE(code, "a key in `...`: " << line);
    keys.push_back({cells[0].substr(1, cells[0].size() - 2), cells[3] == "always"});
  }
  REQUIRE_MESSAGE(!keys.empty(), "no key table in:\n" << section);
  return keys;
}

// Every key of every object in `value`, as a path, in the order first met.
void collect_keys(const Json& value, const std::string& prefix, std::vector<std::string>& paths) {
  if (value.is_object()) {
    for (auto item = value.begin(); item != value.end(); ++item) {
      const std::string path = prefix.empty() ? item.key() : prefix + "." + item.key();
      if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
      collect_keys(*item, path, paths);
    }
  } else if (value.is_array()) {
    for (const Json& item : value) collect_keys(item, prefix + "[]", paths);
  }
}

// The same JSON, floating-point numbers to a relative 1e-9.
bool same_values(const Json& shown, const Json& printed) {
  if (shown.is_number_float() && printed.is_number_float()) {
    const double a = shown.get<double>(), b = printed.get<double>();
    return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
  }
  if (shown.type() != printed.type()) return false;
  if (shown.is_object()) {
    if (shown.size() != printed.size()) return false;
    for (auto a = shown.begin(), b = printed.begin(); a != shown.end(); ++a, ++b)
      if (a.key() != b.key() || !same_values(*a, *b)) return false;
    return true;
  }
  if (shown.is_array()) {
    if (shown.size() != printed.size()) return false;
    for (std::size_t i = 0; i < shown.size(); ++i)
      if (!same_values(shown[i], printed[i])) return false;
    return true;
  }
  return shown == printed;
}

// A command of the document and what it shows below it.
struct Example {
  std::string command, shown;
};

std::vector<Example> examples(const std::string& section) {
  std::vector<Example> out;
  for (const auto& block : doc_text::code_blocks(section))
    for (const std::string& line : block) {
      if (starts_with(line, "$ ")) out.push_back({line.substr(2), ""});
      else if (!out.empty() && !block.empty() && starts_with(block[0], "$ ")) out.back().shown += line + "\n";
    }
  return out;
}

TEST_CASE("docs/json-output.md: a section for each command with --json, and only for those") {
  std::set<std::string> with_json, documented;
  for (const cli::Command& command : cli::all_commands())
    for (const cli::Option& option : command.spec.options)
      if (option.name == "--json") with_json.insert(command.spec.name);
  for (const std::string& heading : command_headings(json_doc())) documented.insert(command_of(heading));
  CHECK(with_json == std::set<std::string>{"evaluate", "exact", "probe"});
  CHECK(documented == with_json);
}

TEST_CASE("docs/json-output.md: every example prints what is shown, and the keys of its section's table, no others") {
  const std::string doc = json_doc();
  const ScratchFolder folder;
  fs::create_directory_symlink(source / "models", folder.path / "models");
  folder.write("impossible.yaml", doc_text::code_block_after(doc, "saved as `impossible.yaml`"));
  std::size_t json_examples = 0;
  for (const std::string& heading : command_headings(doc)) {
    CAPTURE(heading);
    const std::string section = doc_text::section(doc, heading);
    const std::vector<DocumentedKey> keys = documented_keys(section);
    std::vector<std::string> order;
    for (const DocumentedKey& key : keys) order.push_back(key.path);
    std::set<std::string> printed_in_section;
    const std::vector<Example> shown = examples(section);
    REQUIRE(!shown.empty());
    for (const Example& example : shown) {
      CAPTURE(example.command);
      const ProgramRun r = run_shell_line(example.command, folder.path);
      INFO("stderr: " << r.err);
      REQUIRE(r.status == 0);
      if (example.command.find("--json") == std::string::npos) {
        CHECK(r.out == example.shown);
        continue;
      }
      ++json_examples;
      REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
      REQUIRE(r.out.back() == '\n');
      const Json printed = Json::parse(r.out);
      CHECK(same_values(Json::parse(example.shown), printed));
      std::vector<std::string> paths;
      collect_keys(printed, "", paths);
      std::size_t last = 0;  // the table row of the key before
      for (const std::string& path : paths) {
        CAPTURE(path);
        const auto row = std::find(order.begin(), order.end(), path);
        CHECK_MESSAGE(row != order.end(), "printed, but not in the table");
        if (row == order.end()) continue;
        CHECK_MESSAGE(static_cast<std::size_t>(row - order.begin()) >= last, "printed before a key above it in the table");
        last = static_cast<std::size_t>(row - order.begin());
        printed_in_section.insert(path);
      }
      for (const DocumentedKey& key : keys)
        if (key.always) CHECK_MESSAGE(std::find(paths.begin(), paths.end(), key.path) != paths.end(),
                                      "documented as always present, but not printed: " << key.path);
    }
    for (const std::string& path : order)
      CHECK_MESSAGE(printed_in_section.count(path) == 1, "documented, but printed by no example: " << path);
  }
  CHECK(json_examples == 10);
}

}  // namespace
}  // namespace helmholtz
