// write_json: the one-line layout of the --json outputs, their numbers and their strings.
// Facts checked (each output compared with the text written out by hand):
//   objects keep their keys in the order they were added, with ", " and ": " between the parts,
//   nested objects and arrays alike, empty ones as {} and [], and a newline at the end;
//   doubles are written in their shortest round-trip form, with ".0" when that has no '.' or
//   exponent, including one (19.25790216982851) that nlohmann's own writer gives a 17th digit;
//   whole numbers, signed or not, as digits; infinities and NaN as null;
//   json_array writes a vector as an array and a matrix as an array of its rows;
//   strings escape quotes, backslashes and control characters, keep valid UTF-8 and replace
//   every byte that is not UTF-8 with U+FFFD, so that the output is valid JSON whatever bytes a
//   file name holds.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

#include "framework/io/json_writer.hpp"

namespace helmholtz {
namespace {

std::string written(const Json& value) {
  std::ostringstream out;
  write_json(out, value);
  return out.str();
}

// A string value as write_json writes it, without the newline.
std::string quoted(const std::string& text) {
  const std::string line = written(text);
  return line.substr(0, line.size() - 1);
}

TEST_CASE("write_json: keys in the order added, ', ' and ': ' between the parts, one line") {
  Json value{{"model", "m.yaml"}, {"patterns", 3}, {"nested", {{"mean", 0.5}, {"per_pattern", {1.5, -2.0}}}}};
  value["empty_list"] = Json::array();
  value["empty_object"] = Json::object();
  value["a_last"] = true;
  CHECK(written(value) ==
        "{\"model\": \"m.yaml\", \"patterns\": 3, \"nested\": {\"mean\": 0.5, \"per_pattern\": [1.5, -2.0]}, "
        "\"empty_list\": [], \"empty_object\": {}, \"a_last\": true}\n");
}

TEST_CASE("write_json: shortest round-trip doubles, always marked as doubles, whole numbers as digits, non-finite as null") {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(written(Json::array({1.0, -3.0, 0.1, 0.75, 1e-05, 1e+21, 5e-324, -2.64450998676})) ==
        "[1.0, -3.0, 0.1, 0.75, 1e-05, 1e+21, 5e-324, -2.64450998676]\n");
  CHECK(written(19.25790216982851) == "19.25790216982851\n");  // nlohmann's dump: 19.257902169828512
  CHECK(written(Json::array({std::uint64_t{18446744073709551615u}, std::int64_t{-7}, 0})) ==
        "[18446744073709551615, -7, 0]\n");
  CHECK(written(Json::array({inf, -inf, nan, nullptr})) == "[null, null, null, null]\n");
}

TEST_CASE("json_array: a vector as an array of numbers, a matrix as an array of its rows") {
  const Vector v = {0.25, -std::numeric_limits<double>::infinity(), 3.0};
  CHECK(written(json_array(v)) == "[0.25, null, 3.0]\n");
  const Matrix m = {{1.0, 0.0, 0.5}, {0.0, 1.0, 2.5}};
  CHECK(written(json_array(m)) == "[[1.0, 0.0, 0.5], [0.0, 1.0, 2.5]]\n");
  CHECK(written(json_array(Matrix::from_shape({0, 3}))) == "[]\n");
}

TEST_CASE("write_json: strings escape quotes, backslashes and control characters") {
  CHECK(quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(quoted("tab\there\nline\r") == "\"tab\\there\\nline\\r\"");
  CHECK(quoted(std::string("nul\0byte\x1f", 9)) == "\"nul\\u0000byte\\u001f\"");
  CHECK(written(Json{{"k\"ey", 1}}) == "{\"k\\\"ey\": 1}\n");  // keys too
}

TEST_CASE("write_json: strings keep valid UTF-8 and replace every invalid byte with U+FFFD") {
  const std::string replacement = "\xEF\xBF\xBD";
  CHECK(quoted("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  CHECK(quoted("latin-1 caf\xE9.yaml") == "\"latin-1 caf" + replacement + ".yaml\"");  // not UTF-8
  CHECK(quoted("\x80") == "\"" + replacement + "\"");                                   // stray continuation
  CHECK(quoted("\xC3") == "\"" + replacement + "\"");                                   // truncated
  CHECK(quoted("\xC0\xAF") == "\"" + replacement + replacement + "\"");                 // overlong '/'
  CHECK(quoted("\xED\xA0\x80") == "\"" + replacement + replacement + replacement + "\"");  // a surrogate
  CHECK(quoted("\xF4\x90\x80\x80") == "\"" + replacement + replacement + replacement + replacement + "\"");  // > U+10FFFF
}

}  // namespace
}  // namespace helmholtz
