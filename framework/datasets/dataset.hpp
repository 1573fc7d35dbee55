#pragma once
// Data-set generators by name, like the plugins and the algorithms: `helmholtz data NAME`
// finds a generator here, offers the options it declares, and writes what it makes. Adding a
// generator is one file in this folder that defines its registration function, plus one line
// in datasets.def.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace helmholtz {

// A number a generator takes from the command line (--NAME VALUE), with its range.
struct DatasetParameter {
  std::string name;        // the option without dashes: "on-probability"
  std::string value_name;  // "P"
  std::string help;
  double default_value = 0;
  double lower = 0, upper = 1;
  bool whole_number = false;
};

// What a generator draws before its patterns (the planted groups, say), and then its patterns
// one at a time: any number of them can be written in bounded memory. The k-th call of `next`
// gives the k-th pattern whatever the number asked for, so a shorter run is a prefix of a
// longer one with the same seed.
struct PatternStream {
  std::size_t units = 0;    // entries of each pattern
  std::string description;  // the comment line written above the patterns (without '#')
  // What the labels mean, for a generator with labels (e.g. the shift direction), written by
  // --labels FILE above a label per pattern.
  std::string labels_description;
  // Groups of units the generator planted (the channels of each cell assembly), written by
  // --planted FILE when present, a group per line (framework/io/assemblies_file.hpp): the
  // truth that a network trained on the patterns should recover.
  std::vector<std::vector<std::size_t>> planted;
  std::string planted_description;
  // Draws the next pattern into `pattern` (`units` entries, each 0.0 or 1.0) and returns its
  // label (0 for a generator without labels).
  std::function<int(Rng& rng, double* pattern)> next;
};

// A stream's first patterns, all in memory.
struct GeneratedData {
  Matrix patterns;
  std::string description;
  std::vector<int> labels;  // a label per pattern, for a generator with labels
  std::string labels_description;
  std::vector<std::vector<std::size_t>> planted;
  std::string planted_description;
};

// A data set's exact distribution: each pattern its generator can make, once, with its
// probability (the probabilities sum to 1).
struct DataDistribution {
  Matrix patterns;
  Vector probabilities;
};

struct DatasetGenerator {
  std::string name;
  std::string summary;      // one line
  std::string description;  // a paragraph for --help
  std::vector<DatasetParameter> parameters;
  bool labelled = false;       // whether it gives labels
  bool plants_groups = false;  // whether it gives planted groups of units
  // Draws what comes before the patterns from `rng` and returns the stream of patterns, which
  // draws from the same generator. values: every parameter by name (the default where the
  // command line is silent).
  std::function<PatternStream(Rng& rng, const std::map<std::string, double>& values)> start;
  // The exact distribution of the patterns, for a generator that can list it (empty
  // otherwise); it may throw Error when the parameters make the list too long.
  std::function<DataDistribution(const std::map<std::string, double>& values)> distribution;

  // The first `patterns` patterns of start's stream, in memory (8 bytes an entry): for tests
  // and small data sets; `helmholtz data` writes the stream as it goes instead.
  GeneratedData generate(std::size_t patterns, Rng& rng, const std::map<std::string, double>& values) const;
};

class DatasetRegistry {
 public:
  void add(DatasetGenerator generator);
  bool contains(const std::string& name) const { return generators_.count(name) != 0; }
  std::vector<std::string> names() const;
  // Throws Error naming the known generators if there is none of that name.
  const DatasetGenerator& get(const std::string& name) const;

 private:
  std::map<std::string, DatasetGenerator> generators_;
};

// The generators listed in datasets.def.
const DatasetRegistry& builtin_datasets();

}  // namespace helmholtz
