// Data files: one pattern of 0/1 per line, '#' comments, blank lines and whitespace
// between bits ignored, CRLF line ends accepted.
// Facts checked:
//   parse_data/read_data give the matrix of the bits as typed (compared with matrices
//   written out by hand), whatever comments, blank lines, spaces, tabs and CRs surround
//   them;
//   a pattern of the wrong width is refused naming the file and its line, a character
//   other than 0/1 naming file, line and column (1-based, counted by hand), and a data
//   file without patterns naming the file;
//   write_patterns writes each row as its bits, with a space between consecutive groups,
//   and what it writes parses back to the same matrix.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "framework/error.hpp"
#include "framework/io/data_file.hpp"
#include "framework/random.hpp"

namespace helmholtz {
namespace {

namespace fs = std::filesystem;

Matrix parse(const std::string& text, std::size_t width) {
  std::istringstream in(text);
  return parse_data(in, width, "d.txt");
}

Matrix matrix_of(const std::vector<std::vector<double>>& rows, std::size_t width) {
  Matrix m = Matrix::from_shape({rows.size(), width});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == width);
    for (std::size_t c = 0; c < width; ++c) m(r, c) = rows[r][c];
  }
  return m;
}

bool same(const Matrix& a, const Matrix& b) {
  if (a.shape(0) != b.shape(0) || a.shape(1) != b.shape(1)) return false;
  for (std::size_t r = 0; r < a.shape(0); ++r)
    for (std::size_t c = 0; c < a.shape(1); ++c)
      if (a(r, c) != b(r, c)) return false;
  return true;
}

// The InputError parse_data throws for `text`.
InputError error_of(const std::string& text, std::size_t width) {
  try {
    parse(text, width);
  } catch (const InputError& e) {
    return e;
  } catch (const std::exception& e) {
    FAIL("expected an InputError, got: " << e.what());
  }
  FAIL("the data were accepted, but they have a mistake");
  return InputError(Where{}, "");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct TemporaryDirectory {
  fs::path path;
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "helmholtz-data-file-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

TEST_CASE("comments, blank lines, whitespace between bits and CRLF are ignored") {
  const std::string text =
      "# four units per pattern\n"
      "\n"
      "0101\n"
      "1 1 0 0   # a comment after the bits\n"
      "\t0\t0 1  1\r\n"
      "\r\n"
      "   \n"
      "    # an indented comment\n"
      "1111";  // no final newline
  const Matrix expected = matrix_of({{0, 1, 0, 1}, {1, 1, 0, 0}, {0, 0, 1, 1}, {1, 1, 1, 1}}, 4);
  CHECK(same(parse(text, 4), expected));
}

TEST_CASE("a file of CRLF lines reads like one of LF lines") {
  const Matrix lf = parse("10\n01\n# c\n11\n", 2);
  const Matrix crlf = parse("10\r\n01\r\n# c\r\n11\r\n", 2);
  CHECK(same(lf, matrix_of({{1, 0}, {0, 1}, {1, 1}}, 2)));
  CHECK(same(crlf, lf));
}

TEST_CASE("lone CR line ends, a UTF-8 byte order mark and a last line without its end read as lines") {
  const Matrix expected = matrix_of({{0, 1, 0, 1}, {1, 1, 0, 0}, {0, 0, 0, 0}}, 4);
  CHECK(same(parse("0101\r1100\r# a comment\r0000", 4), expected));
  CHECK(same(parse("\xEF\xBB\xBF" "0101\n1100\r\n0000\n", 4), expected));
  // Only a whole mark is one: a lone 0xEF is a bad byte at line 1, column 1.
  const InputError e = error_of("\xEF" "0101\n", 4);
  CHECK(std::string(e.what()).rfind("d.txt, line 1, column 1: unexpected byte 0xEF", 0) == 0);
}

TEST_CASE("a NUL or control byte is named by its value, and a file of NULs is refused at once") {
  const InputError nul = error_of(std::string("01\0" "01\n", 6), 4);
  CHECK(std::string(nul.what()) == "d.txt, line 1, column 3: unexpected byte 0x00 (patterns are written with 0 and 1)");
  const InputError bell = error_of("0101\n0\a01\n", 4);
  CHECK(contains(bell.what(), "line 2, column 2: unexpected byte 0x07"));
  // A stream that never ends a line (like /dev/zero) is refused at its first byte, not read
  // into memory first: a megabyte of NULs stands in for the endless device.
  const InputError zeros = error_of(std::string(std::size_t{1} << 20, '\0'), 4);
  CHECK(contains(zeros.what(), "line 1, column 1: unexpected byte 0x00"));
}

TEST_CASE("/dev/zero as a data file is refused at once, not read forever") {
  if (!fs::exists("/dev/zero")) return;
  try {
    read_data("/dev/zero", 4);
    FAIL("/dev/zero was read as data");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).rfind("/dev/zero, line 1, column 1: unexpected byte 0x00", 0) == 0);
  }
}

TEST_CASE("text without patterns parses to no rows") {
  const Matrix m = parse("# nothing\n\n   \n", 3);
  CHECK(m.shape(0) == 0);
  CHECK(m.shape(1) == 3);
}

TEST_CASE("a pattern of the wrong width is refused, naming the file and line") {
  SUBCASE("too few units") {
    const InputError e = error_of("# header\n0101\n010\n1111\n", 4);
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind("d.txt, line 3:", 0) == 0);
    CHECK(contains(message, "pattern has 3 units, but the observed nodes have 4"));
    CHECK(e.where().file == "d.txt");
    CHECK(e.where().line == 3);
  }
  SUBCASE("too many units: the column of the first one too many") {
    // Line 2, "0 1 0 1 1": the fifth bit is the ninth character.
    const InputError e = error_of("0101\n0 1 0 1 1\n", 4);
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind("d.txt, line 2, column 9:", 0) == 0);
    CHECK(contains(message, "more than 4 units"));
  }
  SUBCASE("with CRLF line ends, the message holds no carriage return") {
    const InputError e = error_of("01\r\n1\r\n", 2);
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind("d.txt, line 2:", 0) == 0);
    CHECK(!contains(message, "\r"));
  }
}

TEST_CASE("a character other than 0 and 1 is refused, naming the file, line and column") {
  struct Case {
    std::string text;
    int line, column;
    std::string shown;
  };
  for (const Case& c : {Case{"0101\n01x1\n", 2, 3, "'x'"}, Case{"0101\n\n  0 2 1 1\n", 3, 5, "'2'"},
                        Case{"\t1,0,1,0\n", 1, 3, "','"}, Case{"0101\n1111\n0000\n-101\n", 4, 1, "'-'"}}) {
    CAPTURE(c.text);
    const InputError e = error_of(c.text, 4);
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind("d.txt, line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ":", 0) == 0);
    CHECK(contains(message, "unexpected character " + c.shown));
    CHECK(e.where().line == c.line);
    CHECK(e.where().column == c.column);
  }
}

TEST_CASE("read_data reads a file and refuses one without patterns, naming it") {
  TemporaryDirectory dir;
  const fs::path good = dir.path / "good.txt";
  std::ofstream(good) << "# two patterns\n110\n0 0 1\n";
  CHECK(same(read_data(good.string(), 3), matrix_of({{1, 1, 0}, {0, 0, 1}}, 3)));

  for (const std::string contents : {"", "# only a comment\n\n"}) {
    CAPTURE(contents);
    const fs::path empty = dir.path / "empty.txt";
    std::ofstream(empty) << contents;
    try {
      read_data(empty.string(), 3);
      FAIL("a data file without patterns was accepted");
    } catch (const Error& e) {
      CHECK(contains(e.what(), empty.string()));
      CHECK(contains(e.what(), "no patterns"));
    }
  }

  const fs::path bad = dir.path / "bad.txt";
  std::ofstream(bad) << "110\n11\n";
  try {
    read_data(bad.string(), 3);
    FAIL("a pattern of the wrong width was accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).rfind(bad.string() + ", line 2:", 0) == 0);
  }

  const fs::path missing = dir.path / "missing.txt";
  try {
    read_data(missing.string(), 3);
    FAIL("a missing data file was accepted");
  } catch (const Error& e) {
    CHECK(contains(e.what(), missing.string()));
  }
}

TEST_CASE("write_patterns writes each row's bits, with a space between groups") {
  const Matrix m = matrix_of({{0, 1, 1, 0, 1, 0}, {1, 0, 0, 0, 0, 1}}, 6);
  std::ostringstream plain, grouped, single;
  write_patterns(plain, m);
  write_patterns(grouped, m, {2, 3, 1});
  write_patterns(single, m, {6});
  CHECK(plain.str() == "011010\n100001\n");
  CHECK(grouped.str() == "01 101 0\n10 000 1\n");
  CHECK(single.str() == "011010\n100001\n");
}

TEST_CASE("what write_patterns writes parses back to the same matrix") {
  Rng rng = make_rng(2024);
  const std::size_t rows = 50, width = 9;
  Matrix m = Matrix::from_shape({rows, width});
  for (auto& x : m) x = uniform01(rng) < 0.5 ? 1.0 : 0.0;
  for (const std::vector<std::size_t>& groups : {std::vector<std::size_t>{}, std::vector<std::size_t>{4, 5},
                                                 std::vector<std::size_t>{1, 1, 1, 1, 1, 1, 1, 1, 1}}) {
    CAPTURE(groups.size());
    std::ostringstream out;
    write_patterns(out, m, groups);
    CHECK(same(parse(out.str(), width), m));
  }
}

}  // namespace
}  // namespace helmholtz
