#pragma once
// Reading a text input a line at a time with a bound on the line's length. std::getline grows
// its string until it meets a line end, so a file without one (/dev/zero, a binary file given
// by mistake) would fill memory before any check could refuse it; this reader stops at
// max_line_length characters with an InputError naming the file and the line.
#include <cstddef>
#include <istream>
#include <string>

namespace helmholtz {

// Text lines in the project's small formats (spike times, assemblies, labels, learning curves)
// are short; a megabyte is far beyond any of them and far below harm.
inline constexpr std::size_t max_line_length = std::size_t{1} << 20;

// Reads the next line into `line` (without its \n, \r\n or lone \r ending) and returns true,
// or returns false at the end of the input. `line_number` is the number of this line, for the
// message when it is longer than `limit` characters. Without a limit, max_line_length, or
// HELMHOLTZ_MAX_LINE_LENGTH when that is set and larger (docs/limits.md; read only when a
// line reaches max_line_length, so that a file of short lines never looks it up).
bool read_text_line(std::istream& in, std::string& line, const std::string& file, std::size_t line_number,
                    std::size_t limit = 0);

}  // namespace helmholtz
