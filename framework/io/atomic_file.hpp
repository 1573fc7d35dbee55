#pragma once
#include <string>

namespace helmholtz {

// Writes `contents` to a temporary file in the same directory, flushes it, then renames it
// over `file`: readers see either the old file or the whole new one, never a partial one.
void write_file_atomically(const std::string& file, const std::string& contents);

// Throws the error write_file_atomically would give if `file` cannot be written (its folder
// missing or read-only, or `file` a directory), so that a long run can refuse before it starts instead of after.
void check_writable(const std::string& file);

}  // namespace helmholtz
