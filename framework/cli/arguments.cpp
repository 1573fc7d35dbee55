#include "framework/cli/arguments.hpp"

#include <charconv>
#include <cmath>

namespace helmholtz::cli {

std::string Arguments::error_prefix() const { return "helmholtz " + spec_.name + ": "; }

namespace {

// A dash followed by something other than a digit or a decimal point: an option, not a value.
bool looks_like_option(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1])) && arg[1] != '.';
}

}  // namespace

Arguments::Arguments(const CommandSpec& spec, const std::vector<std::string>& args) : spec_(spec) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      return;
    }
    if (arg.size() > 1 && arg[0] == '-' && !(std::isdigit(static_cast<unsigned char>(arg[1])))) {
      std::string name = arg, value;
      bool inline_value = false;
      if (const auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        inline_value = true;
      }
      const Option* option = nullptr;
      for (const auto& o : spec.options)
        if (o.name == name || (!o.alias.empty() && o.alias == name)) option = &o;
      if (!option) throw UsageError(error_prefix() + "unknown option '" + name + "' (see helmholtz " + spec.name + " --help)");
      if (values_.count(option->name) && !option->repeatable) throw UsageError(error_prefix() + option->name + " is given twice");
      if (option->value_name.empty()) {
        if (inline_value) throw UsageError(error_prefix() + option->name + " takes no value");
        values_[option->name] = "";
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size()) throw UsageError(error_prefix() + option->name + " needs a value " + option->value_name);
        // `-n --seed 1` forgot the value of -n; taking "--seed" as it would hide the mistake
        // behind a confusing one. A value that really starts with a dash goes inline
        // (--data=-x); "-" alone and negative numbers are values.
        const std::string& next = args[i + 1];
        if (looks_like_option(next))
          throw UsageError(error_prefix() + option->name + " needs a value " + option->value_name +
                           ", but is followed by the option " + next +
                           (option->name.rfind("--", 0) == 0
                                ? " (write " + option->name + "=VALUE for a value that starts with '-')"
                                : std::string()));
        value = args[++i];
      }
      values_[option->name] = value;
      repeated_[option->name].push_back(value);
      continue;
    }
    positionals_.push_back(arg);
  }
  if (positionals_.size() < spec.positionals.size())
    throw UsageError(error_prefix() + "missing " + spec.positionals[positionals_.size()] + " (usage: helmholtz " +
                     spec.name + " " + spec.usage + ")");
  if (positionals_.size() > spec.positionals.size() + spec.optional_positionals.size())
    throw UsageError(error_prefix() + "unexpected argument '" +
                     positionals_[spec.positionals.size() + spec.optional_positionals.size()] +
                     "' (usage: helmholtz " + spec.name + " " + spec.usage + ")");
}

std::string Arguments::text(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) throw UsageError(error_prefix() + "missing " + name + " (see helmholtz " + spec_.name + " --help)");
  return found->second;
}

std::optional<std::string> Arguments::optional_text(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> Arguments::all(const std::string& name) const {
  const auto found = repeated_.find(name);
  return found == repeated_.end() ? std::vector<std::string>{} : found->second;
}

std::uint64_t Arguments::count(const std::string& name, std::uint64_t minimum) const {
  const std::string value = text(name);
  std::uint64_t out = 0;
  const auto result = std::from_chars(value.data(), value.data() + value.size(), out);
  if (result.ec != std::errc() || result.ptr != value.data() + value.size() || value.empty() || out < minimum)
    throw UsageError(error_prefix() + name + " is '" + value + "', but must be a whole number >= " + std::to_string(minimum));
  return out;
}

std::uint64_t Arguments::count_or(const std::string& name, std::uint64_t fallback, std::uint64_t minimum) const {
  return has(name) ? count(name, minimum) : fallback;
}

double Arguments::real_or(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string value = text(name);
  double out = 0;
  const auto result = std::from_chars(value.data(), value.data() + value.size(), out);
  if (result.ec != std::errc() || result.ptr != value.data() + value.size() || value.empty() || !std::isfinite(out))
    throw UsageError(error_prefix() + name + " is '" + value + "', but must be a number");
  return out;
}

std::string help_text(const CommandSpec& spec) {
  std::string out = "usage: helmholtz " + spec.name + " " + spec.usage + "\n\n" + spec.summary + "\n";
  if (!spec.options.empty()) {
    out += "\noptions:\n";
    for (const auto& o : spec.options) {
      std::string left = "  " + (o.alias.empty() ? "" : o.alias + ", ") + o.name;
      if (!o.value_name.empty()) left += " " + o.value_name;
      if (left.size() < 26) left.resize(26, ' ');
      else left += "  ";
      out += left + o.help + "\n";
    }
    std::string help = "  -h, --help";
    help.resize(26, ' ');
    out += help + "show this help\n";
  }
  if (!spec.details.empty()) out += "\n" + spec.details + "\n";
  return out;
}

}  // namespace helmholtz::cli
