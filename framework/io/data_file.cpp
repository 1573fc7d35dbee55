#include "framework/io/data_file.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "framework/error.hpp"
#include "framework/io/limits.hpp"
#include "framework/patterns.hpp"

namespace helmholtz {

namespace {

// A byte as a message can show it: 'x' when printable, else its value (a NUL or a control
// character would cut the message short or garble the terminal).
std::string describe_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7F) return std::string("character '") + c + "'";
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02X", byte);
  return text;
}

}  // namespace

ByteMatrix parse_patterns(std::istream& in, std::size_t width, const std::string& file) {
  return parse_patterns(in, width, file, Limits::from_environment().max_data_values);
}

ByteMatrix parse_patterns(std::istream& in, std::size_t width, const std::string& file, std::uint64_t max_values) {
  std::vector<std::uint8_t> bits;
  // A file of n patterns has at least n (width + 1) characters: reserving that many bytes
  // up front spares the doublings (and their copies) of a growing vector. Never more than the
  // limit, though: a file too large for it is refused when its patterns reach it.
  if (const auto start = in.tellg(); start != std::istream::pos_type(-1)) {
    in.seekg(0, std::ios::end);
    const auto end = in.tellg();
    in.seekg(start);
    if (end != std::istream::pos_type(-1) && end > start)
      bits.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(
          static_cast<std::uint64_t>(end - start) / (width + 1) * width + width, max_values)));
  }
  // Read byte by byte from the stream buffer, never a whole line at once: a file without line
  // ends (/dev/zero, a binary file) is refused at its first bad byte instead of filling memory,
  // and a long comment costs nothing. Lines end with \n, \r\n or a lone \r (old Mac files).
  std::streambuf& buffer = *in.rdbuf();
  using traits = std::char_traits<char>;
  std::uint64_t line_number = 1;  // a file of more than 2^31 (blank) lines is no reason to overflow
  auto line = [&] { return static_cast<int>(std::min<std::uint64_t>(line_number, INT_MAX)); };
  std::size_t rows = 0, count = 0, column = 0;
  bool in_comment = false;
  auto end_line = [&] {
    if (count != 0 && count != width)
      fail(Where{file, line(), 0, ""}, "pattern has " + std::to_string(count) + " units, but the observed nodes have " +
                                           std::to_string(width));
    if (count != 0) ++rows;
    ++line_number;
    count = column = 0;
    in_comment = false;
  };
  // A UTF-8 byte order mark, which some editors put first, is not part of the data.
  if (buffer.sgetc() == 0xEF) {
    const char mark[3] = {'\xEF', '\xBB', '\xBF'};
    std::size_t matched = 0;
    while (matched < 3 && buffer.sgetc() == traits::to_int_type(mark[matched])) {
      buffer.sbumpc();
      ++matched;
    }
    if (matched != 3) fail(Where{file, 1, 1, ""}, "unexpected byte 0xEF (patterns are written with 0 and 1)");
  }
  for (int next = buffer.sbumpc(); next != traits::eof(); next = buffer.sbumpc()) {
    const char c = traits::to_char_type(next);
    ++column;
    if (c == '\n') {
      end_line();
      continue;
    }
    if (c == '\r') {
      if (buffer.sgetc() == '\n') buffer.sbumpc();
      end_line();
      continue;
    }
    if (in_comment) continue;
    if (c == '#') {
      in_comment = true;
      continue;
    }
    if (c == ' ' || c == '\t') continue;
    const Where where{file, line(), static_cast<int>(std::min<std::size_t>(column, INT_MAX)), ""};
    if (c != '0' && c != '1') fail(where, "unexpected " + describe_byte(c) + " (patterns are written with 0 and 1)");
    if (++count > width) fail(where, "pattern has more than " + std::to_string(width) + " units, the width of the observed nodes");
    if (bits.size() >= max_values)
      fail(Where{file, line(), 0, ""},
           "the data pass the limit of " + std::to_string(max_values) + " values (patterns x units) here, after " +
               std::to_string(rows) + " patterns of " + std::to_string(width) + " units (" +
               how_to_raise(max_data_values_variable) + ")");
    bits.push_back(c == '1' ? 1 : 0);
  }
  if (count != 0) end_line();  // a last pattern without a line end
  if (in.bad()) throw Error("cannot read data file '" + file + "'");
  return ByteMatrix(std::move(bits), {rows, width}, {static_cast<std::ptrdiff_t>(width), 1});  // the bytes read, not a copy
}

Matrix parse_data(std::istream& in, std::size_t width, const std::string& file) {
  return to_matrix(parse_patterns(in, width, file));
}

std::string data_source_name(const std::string& file) { return file == standard_input ? standard_input_name : file; }

ByteMatrix read_patterns(const std::string& file, std::size_t width) {
  const std::uint64_t max_values = Limits::from_environment().max_data_values;
  const std::string source = data_source_name(file);
  std::ifstream opened;
  if (file != standard_input) {
    opened.open(file);
    if (!opened) throw Error("cannot open data file '" + file + "'");
  }
  ByteMatrix data = parse_patterns(file == standard_input ? std::cin : opened, width, source, max_values);
  if (data.shape(0) == 0) throw Error(source + ": no patterns in the data file");
  return data;
}

Matrix read_data(const std::string& file, std::size_t width) { return to_matrix(read_patterns(file, width)); }

namespace {

template <class M>
std::string checksum(const M& patterns) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  auto add = [&hash](std::uint64_t byte) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  };
  for (std::size_t dimension : {patterns.shape(0), patterns.shape(1)})
    for (int shift = 0; shift < 64; shift += 8) add((dimension >> shift) & 0xff);
  for (auto bit : patterns) add(bit != 0 ? '1' : '0');
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return std::string("fnv1a64:") + text;
}

}  // namespace

std::string data_checksum(const Matrix& patterns) { return checksum(patterns); }
std::string data_checksum(const ByteMatrix& patterns) { return checksum(patterns); }

void write_patterns(std::ostream& out, const Matrix& patterns, const std::vector<std::size_t>& groups) {
  std::string line;
  if (groups.empty()) {  // the common case: one character per unit
    const std::size_t width = patterns.shape(1);
    line.resize(width + 1);
    line[width] = '\n';
    for (std::size_t r = 0; r < patterns.shape(0); ++r) {
      const double* row = patterns.data() + r * width;
      for (std::size_t c = 0; c < width; ++c) line[c] = row[c] != 0.0 ? '1' : '0';
      out << line;
    }
    return;
  }
  for (std::size_t r = 0; r < patterns.shape(0); ++r) {
    line.clear();
    std::size_t group = 0, in_group = 0;
    for (std::size_t c = 0; c < patterns.shape(1); ++c) {
      if (group < groups.size() && in_group == groups[group]) {  // leftover units form one last block
        line += ' ';
        ++group;
        in_group = 0;
      }
      line += patterns(r, c) != 0.0 ? '1' : '0';
      ++in_group;
    }
    line += '\n';
    out << line;
  }
}

}  // namespace helmholtz
