#include "framework/io/data_file.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <vector>

#include "framework/error.hpp"
#include "framework/patterns.hpp"

namespace helmholtz {

ByteMatrix parse_patterns(std::istream& in, std::size_t width, const std::string& file) {
  std::vector<std::uint8_t> bits;
  // A file of n patterns has at least n (width + 1) characters: reserving that many bytes
  // up front spares the doublings (and their copies) of a growing vector.
  if (const auto start = in.tellg(); start != std::istream::pos_type(-1)) {
    in.seekg(0, std::ios::end);
    const auto end = in.tellg();
    in.seekg(start);
    if (end != std::istream::pos_type(-1) && end > start)
      bits.reserve(static_cast<std::size_t>(end - start) / (width + 1) * width + width);
  }
  std::string line;
  int line_number = 0;
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::size_t count = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '#') break;
      if (c == ' ' || c == '\t' || c == '\r') continue;
      const Where where{file, line_number, static_cast<int>(i) + 1, ""};
      if (c != '0' && c != '1')
        fail(where, std::string("unexpected character '") + c + "' (patterns are written with 0 and 1)");
      if (++count > width) fail(where, "pattern has more than " + std::to_string(width) + " units, the width of the observed nodes");
      bits.push_back(c == '1' ? 1 : 0);
    }
    if (count == 0) continue;
    if (count != width)
      fail(Where{file, line_number, 0, ""}, "pattern has " + std::to_string(count) + " units, but the observed nodes have " +
                                                std::to_string(width));
    ++rows;
  }
  if (in.bad()) throw Error("cannot read data file '" + file + "'");
  return ByteMatrix(std::move(bits), {rows, width}, {static_cast<std::ptrdiff_t>(width), 1});  // the bytes read, not a copy
}

Matrix parse_data(std::istream& in, std::size_t width, const std::string& file) {
  return to_matrix(parse_patterns(in, width, file));
}

ByteMatrix read_patterns(const std::string& file, std::size_t width) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open data file '" + file + "'");
  ByteMatrix data = parse_patterns(in, width, file);
  if (data.shape(0) == 0) throw Error(file + ": no patterns in the data file");
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
