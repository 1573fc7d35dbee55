#pragma once
// Data files: one pattern per line of 0/1 characters (whitespace between them allowed),
// '#' comments and blank lines ignored. Columns are the units of the observed nodes in
// the order the nodes are declared.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "framework/matrix.hpp"

namespace helmholtz {

// The data file name that stands for standard input (`--data -`), and the name messages give
// it in place of a file's: "standard input, line 3, column 2: ...".
inline constexpr const char* standard_input = "-";
inline constexpr const char* standard_input_name = "standard input";

// The data source as messages name it: standard_input_name for "-", else the file name.
std::string data_source_name(const std::string& file);

// Reads patterns of exactly `width` units, from standard input when `file` is "-"; a wrong
// width or a character other than 0/1 is an InputError naming the file (data_source_name; for
// parse_patterns, `file` as given) and line. The patterns are held as bytes (a byte per unit)
// from the first line read: a file of 60,000 784-unit patterns takes 47 MB. A file of more than max_values values (patterns x width; without it,
// Limits::from_environment().max_data_values) is refused at the line that passes the limit,
// before anything beyond it is stored.
ByteMatrix read_patterns(const std::string& file, std::size_t width);
ByteMatrix parse_patterns(std::istream& in, std::size_t width, const std::string& file);
ByteMatrix parse_patterns(std::istream& in, std::size_t width, const std::string& file, std::uint64_t max_values);
// The same as doubles, for engines that compute on the whole set at once.
Matrix read_data(const std::string& file, std::size_t width);
Matrix parse_data(std::istream& in, std::size_t width, const std::string& file);

// A checksum of the patterns themselves (their shape and bits, not the file's comments or
// spacing): "fnv1a64:" and 16 hex digits. A trained model records it, so that a resumed run
// can tell whether it is given the same data.
std::string data_checksum(const Matrix& patterns);
std::string data_checksum(const ByteMatrix& patterns);  // the same checksum

// One line per row, the bits of consecutive blocks of `groups` units separated by a space
// (no separator when groups is empty).
void write_patterns(std::ostream& out, const Matrix& patterns, const std::vector<std::size_t>& groups = {});

}  // namespace helmholtz
