#include "framework/datasets/spikes.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string_view>

#include "framework/error.hpp"
#include "framework/io/text_lines.hpp"

namespace helmholtz::datasets {

// ---------------------------------------------------------------------------------------
// Reading a spike file

namespace {

constexpr const char* spike_form = "a spike is written 'channel time'";

// A field of a line and its column (1-based), for messages.
struct Field {
  std::string_view text;
  int column = 0;
};

// The fields of a line before its comment, split at spaces, tabs and the CR of a Windows
// line end (the characters a data file ignores).
std::vector<Field> fields_of(std::string_view line) {
  line = line.substr(0, line.find('#'));
  std::vector<Field> fields;
  std::size_t i = 0;
  while (true) {
    i = line.find_first_not_of(" \t\r", i);
    if (i == std::string_view::npos) return fields;
    const std::size_t end = std::min(line.find_first_of(" \t\r", i), line.size());
    fields.push_back({line.substr(i, end - i), static_cast<int>(i) + 1});
    i = end;
  }
}

// from_chars on the entire text, a leading '+' allowed as in model files.
template <class T>
std::optional<T> parse_entire(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  T value{};
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// A channel can be no larger than this: more channels could not be binned (max_binned_entries),
// and the default channel count, the largest channel + 1, then never overflows.
constexpr std::uint64_t max_channel = max_binned_entries - 1;

std::size_t parse_channel(const Field& field, const Where& where, std::optional<std::size_t> channels) {
  const auto channel = parse_entire<std::uint64_t>(field.text);
  if (!channel || *channel > max_channel)
    fail(where, "channel is '" + std::string(field.text) + "', but must be a whole number from 0 to " +
                    std::to_string(max_channel));
  if (channels && *channel >= *channels)
    fail(where, "channel " + std::to_string(*channel) + " is out of range: --channels " + std::to_string(*channels) +
                    " gives channels 0.." + std::to_string(*channels - 1));
  return static_cast<std::size_t>(*channel);
}

double parse_time(const Field& field, const Where& where) {
  const std::string text(field.text);
  const auto time = parse_entire<double>(field.text);
  if (!time) fail(where, "time is '" + text + "', but must be a number");
  if (!std::isfinite(*time)) fail(where, "time is '" + text + "', but must be finite");
  if (*time < 0) fail(where, "time is '" + text + "', but must be >= 0");
  return *time + 0.0;  // -0 is 0
}

Spike parse_spike(const std::vector<Field>& fields, const Where& line, std::optional<std::size_t> channels) {
  auto at = [&line](const Field& field) { return Where{line.file, line.line, field.column, ""}; };
  if (fields.size() < 2) fail(line, std::string("the time is missing: ") + spike_form);
  if (fields.size() > 2)
    fail(at(fields[2]), "unexpected field '" + std::string(fields[2].text) + "' after the time: " + spike_form);
  Spike spike;
  spike.channel = parse_channel(fields[0], at(fields[0]), channels);
  spike.time = parse_time(fields[1], at(fields[1]));
  return spike;
}

}  // namespace

SpikeRecording parse_spikes(std::istream& in, const std::string& file, std::optional<std::size_t> channels) {
  if (channels && *channels == 0) throw Error("a recording has at least 1 channel, not 0");
  SpikeRecording recording;
  recording.file = file;
  std::size_t largest_channel = 0;
  std::string line;
  int line_number = 0;
  while (read_text_line(in, line, file, static_cast<std::size_t>(line_number) + 1)) {
    ++line_number;
    const std::vector<Field> fields = fields_of(line);
    if (fields.empty()) continue;
    const Spike spike = parse_spike(fields, Where{file, line_number, 0, ""}, channels);
    largest_channel = std::max(largest_channel, spike.channel);
    recording.spikes.push_back(spike);
  }
  if (in.bad()) throw Error("cannot read spike file '" + file + "'");
  recording.channels = channels ? *channels : recording.spikes.empty() ? 0 : largest_channel + 1;
  return recording;
}

SpikeRecording read_spikes(const std::string& file, std::optional<std::size_t> channels) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open spike file '" + file + "'");
  SpikeRecording recording = parse_spikes(in, file, channels);
  if (recording.spikes.empty()) throw Error(file + ": no spikes in the spike file");
  return recording;
}

// ---------------------------------------------------------------------------------------
// Binning

namespace {

// floor(time / width), but a quotient within rounding of a whole number k is k. A time and a
// width typed in decimal are each rounded once to binary (relative error at most u = 2^-53)
// and the division rounds once more, so a quotient that is whole in decimal lands within 3u
// of it; 4 epsilon = 8u leaves a margin. A time that close to an edge without being on it
// would differ from it in the 16th significant digit, finer than any recording's clock.
double bin_of(double time, double width) {
  const double quotient = time / width;
  const double nearest = std::round(quotient);
  if (std::abs(quotient - nearest) <= 4 * std::numeric_limits<double>::epsilon() * nearest) return nearest;
  return std::floor(quotient);
}

// The recording's checks again, for recordings built in code rather than read.
void check_spike(const Spike& spike, const SpikeRecording& recording) {
  if (spike.channel >= recording.channels)
    throw Error(describe(Where{recording.file, 0, 0, ""},
                         "channel " + std::to_string(spike.channel) + " is out of range: the recording has " +
                             std::to_string(recording.channels) + " channels"));
  if (!(std::isfinite(spike.time) && spike.time >= 0))
    throw Error(describe(Where{recording.file, 0, 0, ""},
                         "a spike time is " + format_number(spike.time) + ", but must be a finite number >= 0"));
}

}  // namespace

ByteMatrix bin_spikes(const SpikeRecording& recording, double bin_width) {
  const Where where{recording.file, 0, 0, ""};
  if (!(std::isfinite(bin_width) && bin_width > 0))
    throw Error("the bin width is " + format_number(bin_width) + ", but must be a finite number > 0");
  if (recording.spikes.empty()) throw Error(describe(where, "no spikes to bin"));
  double last_bin = 0;
  for (const Spike& spike : recording.spikes) {
    check_spike(spike, recording);
    last_bin = std::max(last_bin, bin_of(spike.time, bin_width));
  }
  // Checked as doubles, before any conversion: the quotient of a long recording by a tiny
  // width may not fit in an integer at all.
  const double bins = last_bin + 1;
  const double channels = static_cast<double>(recording.channels);
  if (!(bins * channels <= static_cast<double>(max_binned_entries)))
    throw Error(describe(where, "bins of " + format_number(bin_width) + " make " + format_number(bins) + " patterns of " +
                                    format_number(channels) + " channels, more than the " +
                                    std::to_string(max_binned_entries) + " entries allowed: choose a wider bin"));
  ByteMatrix out = xt::zeros<std::uint8_t>({static_cast<std::size_t>(bins), recording.channels});
  for (const Spike& spike : recording.spikes)
    out(static_cast<std::size_t>(bin_of(spike.time, bin_width)), spike.channel) = 1;
  return out;
}

// ---------------------------------------------------------------------------------------
// Planted assemblies

namespace {

void check_probability(double p, const char* name) {
  if (!(p >= 0 && p <= 1))
    throw Error(std::string("assemblies: ") + name + " is " + format_number(p) + ", but must be in [0, 1]");
}

// 0, 1, ..., n - 1 in a random order: Fisher-Yates with uniform01, because std::shuffle's
// draws are left to the library and would change the assemblies from one platform to another.
std::vector<std::size_t> random_order(std::size_t n, Rng& rng) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i > 1; --i) {
    const auto j = std::min(static_cast<std::size_t>(uniform01(rng) * static_cast<double>(i)), i - 1);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

std::vector<std::vector<std::size_t>> plant(const AssembliesOptions& options, Rng& rng) {
  const std::vector<std::size_t> order = random_order(options.channels(), rng);
  std::vector<std::vector<std::size_t>> planted(options.assemblies);
  for (std::size_t a = 0; a < options.assemblies; ++a) {
    const auto first = order.begin() + static_cast<std::ptrdiff_t>(a * options.assembly_size);
    planted[a].assign(first, first + static_cast<std::ptrdiff_t>(options.assembly_size));
    std::sort(planted[a].begin(), planted[a].end());
  }
  return planted;
}

}  // namespace

std::vector<std::vector<std::size_t>> plant_assemblies(Rng& rng, const AssembliesOptions& options) {
  check_probability(options.assembly_probability, "assembly_probability");
  check_probability(options.member_probability, "member_probability");
  check_probability(options.background_probability, "background_probability");
  return plant(options, rng);
}

void assemblies_bin(Rng& rng, const std::vector<std::vector<std::size_t>>& planted, const AssembliesOptions& options,
                    double* pattern, double* active) {
  for (std::size_t a = 0; a < options.assemblies; ++a)
    active[a] = uniform01(rng) < options.assembly_probability ? 1.0 : 0.0;
  for (std::size_t c = 0; c < options.channels(); ++c)
    pattern[c] = uniform01(rng) < options.background_probability ? 1.0 : 0.0;
  for (std::size_t a = 0; a < options.assemblies; ++a) {
    if (active[a] == 0.0) continue;
    for (std::size_t c : planted[a])
      if (uniform01(rng) < options.member_probability) pattern[c] = 1.0;
  }
}

PlantedAssemblies assemblies(std::size_t bins, Rng& rng, const AssembliesOptions& options) {
  PlantedAssemblies out;
  out.assemblies = plant_assemblies(rng, options);
  out.patterns = Matrix::from_shape({bins, options.channels()});
  out.active = Matrix::from_shape({bins, options.assemblies});
  for (std::size_t n = 0; n < bins; ++n)
    assemblies_bin(rng, out.assemblies, options, out.patterns.data() + n * options.channels(),
                   out.active.data() + n * options.assemblies);
  return out;
}

}  // namespace helmholtz::datasets

#include "framework/datasets/dataset.hpp"

namespace helmholtz::datasets {

namespace {

// "[0 5 9 14] [1 2 7 11]": the planted truth, for the comment line above the patterns.
std::string describe_assemblies(const std::vector<std::vector<std::size_t>>& assemblies) {
  std::string out;
  for (const auto& assembly : assemblies) {
    out += out.empty() ? "[" : " [";
    for (std::size_t i = 0; i < assembly.size(); ++i) {
      if (i > 0) out += ' ';
      out += std::to_string(assembly[i]);
    }
    out += "]";
  }
  return out;
}

}  // namespace

DatasetGenerator assemblies_generator() {
  DatasetGenerator g;
  g.name = "assemblies";
  g.summary = "Binned spike recordings with planted cell assemblies, one pattern per time bin";
  g.description =
      "K disjoint assemblies of M channels (4 of 4 by default: 16 channels), drawn from the seed and\n"
      "listed in the comment line, plus U channels in none. In each bin every assembly is active with\n"
      "probability P, its channels then fire with probability Q, and every channel also fires on its\n"
      "own with probability B. --planted FILE writes the assemblies, one per line, for `helmholtz probe\n"
      "--assemblies FILE`.";
  g.parameters = {
      {"assemblies", "K", "number of planted assemblies", double(default_assembly_count), 1, 1000, true},
      {"assembly-size", "M", "channels in each assembly", double(default_assembly_size), 1, 1000, true},
      {"unassigned-channels", "U", "channels in no assembly (background firing only)",
       double(default_unassigned_channels), 0, 100000, true},
      {"assembly-probability", "P", "probability that an assembly is active in a bin", default_assembly_probability, 0.0,
       1.0, false},
      {"member-probability", "Q", "probability that each channel of an active assembly fires",
       default_member_probability, 0.0, 1.0, false},
      {"background-probability", "B", "probability that a channel fires on its own in a bin",
       default_background_probability, 0.0, 1.0, false}};
  g.plants_groups = true;
  g.start = [](Rng& rng, const std::map<std::string, double>& values) {
    AssembliesOptions options;
    options.assemblies = static_cast<std::size_t>(values.at("assemblies"));
    options.assembly_size = static_cast<std::size_t>(values.at("assembly-size"));
    options.unassigned_channels = static_cast<std::size_t>(values.at("unassigned-channels"));
    options.assembly_probability = values.at("assembly-probability");
    options.member_probability = values.at("member-probability");
    options.background_probability = values.at("background-probability");
    PatternStream out;
    out.units = options.channels();
    out.planted = plant_assemblies(rng, options);
    out.description = "assemblies: " + std::to_string(options.channels()) +
                      " channels, one pattern per time bin; planted assemblies " + describe_assemblies(out.planted);
    out.planted_description = "planted assemblies: " + std::to_string(options.assemblies) + " of " +
                              std::to_string(options.assembly_size) + " channels among " +
                              std::to_string(options.channels()) + ", one per line, numbered from 0 as the columns";
    out.next = [options, planted = out.planted, active = std::vector<double>(options.assemblies)](
                   Rng& rng, double* pattern) mutable {
      assemblies_bin(rng, planted, options, pattern, active.data());
      return 0;
    };
    return out;
  };
  return g;
}

}  // namespace helmholtz::datasets
