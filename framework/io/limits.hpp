#pragma once
// Resource limits: how much the readers accept before they allocate, so that a typo in a
// size, a wrong file or a hostile one is refused with a message instead of filling memory
// until the system kills the process (docs/limits.md). Every default is far above what the
// shipped models and data sets need, and each can be changed for a run with an environment
// variable of the same name in capitals (HELMHOLTZ_MAX_PARAMETERS=2e8 helmholtz train ...),
// one mechanism for every command and for programs that call read_model or read_patterns.
#include <cstdint>
#include <string>

namespace helmholtz {

struct Limits {
  // Parameters of the whole network, generative and recognition (the default recognition
  // network included), counted as every entry's units x (1 + its parents' units): the size
  // of a bias and a full weight matrix. 1e8 doubles are 800 MB, before any training state.
  std::uint64_t max_parameters = 100'000'000;
  // Bytes of a model file. yaml-cpp holds about 28 bytes of memory per byte of YAML and
  // reads about a megabyte a second of numbers: 100 MB is some 3 GB and 2 minutes.
  std::uint64_t max_model_bytes = 100'000'000;
  // Values (patterns x units) of one data file, held as a byte each while read and as a
  // double each by the commands that compute on the whole set: 250 MB and then 2 GB.
  std::uint64_t max_data_values = 250'000'000;
  // Whether a model file's `plugins:` may load libraries. Off where model files come from a
  // source that must not run code (the model-file fuzzer writes arbitrary paths there).
  bool load_plugin_libraries = true;

  // The defaults, each replaced by its environment variable when that is set. Throws Error
  // naming the variable when a value is not a whole number >= 1 (digits, or a form like 2e8).
  static Limits from_environment();
};

// The environment variable that sets each limit, for messages: "HELMHOLTZ_MAX_PARAMETERS".
inline constexpr const char* max_parameters_variable = "HELMHOLTZ_MAX_PARAMETERS";
inline constexpr const char* max_model_bytes_variable = "HELMHOLTZ_MAX_MODEL_BYTES";
inline constexpr const char* max_data_values_variable = "HELMHOLTZ_MAX_DATA_VALUES";
// Characters of one line of the other text inputs (spike times, assemblies, labels, learning
// curves): max_line_length in text_lines.hpp, or more with this variable.
inline constexpr const char* max_line_length_variable = "HELMHOLTZ_MAX_LINE_LENGTH";

// How a message tells the user to raise a limit: "raise it with HELMHOLTZ_MAX_PARAMETERS=N;
// see docs/limits.md".
std::string how_to_raise(const char* variable);

// One variable's value: `fallback` when unset, else its value (throws Error when invalid).
std::uint64_t limit_from_environment(const char* variable, std::uint64_t fallback);

}  // namespace helmholtz
