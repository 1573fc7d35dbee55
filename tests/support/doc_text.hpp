#pragma once
// Reading what a Markdown document under docs/ shows, for tests that hold the documents to
// the program: a section under a heading, the fenced code block after a phrase, and the
// messages of "| mistake | `message` |" tables.
#include <doctest/doctest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace helmholtz::doc_text {

inline std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot read " << file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline bool starts_with(const std::string& text, const std::string& head) { return text.rfind(head, 0) == 0; }

// The lines from `heading` (a whole line, "## Errors") to the next heading of the same or a
// higher level, heading included.
inline std::string section(const std::string& doc, const std::string& heading) {
  const std::size_t level = heading.find(' ');
  std::string out;
  bool inside = false, fenced = false;
  for (const std::string& line : lines_of(doc)) {
    if (starts_with(line, "```")) fenced = !fenced;
    if (!fenced && !inside && line == heading) inside = true;
    else if (!fenced && inside && starts_with(line, "#")) {
      const std::size_t hashes = line.find_first_not_of('#');
      if (hashes != std::string::npos && hashes <= level && line[hashes] == ' ') break;
    }
    if (inside) out += line + "\n";
  }
  REQUIRE_MESSAGE(!out.empty(), "no section '" << heading << "'");
  return out;
}

// The text of the first fenced code block that begins after the first `anchor` in `text`,
// without its fences, each line ending in "\n".
inline std::string code_block_after(const std::string& text, const std::string& anchor) {
  const std::size_t at = text.find(anchor);
  REQUIRE_MESSAGE(at != std::string::npos, "the document no longer says: " << anchor);
  std::istringstream in(text.substr(at + anchor.size()));
  std::string line, block;
  while (std::getline(in, line) && !starts_with(line, "```")) {
  }
  REQUIRE_MESSAGE(in, "no code block after: " << anchor);
  while (std::getline(in, line) && !starts_with(line, "```")) block += line + "\n";
  return block;
}

// Every fenced code block of `text`, each as its lines.
inline std::vector<std::vector<std::string>> code_blocks(const std::string& text) {
  std::vector<std::vector<std::string>> blocks;
  bool fenced = false;
  for (const std::string& line : lines_of(text)) {
    if (starts_with(line, "```")) {
      fenced = !fenced;
      if (fenced) blocks.emplace_back();
    } else if (fenced) {
      blocks.back().push_back(line);
    }
  }
  return blocks;
}

// The last cell of each table row of `text` whose last cell is one code span:
// "| a directory | `'models' is a directory, not a model file` |" gives the text between the
// backticks.
inline std::vector<std::string> table_messages(const std::string& text) {
  std::vector<std::string> messages;
  for (const std::string& line : lines_of(text)) {
    if (!starts_with(line, "| ") || line.size() < 4 || line.compare(line.size() - 3, 3, "` |") != 0) continue;
    const std::size_t open = line.rfind(" | `");
    if (open == std::string::npos) continue;
    messages.push_back(line.substr(open + 4, line.size() - 3 - (open + 4)));
  }
  return messages;
}

// The setting under which a documented refusal by a limit (docs/limits.md) appears: a message
// "... more than the limit of 100 (raise it with HELMHOLTZ_MAX_MODEL_BYTES=N; ...)" was
// made with HELMHOLTZ_MAX_MODEL_BYTES=100. None for other messages.
inline std::vector<std::string> limit_settings(const std::string& message) {
  const std::string raise = "raise it with ", limit = "the limit of ";
  const std::size_t variable = message.find(raise), value = message.find(limit);
  if (variable == std::string::npos || value == std::string::npos) return {};
  const std::size_t name_start = variable + raise.size(), name_end = message.find("=N", name_start);
  const std::size_t digits_start = value + limit.size(), digits_end = message.find_first_not_of("0123456789", digits_start);
  if (name_end == std::string::npos || digits_end == digits_start) return {};
  return {message.substr(name_start, name_end - name_start) + "=" + message.substr(digits_start, digits_end - digits_start)};
}

// `text` with every run of spaces and line ends made one space, for phrases that a
// document wraps across lines.
inline std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

// The text between the first `before` in `text` and the next `after`, the text read as one
// line (one_line), so that a phrase may be wrapped anywhere; fails the test when the
// document no longer says it.
inline std::string between(const std::string& text, const std::string& before, const std::string& after) {
  const std::string flat = one_line(text);
  const std::size_t start = flat.find(before);
  REQUIRE_MESSAGE(start != std::string::npos, "the document no longer says: " << before);
  const std::size_t end = flat.find(after, start + before.size());
  REQUIRE_MESSAGE(end != std::string::npos, "the document no longer says: " << before << "..." << after);
  return flat.substr(start + before.size(), end - start - before.size());
}

}  // namespace helmholtz::doc_text
