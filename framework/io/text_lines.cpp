#include "framework/io/text_lines.hpp"

#include "framework/error.hpp"

namespace helmholtz {

bool read_text_line(std::istream& in, std::string& line, const std::string& file, std::size_t line_number,
                    std::size_t limit) {
  using traits = std::char_traits<char>;
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
    if (line.size() == limit)
      fail(Where{file, static_cast<int>(line_number), 0, ""},
           "line longer than " + std::to_string(limit) + " characters (is this a text file of the expected kind?)");
    line.push_back(c);
  }
  return true;
}

}  // namespace helmholtz
