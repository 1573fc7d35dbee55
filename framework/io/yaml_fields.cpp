#include "framework/io/yaml_fields.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace helmholtz::yaml {

Where at(const YAML::Node& node, const Where& where) {
  Where out = where;
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) {
    out.line = mark.line + 1;
    out.column = mark.column + 1;
  }
  return out;
}

std::string show(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "empty";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    default: return "undefined";
  }
}

void require_map(const YAML::Node& node, const Where& where, const std::string& what) {
  if (!node.IsMap()) fail(at(node, where), what + " is " + show(node) + ", but must be a map");
}

void require_list(const YAML::Node& node, const Where& where, const std::string& what) {
  if (!node.IsSequence()) fail(at(node, where), what + " is " + show(node) + ", but must be a list");
}

void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const Where& where) {
  std::set<std::string> seen;
  for (const auto& entry : map) {
    const YAML::Node& key = entry.first;
    const std::string name = key.IsScalar() ? key.Scalar() : show(key);
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(at(key, where), "unknown key '" + name + "' (allowed: " + list + ")");
    }
    if (!seen.insert(name).second) fail(at(key, where), "key '" + name + "' appears twice");
  }
}

double read_number(const YAML::Node& node, const Where& where, const std::string& what) {
  if (!node.IsScalar()) fail(at(node, where), what + " is " + show(node) + ", but must be a number");
  const std::string& text = node.Scalar();
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  // YAML's own spellings of the non-finite values are numbers too, but not finite ones.
  for (const char* non_finite : {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf"})
    if (text == non_finite) fail(at(node, where), what + " is '" + text + "', but must be finite");
  auto result = std::from_chars(begin, end, value);
  if (result.ec != std::errc() || result.ptr != end || begin == end)
    fail(at(node, where), what + " is '" + text + "', but must be a number");
  if (!std::isfinite(value)) fail(at(node, where), what + " is '" + text + "', but must be finite");
  return value;
}

namespace {

// A whole number as the docs define one: digits (a leading + allowed), not 1e3 or 3.0, and not
// a quoted string ("4"), which YAML marks with the non-specific tag "!".
bool read_digits(const YAML::Node& node, std::uint64_t& value) {
  if (!node.IsScalar() || node.Tag() == "!") return false;
  const std::string& text = node.Scalar();
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto parsed = std::from_chars(begin, end, value);
  return begin != end && parsed.ec == std::errc() && parsed.ptr == end;
}

}  // namespace

std::size_t read_count(const YAML::Node& node, const Where& where, const std::string& what) {
  std::uint64_t value = 0;
  if (!read_digits(node, value) || value < 1)
    fail(at(node, where), what + " is " + show(node) + ", but must be a whole number >= 1 written in digits");
  // A sanity bound of the format, far above the limit on parameters (docs/limits.md), which
  // refuses such a count first with a message of its own.
  constexpr std::uint64_t most = 1'000'000'000'000;
  if (value > most) fail(at(node, where), what + " is " + show(node) + ", but must be at most " + std::to_string(most));
  return static_cast<std::size_t>(value);
}

bool read_bool(const YAML::Node& node, const Where& where, const std::string& what) {
  if (node.IsScalar()) {
    const std::string& t = node.Scalar();
    if (t == "true" || t == "True" || t == "yes") return true;
    if (t == "false" || t == "False" || t == "no") return false;
  }
  fail(at(node, where), what + " is " + show(node) + ", but must be true or false");
}

std::string read_string(const YAML::Node& node, const Where& where, const std::string& what) {
  if (!node.IsScalar() || node.Scalar().empty())
    fail(at(node, where), what + " is " + show(node) + ", but must be a name");
  return node.Scalar();
}

std::uint64_t read_seed(const YAML::Node& node, const Where& where, const std::string& what) {
  std::uint64_t value = 0;
  if (!read_digits(node, value))
    fail(at(node, where), what + " is " + show(node) + ", but must be a whole number from 0 to 18446744073709551615");
  return value;
}

std::vector<double> read_numbers(const YAML::Node& node, std::size_t size, const Where& where,
                                 const std::string& what) {
  require_list(node, where, what);
  if (node.size() != size)
    fail(at(node, where), what + " has " + std::to_string(node.size()) + " entries, but must have " +
                              std::to_string(size));
  std::vector<double> out(size);
  for (std::size_t i = 0; i < size; ++i)
    out[i] = read_number(node[i], where, what + "[" + std::to_string(i) + "]");
  return out;
}

}  // namespace helmholtz::yaml
