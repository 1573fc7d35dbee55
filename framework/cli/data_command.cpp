// helmholtz data GENERATOR -n N --seed S: the classic data sets of the Helmholtz machine papers
// and synthetic ones, from the data-set registry (framework/datasets/dataset.hpp);
// helmholtz data spikes FILE --bin WIDTH: a spike recording cut into time bins
// (framework/datasets/spikes.hpp).
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <numeric>
#include <optional>
#include <ostream>
#include <sstream>

#include "framework/cli/command.hpp"
#include "framework/cli/dataset_options.hpp"
#include "framework/cli/interrupt.hpp"
#include "framework/datasets/dataset.hpp"
#include "framework/datasets/spikes.hpp"
#include "framework/io/assemblies_file.hpp"
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

// The entries of a block of patterns drawn before it is written (8 bytes each).
constexpr std::size_t block_entries = 1 << 16;

int run_generator(const Arguments& args, std::ostream& out) {
  const std::string name = args.positional(0);
  const DatasetGenerator& generator = dataset_generator(name, "helmholtz data", ", or spikes FILE");
  if (args.positional_count() > 1)
    throw UsageError("helmholtz data: unexpected argument '" + args.positional(1) + "' (usage: helmholtz data " + usage +
                     ")");
  reject_spikes_options(args);
  const std::uint64_t patterns = args.count("-n");
  const std::uint64_t seed = args.count("--seed", 0);
  if (args.has("--labels") && !generator.labelled)
    throw UsageError("helmholtz data: --labels applies to generators with labels only (" + name + " has none)");
  if (args.has("--planted") && !generator.plants_groups)
    throw UsageError("helmholtz data: --planted applies to generators that plant groups only (" + name +
                     " plants none)");
  const std::map<std::string, double> values = dataset_parameter_values(args, generator, "helmholtz data");

  // The handler first: Ctrl-C must not leave the side files' temporary files behind.
  const std::atomic<bool>& interrupted = interrupt_flag();
  // The side files first, so that one that cannot be written fails before any work; they are
  // put in place only once every pattern is out.
  std::optional<AtomicFile> labels, planted;
  if (const auto file = args.optional_text("--labels")) labels.emplace(*file);
  if (const auto file = args.optional_text("--planted")) planted.emplace(*file);
  if (labels || planted) take_closed_pipe_as_write_error();
  // A failed write (a closed pipe, a full disk) stops the run, and the side files are not put in place.
  std::string unwritten;
  for (const char* option : {"--labels", "--planted"})
    if (const auto file = args.optional_text(option)) unwritten += (unwritten.empty() ? "; " : " and ") + *file;
  if (!unwritten.empty()) unwritten += " not written";

  Rng rng = make_rng(seed);
  PatternStream stream = generator.start(rng, values);
  const std::string seed_note = "; seed " + std::to_string(seed) + "\n";
  out << "# " << stream.description << seed_note;
  if (labels) labels->write("# " + stream.labels_description + seed_note);
  if (planted) {
    std::ostringstream text;
    text << "# " << stream.planted_description << seed_note;
    write_assemblies(text, stream.planted);
    planted->write(text.str());
  }
  // Drawn and written a block at a time, so that any N takes the memory of one block.
  const std::size_t block_rows = std::max<std::size_t>(1, block_entries / std::max<std::size_t>(1, stream.units));
  Matrix block;
  std::string label_lines;
  for (std::uint64_t done = 0; done < patterns;) {
    if (interrupted.load()) throw Interrupted();
    const auto rows = static_cast<std::size_t>(std::min<std::uint64_t>(block_rows, patterns - done));
    block.resize({rows, stream.units});
    label_lines.clear();
    for (std::size_t r = 0; r < rows; ++r) {
      const int label = stream.next(rng, block.data() + r * stream.units);
      if (labels) label_lines += std::to_string(label) + "\n";
    }
    errno = 0;
    write_patterns(out, block);
    check_output(out, errno, unwritten);
    if (labels) labels->write(label_lines);
    done += rows;
  }
  errno = 0;
  out.flush();
  check_output(out, errno, unwritten);
  if (labels) labels->commit();
  if (planted) planted->commit();
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
                {{"-n", "", "N", "number of patterns, in digits (required; written as drawn: any N in bounded memory)"},
                 {"--seed", "", "S", "seed of the random generator (required)"},
                 {"--labels", "", "FILE",
                  "also write each pattern's label, for generators that have labels (put in place once all are out)"},
                 {"--planted", "", "FILE",
                  "also write the planted groups (assemblies' channels), one per line, for generators that plant them"},
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
  for (const auto& name : builtin_datasets().names()) {
    const DatasetGenerator& g = builtin_datasets().get(name);
    s.details += heading(name) + g.summary + ".\n";
    std::istringstream description(g.description);
    for (std::string text; std::getline(description, text);) s.details += indent + text + "\n";
  }
  for (Option& option : dataset_parameter_options()) s.options.push_back(std::move(option));
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
