#pragma once
// The command line's --json output. A command builds its answer as a Json value (keys stay in
// the order they are added) and writes it on one line, as it always has been written:
//   {"model": "m.yaml", "log_likelihood": [-3.04, null], "patterns": 2}
// with ", " and ": " between the parts (scripts read it with grep as well as with JSON
// parsers: scripts/experiments/common.sh), doubles in their shortest round-trip form and always
// with a '.' or an exponent ("1.0"), non-finite numbers as null (JSON has no infinity), and
// bytes of a string that are not UTF-8 as U+FFFD, the replacement character.
#include <iosfwd>
#include <nlohmann/json.hpp>

#include "framework/matrix.hpp"

namespace helmholtz {

using Json = nlohmann::ordered_json;

// A vector as an array of numbers; a matrix as an array of its rows.
Json json_array(const Vector& values);
Json json_array(const Matrix& rows);

// Writes `value` and a newline.
void write_json(std::ostream& out, const Json& value);

}  // namespace helmholtz
