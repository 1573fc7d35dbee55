#pragma once
// Multi-channel spike recordings as data: a recording (a spike time per line, on numbered
// channels) is cut into time bins, and each bin becomes one binary pattern with a unit per
// channel, on where that channel spiked in the bin. A belief network trained on such
// patterns can find cell assemblies, groups of channels that tend to fire together, as
// hidden causes; `assemblies` makes recordings with planted assemblies to check that it does.
//
// A spike file has one spike per line, `channel time`: the channel a whole number from 0, the
// time a non-negative decimal number in any unit. Lines may come in any order; '#' starts a
// comment, blank lines are skipped, as in data files (framework/io/data_file.hpp).
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace helmholtz::datasets {

struct Spike {
  std::size_t channel = 0;
  double time = 0;
};

struct SpikeRecording {
  std::vector<Spike> spikes;  // in the order of the file
  std::size_t channels = 0;   // the columns of the binned patterns; every spike's channel is below it
  std::string file;           // names the source in messages (may be empty)
};

// The largest binned data set made, in entries (bins x channels, a character of output
// each): a bin width typed in the wrong unit would otherwise ask for terabytes.
inline constexpr std::size_t max_binned_entries = 1000000000;

// Reads a spike file. `channels`, when given, is the number of channels, at least 1 (a spike on
// a channel >= channels is an InputError naming its line); without it, the largest channel + 1. Every
// mistake is an InputError naming `file`, the line and, for a bad field, its column.
// parse_spikes returns a recording without spikes for a file that has none; read_spikes
// refuses it, and a file it cannot open.
SpikeRecording parse_spikes(std::istream& in, const std::string& file, std::optional<std::size_t> channels = {});
SpikeRecording read_spikes(const std::string& file, std::optional<std::size_t> channels = {});

// One pattern per bin [k w, (k + 1) w) of width w = bin_width, for k = 0 up to the bin of the
// last spike; entry (k, c) is 1 iff channel c spiked at least once in bin k. A time that is a
// bin edge as typed in decimal (0.3 with bins of 0.1) belongs to the bin that starts there,
// although its quotient in binary floating point may fall just short (2.9999999999999996).
// Throws Error for a bin width that is not a finite number > 0, a recording without spikes,
// and more than max_binned_entries entries.
ByteMatrix bin_spikes(const SpikeRecording& recording, double bin_width);

// Synthetic recordings with planted cell assemblies, already binned (one pattern per bin).
// In each bin every assembly is active independently with probability
// assembly_probability; each channel of an active assembly then fires with probability
// member_probability, and every channel also fires on its own with probability
// background_probability (a channel is on if either happens). The assemblies are disjoint
// sets of assembly_size channels, drawn at random from the seed before the bins (so that
// the same seed plants the same assemblies whatever the number of bins);
// unassigned_channels more channels belong to none and fire in the background only.
// Expected rates, with a = assembly_probability, m = member_probability, b =
// background_probability and f = 1 - (1 - m)(1 - b) (a member of an active assembly is on):
// a channel of an assembly fires with probability a f + (1 - a) b, two channels of the same
// assembly fire together with probability a f^2 + (1 - a) b^2, and two channels of different
// assemblies with the product of their rates. The defaults (0.1, 0.9, 0.02) give 0.082
// together within an assembly against 0.012 across.
inline constexpr std::size_t default_assembly_count = 4;
inline constexpr std::size_t default_assembly_size = 4;  // 4 x 4 = 16 channels
inline constexpr std::size_t default_unassigned_channels = 0;
inline constexpr double default_assembly_probability = 0.1;
inline constexpr double default_member_probability = 0.9;
inline constexpr double default_background_probability = 0.02;

struct AssembliesOptions {
  std::size_t assemblies = default_assembly_count;
  std::size_t assembly_size = default_assembly_size;
  std::size_t unassigned_channels = default_unassigned_channels;
  double assembly_probability = default_assembly_probability;
  double member_probability = default_member_probability;
  double background_probability = default_background_probability;

  std::size_t channels() const { return assemblies * assembly_size + unassigned_channels; }
};

struct PlantedAssemblies {
  Matrix patterns;  // bins x channels
  // The channels of each assembly, in increasing order: the truth that hidden units trained
  // on `patterns` should recover.
  std::vector<std::vector<std::size_t>> assemblies;
  Matrix active;  // bins x assemblies: 1 where the assembly was active in the bin
};

// Throws Error if a probability is outside [0, 1].
PlantedAssemblies assemblies(std::size_t bins, Rng& rng, const AssembliesOptions& options = {});

// assemblies() a step at a time, for a recording of any length in bounded memory: first the
// assemblies (each in increasing order; throws Error if a probability is outside [0, 1]),
// then one bin after another from the same generator, which draws the bin's active
// assemblies into `active` (options.assemblies entries) and its channels into `pattern`
// (options.channels() entries), each 0.0 or 1.0.
std::vector<std::vector<std::size_t>> plant_assemblies(Rng& rng, const AssembliesOptions& options = {});
void assemblies_bin(Rng& rng, const std::vector<std::vector<std::size_t>>& planted, const AssembliesOptions& options,
                    double* pattern, double* active);

}  // namespace helmholtz::datasets
