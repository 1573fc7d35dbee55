// helmholtz data GENERATOR -n N --seed S: the classic data sets of the Helmholtz machine papers
// and synthetic ones, from the data-set registry (framework/datasets/dataset.hpp);
// helmholtz data spikes FILE --bin WIDTH: a spike recording cut into time bins
// (framework/datasets/spikes.hpp).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <ostream>
#include <sstream>

#include "framework/cli/command.hpp"
#include "framework/datasets/dataset.hpp"
#include "framework/datasets/spikes.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/patterns.hpp"

namespace helmholtz::cli {
namespace {

// `spikes` is not a generator: it reads a file instead of drawing patterns, and takes options
// of its own.
const std::string spikes_mode = "spikes";
const std::vector<std::string> spikes_options = {"--bin", "--channels"};
const std::string spikes_usage = spikes_mode + " FILE --bin WIDTH [--channels C]";
const std::string usage = "GENERATOR -n N --seed S [options] | " + spikes_usage;

CommandSpec spec();

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

// Options of the other mode are mistakes, not something to ignore.
void reject_spikes_options(const Arguments& args) {
  for (const auto& option : spikes_options)
    if (args.has(option)) throw UsageError("helmholtz data: " + option + " applies to spikes only");
}

void reject_generator_options(const Arguments& args) {
  for (const auto& option : spec().options)
    if (args.has(option.name) && std::find(spikes_options.begin(), spikes_options.end(), option.name) == spikes_options.end())
      throw UsageError("helmholtz data: " + option.name + " applies to generators only, not to spikes");
}

// Writes byte patterns through write_patterns a block of rows at a time, so that a long
// recording (up to max_binned_entries bytes) is never held as doubles, 8 bytes an entry.
void write_byte_patterns(std::ostream& out, const ByteMatrix& patterns) {
  constexpr std::size_t block_rows = 4096;
  std::vector<std::size_t> rows;
  Matrix block;
  for (std::size_t first = 0; first < patterns.shape(0); first += block_rows) {
    rows.resize(std::min(block_rows, patterns.shape(0) - first));
    std::iota(rows.begin(), rows.end(), first);
    gather_rows(patterns, rows, block);
    write_patterns(out, block);
  }
}

double bin_width(const Arguments& args) {
  const std::string text = args.text("--bin");  // required
  const double width = args.real_or("--bin", 0);
  if (!(width > 0)) throw UsageError("helmholtz data: --bin is '" + text + "', but must be a number > 0");
  return width;
}

// No comment line above the patterns, unlike the generators: line k of the output is bin k.
int run_spikes(const Arguments& args, std::ostream& out) {
  reject_generator_options(args);
  if (args.positional_count() < 2)
    throw UsageError("helmholtz data: missing FILE (usage: helmholtz data " + spikes_usage + ")");
  const std::string file = args.positional(1);
  const double width = bin_width(args);
  std::optional<std::size_t> channels;
  if (args.has("--channels")) channels = args.count("--channels");
  write_byte_patterns(out, datasets::bin_spikes(datasets::read_spikes(file, channels), width));
  return 0;
}

int run_generator(const Arguments& args, std::ostream& out) {
  const std::string name = args.positional(0);
  if (!builtin_datasets().contains(name)) {
    std::string known;
    for (const auto& n : builtin_datasets().names()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("helmholtz data: unknown generator '" + name + "' (available: " + known + ", or spikes FILE)");
  }
  if (args.positional_count() > 1)
    throw UsageError("helmholtz data: unexpected argument '" + args.positional(1) + "' (usage: helmholtz data " + usage +
                     ")");
  reject_spikes_options(args);
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

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  return args.positional(0) == spikes_mode ? run_spikes(args, out) : run_generator(args, out);
}

CommandSpec spec() {
  CommandSpec s{"data",
                usage,
                "Write N patterns of a data set (" + joined(builtin_datasets().names()) +
                    "), or bin a spike recording, as data.",
                {"GENERATOR"},
                {{"-n", "", "N", "number of patterns (required)"},
                 {"--seed", "", "S", "seed of the random generator (required)"},
                 {"--labels", "", "FILE", "also write each pattern's label, for generators that have labels"},
                 {"--bin", "", "WIDTH", "spikes: width of a time bin, in the unit of the file's times (required)"},
                 {"--channels", "", "C", "spikes: number of channels (default: the largest channel + 1)"}},
                "Generators:\n",
                {"FILE"}};
  // The descriptions start in a column past the longest generator name.
  std::size_t longest = spikes_mode.size();
  for (const auto& name : builtin_datasets().names()) longest = std::max(longest, name.size());
  const std::string indent(longest + 4, ' ');
  auto heading = [&indent](const std::string& name) {
    std::string line = "  " + name;
    line.resize(indent.size(), ' ');
    return line;
  };
  std::vector<std::string> declared;
  for (const auto& name : builtin_datasets().names()) {
    const DatasetGenerator& g = builtin_datasets().get(name);
    s.details += heading(name) + g.summary + ".\n";
    std::istringstream description(g.description);
    for (std::string text; std::getline(description, text);) s.details += indent + text + "\n";
    for (const auto& p : g.parameters) {
      if (std::find(declared.begin(), declared.end(), p.name) != declared.end()) continue;
      declared.push_back(p.name);
      s.options.push_back({"--" + p.name, "", p.value_name,
                           joined(owners_of(p.name)) + ": " + p.help + " (default " + format_number(p.default_value) +
                               ")"});
    }
  }
  s.details += "\nSpike recordings (data " + spikes_usage + "):\n" + heading(spikes_mode) +
               "A file of spikes, one per line 'channel time', cut into time bins.\n" + indent +
               "Channels are whole numbers from 0, times numbers >= 0 in any unit, lines in any order, '#' starts\n" +
               indent + "a comment. One pattern per bin [k WIDTH, (k+1) WIDTH) from k = 0 to the bin of the last spike,\n" +
               indent + "a unit per channel, 1 where the channel spiked in the bin. No comment line: line k is bin k.";
  return s;
}

}  // namespace

Command data_command() { return {spec(), run}; }

}  // namespace helmholtz::cli
