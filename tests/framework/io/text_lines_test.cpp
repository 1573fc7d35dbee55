// read_text_line: the bounded line reader of the small text formats (spike times, assemblies,
// labels, learning curves).
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "framework/error.hpp"
#include "framework/io/text_lines.hpp"

namespace helmholtz {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t number = 1; read_text_line(in, line, "t.txt", number); ++number) lines.push_back(line);
  return lines;
}

TEST_CASE("read_text_line: LF, CRLF and lone CR end lines, and a last line needs no end") {
  CHECK(lines_of("a\nb\r\nc\rd") == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(lines_of("a\n\nb\n") == std::vector<std::string>{"a", "", "b"});
  CHECK(lines_of("").empty());
}

TEST_CASE("read_text_line: a line longer than the limit is refused with its file and line number") {
  std::istringstream in("short\n" + std::string(100, 'x') + "\n");
  std::string line;
  CHECK(read_text_line(in, line, "t.txt", 1, 10));
  CHECK(line == "short");
  try {
    read_text_line(in, line, "t.txt", 2, 10);
    FAIL("a line of 100 characters passed a limit of 10");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "t.txt, line 2: line longer than 10 characters (is this a text file of the expected kind?)");
  }
  // Exactly the limit is allowed.
  std::istringstream exact(std::string(10, 'y'));
  CHECK(read_text_line(exact, line, "t.txt", 1, 10));
  CHECK(line.size() == 10);
}

}  // namespace
}  // namespace helmholtz
