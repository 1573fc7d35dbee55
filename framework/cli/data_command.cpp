// helmholtz data GENERATOR -n N --seed S: the classic data sets of the Helmholtz machine papers,
// from the data-set registry (framework/datasets/dataset.hpp).
#include <cmath>
#include <ostream>
#include <sstream>

#include "framework/cli/command.hpp"
#include "framework/datasets/dataset.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"

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

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}

double parameter_value(const Arguments& args, const DatasetParameter& p) {
  const std::string option = "--" + p.name;
  const double value = args.real_or(option, p.default_value);
  const bool whole = !p.whole_number || value == std::floor(value);
  if (!(value >= p.lower && value <= p.upper) || !whole)
    throw UsageError("helmholtz data: " + option + " must be " + (p.whole_number ? "a whole number " : "") + "in [" +
                     format_number(p.lower) + ", " + format_number(p.upper) + "]");
  return value;
}

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const std::string name = args.positional(0);
  if (!builtin_datasets().contains(name)) {
    std::string known;
    for (const auto& n : builtin_datasets().names()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("helmholtz data: unknown generator '" + name + "' (available: " + known + ")");
  }
  const DatasetGenerator& generator = builtin_datasets().get(name);
  const std::uint64_t patterns = args.count("-n");
  const std::uint64_t seed = args.count("--seed", 0);
  // An option of another generator is a mistake, not something to ignore.
  for (const auto& other : builtin_datasets().names())
    for (const auto& p : builtin_datasets().get(other).parameters) {
      const auto owners = owners_of(p.name);
      if (args.has("--" + p.name) && std::find(owners.begin(), owners.end(), name) == owners.end())
        throw UsageError("helmholtz data: --" + p.name + " applies to the " + joined(owners) + " generator only");
    }
  if (args.has("--labels") && !generator.labelled)
    throw UsageError("helmholtz data: --labels applies to generators with labels only (" + name + " has none)");
  std::map<std::string, double> values;
  for (const auto& p : generator.parameters) values[p.name] = parameter_value(args, p);

  Rng rng = make_rng(seed);
  const GeneratedData data = generator.generate(patterns, rng, values);
  out << "# " << data.description << "; seed " << seed << "\n";
  write_patterns(out, data.patterns);
  if (const auto labels = args.optional_text("--labels")) {
    std::ostringstream text;
    text << "# " << data.labels_description << "; seed " << seed << "\n";
    for (int label : data.labels) text << label << "\n";
    write_file_atomically(*labels, text.str());
  }
  return 0;
}

CommandSpec spec() {
  CommandSpec s{"data",
                "GENERATOR -n N --seed S [options]",
                "Write N patterns of a classic data set (" + joined(builtin_datasets().names()) +
                    ") in the data-file format.",
                {"GENERATOR"},
                {{"-n", "", "N", "number of patterns (required)"},
                 {"--seed", "", "S", "seed of the random generator (required)"},
                 {"--labels", "", "FILE", "also write each pattern's label, for generators that have labels"}},
                "Generators:\n"};
  std::vector<std::string> declared;
  for (const auto& name : builtin_datasets().names()) {
    const DatasetGenerator& g = builtin_datasets().get(name);
    std::string line = "  " + name;
    line.resize(11, ' ');
    s.details += line + g.summary + ".\n";
    std::istringstream description(g.description);
    for (std::string text; std::getline(description, text);) s.details += "           " + text + "\n";
    for (const auto& p : g.parameters) {
      if (std::find(declared.begin(), declared.end(), p.name) != declared.end()) continue;
      declared.push_back(p.name);
      s.options.push_back({"--" + p.name, "", p.value_name,
                           joined(owners_of(p.name)) + ": " + p.help + " (default " + format_number(p.default_value) +
                               ")"});
    }
  }
  if (!s.details.empty() && s.details.back() == '\n') s.details.pop_back();
  return s;
}

}  // namespace

Command data_command() { return {spec(), run}; }

}  // namespace helmholtz::cli
