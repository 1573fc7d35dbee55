#pragma once
#include <string>

namespace helmholtz {

// Writes `contents` to a temporary file in the same directory, flushes it, then renames it
// over `file`: readers see either the old file or the whole new one, never a partial one.
void write_file_atomically(const std::string& file, const std::string& contents);

}  // namespace helmholtz
