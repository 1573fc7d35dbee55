#include "framework/io/text_lines.hpp"

#include <algorithm>
#include <climits>

#include "framework/error.hpp"
#include "framework/io/limits.hpp"

namespace helmholtz {

bool read_text_line(std::istream& in, std::string& line, const std::string& file, std::size_t line_number,
                    std::size_t limit) {
  using traits = std::char_traits<char>;
  const bool given = limit != 0;
  if (!given) limit = max_line_length;
  line.clear();
  std::streambuf& buffer = *in.rdbuf();
  int next = buffer.sbumpc();
  if (next == traits::eof()) return false;
  for (; next != traits::eof(); next = buffer.sbumpc()) {
    const char c = traits::to_char_type(next);
    if (c == '\n') break;
    if (c == '\r') {
      if (buffer.sgetc() == '\n') buffer.sbumpc();
      break;
    }
    if (line.size() == limit && !given && limit == max_line_length)
      limit = static_cast<std::size_t>(
          std::max<std::uint64_t>(max_line_length, limit_from_environment(max_line_length_variable, max_line_length)));
    if (line.size() == limit)
      fail(Where{file, static_cast<int>(std::min<std::size_t>(line_number, INT_MAX)), 0, ""},
           "line longer than " + std::to_string(limit) + " characters (is this a text file of the expected kind?" +
               (given ? std::string(")") : "; " + how_to_raise(max_line_length_variable) + ")"));
    line.push_back(c);
  }
  return true;
}

}  // namespace helmholtz
