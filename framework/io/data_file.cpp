#include "framework/io/data_file.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <vector>

#include "framework/error.hpp"

namespace helmholtz {

Matrix parse_data(std::istream& in, std::size_t width, const std::string& file) {
  std::vector<double> bits;
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
      bits.push_back(c == '1' ? 1.0 : 0.0);
    }
    if (count == 0) continue;
    if (count != width)
      fail(Where{file, line_number, 0, ""}, "pattern has " + std::to_string(count) + " units, but the observed nodes have " +
                                                std::to_string(width));
    ++rows;
  }
  if (in.bad()) throw Error("cannot read data file '" + file + "'");
  Matrix out = Matrix::from_shape({rows, width});
  std::copy(bits.begin(), bits.end(), out.begin());
  return out;
}

Matrix read_data(const std::string& file, std::size_t width) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open data file '" + file + "'");
  Matrix data = parse_data(in, width, file);
  if (data.shape(0) == 0) throw Error(file + ": no patterns in the data file");
  return data;
}

std::string data_checksum(const Matrix& patterns) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  auto add = [&hash](std::uint64_t byte) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  };
  for (std::size_t dimension : {patterns.shape(0), patterns.shape(1)})
    for (int shift = 0; shift < 64; shift += 8) add((dimension >> shift) & 0xff);
  for (double bit : patterns) add(bit != 0.0 ? '1' : '0');
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return std::string("fnv1a64:") + text;
}

void write_patterns(std::ostream& out, const Matrix& patterns, const std::vector<std::size_t>& groups) {
  std::string line;
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
