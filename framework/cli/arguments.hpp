#pragma once
// A small, strict command-line parser: every option is declared with its help text, an
// unknown or repeated option is an error, and typed getters say which option was bad.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "framework/error.hpp"

namespace helmholtz::cli {

// A mistake on the command line (exit status 2, with a pointer to --help).
class UsageError : public Error {
 public:
  using Error::Error;
};

struct Option {
  std::string name;        // "--seed"
  std::string alias;       // "-s" or empty
  std::string value_name;  // "S"; empty for a flag
  std::string help;
  bool repeatable = false;  // may be given more than once (--plugin A --plugin B)
};

struct CommandSpec {
  std::string name;         // "sample"
  std::string usage;        // "MODEL -n N --seed S [--all-nodes]"
  std::string summary;      // one line
  std::vector<std::string> positionals;  // names of required positional arguments
  std::vector<Option> options;
  std::string details;      // more text for --help
  // Names of positional arguments that may follow the required ones (the command checks
  // which it needs: `data spikes FILE` takes one that `data bars` does not).
  std::vector<std::string> optional_positionals;
};

class Arguments {
 public:
  // Throws UsageError; returns with help_requested() set if --help/-h was given.
  Arguments(const CommandSpec& spec, const std::vector<std::string>& args);

  bool help_requested() const { return help_; }
  const std::string& positional(std::size_t i) const { return positionals_.at(i); }
  std::size_t positional_count() const { return positionals_.size(); }
  bool flag(const std::string& name) const { return values_.count(name) != 0; }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string text(const std::string& name) const;  // required
  std::optional<std::string> optional_text(const std::string& name) const;
  // Every value of a repeatable option, in order (empty if it is not given).
  std::vector<std::string> all(const std::string& name) const;
  std::uint64_t count(const std::string& name, std::uint64_t minimum = 1) const;  // required
  std::uint64_t count_or(const std::string& name, std::uint64_t fallback, std::uint64_t minimum = 1) const;
  double real_or(const std::string& name, double fallback) const;

 private:
  std::string error_prefix() const;
  const CommandSpec& spec_;
  bool help_ = false;
  std::vector<std::string> positionals_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> repeated_;
};

std::string help_text(const CommandSpec& spec);

}  // namespace helmholtz::cli
