#pragma once
// What each fuzzer does with one input, shared by the libFuzzer programs (*_fuzzer.cpp) and
// by fuzz_regressions_test.cpp, so that an input replayed by the test takes the fuzzer's path.
//
// The contract every entry point checks: an input is either accepted, and then passes a cheap
// consistency check, or refused with the project's own Error (a message naming the file and
// line). Anything else is a finding: another exception escaping (std::logic_error below marks
// a failed consistency check), a crash, a sanitizer report, a leak or a hang.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "framework/cli/command.hpp"
#include "framework/cli/dataset_options.hpp"
#include "framework/datasets/spikes.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/error.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "framework/patterns.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::fuzz {

// An input the harness declines to run through, because what it asks for is legitimately too
// big for a fuzzer's budget of time and memory. Not an Error: the fuzzers skip it, and the
// regression test, whose inputs are all small, counts it as a fault.
class OverBudget : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

// A consistency check failed: not an Error, so that the fuzzer stops on it.
[[noreturn]] inline void inconsistent(const std::string& what) { throw std::logic_error("fuzz: " + what); }

// The parameters a model may ask for in one execution (8 bytes each, held about twice while
// the network is assembled); the model-file reader itself refuses only beyond 1e8 in the
// whole network (docs/limits.md).
constexpr double max_model_parameters = 1e6;
// Above these sizes the consistency steps would dominate the time of an execution.
constexpr std::size_t max_round_trip_parameters = 20000;
constexpr std::size_t max_sampled_parameters = 200000;

// The built-in plugins, each creation counted in `asked` against max_model_parameters: the
// model-file reader creates every distribution (and so allocates its parameters) through the
// registry.
inline Registry budgeted_registry(double& asked) {
  Registry registry;
  for (const std::string& name : builtin_registry().names())
    registry.add(name, [name, &asked](NodeShape shape) {
      asked += double(shape.units) * double(1 + shape.parent_units());
      if (asked > max_model_parameters)
        throw OverBudget("the model asks for more than " + format_number(max_model_parameters) + " parameters");
      return builtin_registry().create(name, std::move(shape));
    });
  registry.set_default_recognition(builtin_registry().default_recognition());
  return registry;
}

inline bool same_bits(const Vector& a, const Vector& b) {
  return a.size() == b.size() && (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace detail

// The model-file reader (parse_model, what `helmholtz check` and every command reading a model
// use), on the input as the text of a model file. An accepted model is written out by
// model_to_yaml and read back: the same text again and every parameter bit for bit; and a few
// patterns are sampled from it, every state 0 or 1.
inline void model_file(std::string_view input) {
  double asked = 0;
  Limits limits = Limits::from_environment();
  limits.load_plugin_libraries = false;  // `plugins:` would dlopen whatever path the fuzzer writes
  const Network network = parse_model(std::string(input), "fuzz.yaml", detail::budgeted_registry(asked), limits);
  const std::size_t parameters = network.generative.parameter_count() + network.recognition.parameter_count();
  if (parameters <= detail::max_round_trip_parameters) {
    const std::string written = model_to_yaml(network);
    std::optional<Network> again;
    try {
      again = parse_model(written, "written.yaml", builtin_registry());
    } catch (const Error& e) {
      detail::inconsistent("the model as written is refused: " + std::string(e.what()) + "\n" + written);
    }
    if (model_to_yaml(*again) != written) detail::inconsistent("the model written twice differs:\n" + written);
    if (!detail::same_bits(network.generative.parameters, again->generative.parameters) ||
        !detail::same_bits(network.recognition.parameters, again->recognition.parameters))
      detail::inconsistent("the parameters read back differ:\n" + written);
  }
  if (parameters <= detail::max_sampled_parameters) {
    Rng rng = make_rng(1);
    const Matrix patterns = sample_visible(network, 2, rng);
    if (patterns.shape(0) != 2 || patterns.shape(1) != network.visible_units())
      detail::inconsistent("samples of the wrong shape");
    for (double x : patterns)
      if (x != 0.0 && x != 1.0) detail::inconsistent("a sampled state is " + format_number(x));
  }
}

// The data-file reader (parse_patterns, behind read_patterns and read_data). The first byte
// of the input gives the width, 1 + its value (1 to 256 units); the rest is the file. Accepted
// patterns are written out by write_patterns and read back to the same bits.
inline void data_file(std::string_view input) {
  if (input.empty()) return;
  const std::size_t width = 1 + static_cast<unsigned char>(input[0]);
  std::istringstream in{std::string(input.substr(1))};
  const ByteMatrix patterns = parse_patterns(in, width, "fuzz.data");
  if (patterns.shape(1) != width) detail::inconsistent("patterns of the wrong width");
  for (std::uint8_t bit : patterns)
    if (bit > 1) detail::inconsistent("a bit is " + std::to_string(bit));
  std::ostringstream out;
  write_patterns(out, to_matrix(patterns));
  std::istringstream written(out.str());
  const ByteMatrix again = parse_patterns(written, width, "written.data");
  if (data_checksum(again) != data_checksum(patterns) || data_checksum(to_matrix(patterns)) != data_checksum(patterns))
    detail::inconsistent("the patterns written and read back differ");
}

// The spike-file reader (parse_spikes, behind read_spikes and `helmholtz data spikes`), then
// bin_spikes. The first byte gives the channel count: 0 for none (the largest channel + 1),
// else the byte's value - 1 (so 0 channels, refused, is tried too); the second picks the bin
// width from a table running from tiny to huge; the rest is the file. Binnings between a
// million and ten billion entries are skipped: the reader allows up to a billion, legitimately
// too slow for a fuzzer; beyond ten billion bin_spikes must refuse before allocating.
inline void spike_file(std::string_view input) {
  if (input.size() < 2) return;
  const auto channel_byte = static_cast<unsigned char>(input[0]);
  const std::optional<std::size_t> channels =
      channel_byte == 0 ? std::nullopt : std::optional<std::size_t>(channel_byte - 1u);
  constexpr double widths[] = {1, 10, 0.1, 0.001, 0.3, 1e-9, 1e300, 5e-324};
  const double width = widths[static_cast<unsigned char>(input[1]) % std::size(widths)];
  std::istringstream in{std::string(input.substr(2))};
  const datasets::SpikeRecording recording = datasets::parse_spikes(in, "fuzz.spikes", channels);
  double last_time = 0;
  for (const datasets::Spike& spike : recording.spikes) {
    if (spike.channel >= recording.channels) detail::inconsistent("a spike's channel is beyond the channel count");
    if (!(std::isfinite(spike.time) && spike.time >= 0)) detail::inconsistent("a spike time is not a finite number >= 0");
    last_time = std::max(last_time, spike.time);
  }
  const double entries = (last_time / width + 2) * double(recording.channels);
  if (entries > 1e6 && entries < 1e10) return;
  const ByteMatrix bins = datasets::bin_spikes(recording, width);
  if (bins.shape(1) != recording.channels) detail::inconsistent("bins of the wrong width");
  std::size_t ones = 0;
  for (std::uint8_t bit : bins) ones += bit;
  if (ones == 0 || ones > recording.spikes.size()) detail::inconsistent("bins hold " + std::to_string(ones) + " spikes");
  bool last_row_used = false;
  for (std::size_t c = 0; c < bins.shape(1); ++c) last_row_used |= bins(bins.shape(0) - 1, c) != 0;
  if (!last_row_used) detail::inconsistent("the last bin is empty");
}

// The command-line parser (cli::Arguments), on the input split into arguments at NUL bytes:
// the first names the command, the rest are its arguments. Commands are never run (they read
// and write files, and train); after the parse, every option given is read through each of the
// typed getters the commands use, and `data` checks its generator's parameters.
inline void arguments(std::string_view input) {
  std::vector<std::string> args;
  for (std::size_t start = 0;;) {
    const std::size_t end = input.find('\0', start);
    args.emplace_back(input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  static const std::vector<cli::Command> commands = cli::all_commands();
  for (const cli::Command& command : commands) {
    if (command.spec.name != args[0]) continue;
    const cli::Arguments parsed(command.spec, std::vector<std::string>(args.begin() + 1, args.end()));
    if (parsed.help_requested()) {
      if (cli::help_text(command.spec).empty()) detail::inconsistent("empty help");
      return;
    }
    for (const cli::Option& option : command.spec.options) {
      if (!parsed.has(option.name)) continue;
      const auto text = parsed.optional_text(option.name);
      if (!text) detail::inconsistent("an option given, but without its text");
      if (option.value_name.empty() && !text->empty()) detail::inconsistent("a flag with a value");
      if (option.value_name.empty()) continue;
      // Each getter either returns a value in its range or refuses the text with a UsageError.
      for (std::uint64_t minimum : {0, 1}) {
        try {
          if (parsed.count(option.name, minimum) < minimum) detail::inconsistent("a count below its minimum");
        } catch (const cli::UsageError&) {
        }
      }
      try {
        if (!std::isfinite(parsed.real_or(option.name, 0))) detail::inconsistent("a number that is not finite");
      } catch (const cli::UsageError&) {
      }
    }
    if (command.spec.name == "data" && parsed.positional(0) != "spikes")
      cli::dataset_parameter_values(parsed, cli::dataset_generator(parsed.positional(0), "helmholtz data"),
                                    "helmholtz data");
    return;
  }
}

}  // namespace helmholtz::fuzz
