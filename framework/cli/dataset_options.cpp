#include "framework/cli/dataset_options.hpp"

#include <algorithm>
#include <cmath>

#include "framework/error.hpp"

namespace helmholtz::cli {
namespace {

// The generators that declare an option named `name`.
std::vector<std::string> owners_of(const std::string& name) {
  std::vector<std::string> owners;
  for (const auto& generator_name : builtin_datasets().names())
    for (const auto& p : builtin_datasets().get(generator_name).parameters)
      if (p.name == name) owners.push_back(generator_name);
  return owners;
}

double parameter_value(const Arguments& args, const DatasetParameter& p, const std::string& command) {
  const std::string option = "--" + p.name;
  const double value = args.real_or(option, p.default_value);
  const bool whole = !p.whole_number || value == std::floor(value);
  if (!(value >= p.lower && value <= p.upper) || !whole)
    throw UsageError(command + ": " + option + " must be " + (p.whole_number ? "a whole number " : "") + "in [" +
                     format_number(p.lower) + ", " + format_number(p.upper) + "]");
  return value;
}

}  // namespace

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}

std::vector<Option> dataset_parameter_options() {
  std::vector<Option> options;
  std::vector<std::string> declared;
  for (const auto& name : builtin_datasets().names())
    for (const auto& p : builtin_datasets().get(name).parameters) {
      if (std::find(declared.begin(), declared.end(), p.name) != declared.end()) continue;
      declared.push_back(p.name);
      options.push_back({"--" + p.name, "", p.value_name,
                         joined(owners_of(p.name)) + ": " + p.help + " (default " + format_number(p.default_value) + ")"});
    }
  return options;
}

std::map<std::string, double> dataset_parameter_values(const Arguments& args, const DatasetGenerator& generator,
                                                       const std::string& command) {
  // An option of another generator is a mistake, not something to ignore.
  for (const auto& other : builtin_datasets().names())
    for (const auto& p : builtin_datasets().get(other).parameters) {
      const auto owners = owners_of(p.name);
      if (args.has("--" + p.name) && std::find(owners.begin(), owners.end(), generator.name) == owners.end())
        throw UsageError(command + ": --" + p.name + " applies to the " + joined(owners) + " generator only");
    }
  std::map<std::string, double> values;
  for (const auto& p : generator.parameters) values[p.name] = parameter_value(args, p, command);
  return values;
}

const DatasetGenerator& dataset_generator(const std::string& name, const std::string& command, const std::string& also) {
  if (!builtin_datasets().contains(name))
    throw UsageError(command + ": unknown generator '" + name + "' (available: " + joined(builtin_datasets().names()) +
                     also + ")");
  return builtin_datasets().get(name);
}

}  // namespace helmholtz::cli
