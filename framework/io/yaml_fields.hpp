#pragma once
// Small named checks for reading YAML, shared by the model-file reader and every plugin,
// so that each mistake is reported in the same shape: file:line:column: field: message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "framework/error.hpp"

namespace helmholtz::yaml {

// `where` moved to the position of `node` in its file (yaml-cpp counts from 0).
Where at(const YAML::Node& node, const Where& where);

// What a node is, for messages: "a map", "a list", "'abc'".
std::string show(const YAML::Node& node);

void require_map(const YAML::Node& node, const Where& where, const std::string& what);
void require_list(const YAML::Node& node, const Where& where, const std::string& what);

// Every key of `map` must be in `allowed` and appear once; the message lists what is allowed.
void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const Where& where);

double read_number(const YAML::Node& node, const Where& where, const std::string& what);
std::size_t read_count(const YAML::Node& node, const Where& where, const std::string& what);
bool read_bool(const YAML::Node& node, const Where& where, const std::string& what);
std::string read_string(const YAML::Node& node, const Where& where, const std::string& what);

// A seed: a whole number from 0 to 2^64 - 1, parsed as an integer (not through a double, so
// that every 64-bit seed is distinct); a leading '+' is allowed.
std::uint64_t read_seed(const YAML::Node& node, const Where& where, const std::string& what);

// A list of exactly `size` numbers.
std::vector<double> read_numbers(const YAML::Node& node, std::size_t size, const Where& where,
                                 const std::string& what);

}  // namespace helmholtz::yaml
