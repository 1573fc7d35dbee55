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

struct GeneratedData {
  Matrix patterns;
  std::string description;  // the comment line written above the patterns (without '#')
  // A label per pattern (e.g. the shift direction), written by --labels FILE when present.
  std::vector<int> labels;
  std::string labels_description;
  // Groups of units the generator planted (the channels of each cell assembly), written by
  // --planted FILE when present, a group per line (framework/io/assemblies_file.hpp): the
  // truth that a network trained on the patterns should recover.
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
  // values: every parameter by name (the default where the command line is silent).
  std::function<GeneratedData(std::size_t patterns, Rng& rng, const std::map<std::string, double>& values)> generate;
  // The exact distribution of the patterns, for a generator that can list it (empty
  // otherwise); it may throw Error when the parameters make the list too long.
  std::function<DataDistribution(const std::map<std::string, double>& values)> distribution;
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
