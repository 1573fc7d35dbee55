// json_quote: strings in the JSON outputs are valid JSON whatever bytes they come from.
#include <doctest/doctest.h>

#include <string>

#include "framework/io/json_writer.hpp"

namespace helmholtz {
namespace {

TEST_CASE("json_quote escapes quotes, backslashes and control characters") {
  CHECK(json_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_quote("tab\there\nline") == "\"tab\\there\\nline\"");
  CHECK(json_quote(std::string("nul\0byte", 8)) == "\"nul\\u0000byte\"");
}

TEST_CASE("json_quote keeps valid UTF-8 and replaces every invalid byte with U+FFFD") {
  const std::string replacement = "\xEF\xBF\xBD";
  CHECK(json_quote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  CHECK(json_quote("latin-1 caf\xE9.yaml") == "\"latin-1 caf" + replacement + ".yaml\"");  // not UTF-8
  CHECK(json_quote("\x80") == "\"" + replacement + "\"");                                   // stray continuation
  CHECK(json_quote("\xC3") == "\"" + replacement + "\"");                                   // truncated
  CHECK(json_quote("\xC0\xAF") == "\"" + replacement + replacement + "\"");                 // overlong '/'
  CHECK(json_quote("\xED\xA0\x80") == "\"" + replacement + replacement + replacement + "\"");  // a surrogate
  CHECK(json_quote("\xF4\x90\x80\x80") == "\"" + replacement + replacement + replacement + replacement + "\"");  // > U+10FFFF
}

}  // namespace
}  // namespace helmholtz
