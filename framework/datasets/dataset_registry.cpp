#include "framework/datasets/dataset.hpp"

#include "framework/error.hpp"

namespace helmholtz {

namespace datasets {
#define HELMHOLTZ_DATASET(function) DatasetGenerator function();
#include "framework/datasets/datasets.def"
#undef HELMHOLTZ_DATASET
}  // namespace datasets

GeneratedData DatasetGenerator::generate(std::size_t patterns, Rng& rng,
                                        const std::map<std::string, double>& values) const {
  PatternStream stream = start(rng, values);
  GeneratedData out;
  out.patterns = Matrix::from_shape({patterns, stream.units});
  if (labelled) out.labels.resize(patterns);
  for (std::size_t n = 0; n < patterns; ++n) {
    const int label = stream.next(rng, out.patterns.data() + n * stream.units);
    if (labelled) out.labels[n] = label;
  }
  out.description = std::move(stream.description);
  out.labels_description = std::move(stream.labels_description);
  out.planted = std::move(stream.planted);
  out.planted_description = std::move(stream.planted_description);
  return out;
}

void DatasetRegistry::add(DatasetGenerator generator) {
  const std::string name = generator.name;
  if (!generators_.emplace(name, std::move(generator)).second)
    throw Error("a data-set generator named '" + name + "' is already registered");
}

std::vector<std::string> DatasetRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, generator] : generators_) out.push_back(name);
  return out;
}

const DatasetGenerator& DatasetRegistry::get(const std::string& name) const {
  const auto found = generators_.find(name);
  if (found == generators_.end()) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown generator '" + name + "' (available: " + known + ")");
  }
  return found->second;
}

const DatasetRegistry& builtin_datasets() {
  static const DatasetRegistry registry = [] {
    DatasetRegistry r;
#define HELMHOLTZ_DATASET(function) r.add(datasets::function());
#include "framework/datasets/datasets.def"
#undef HELMHOLTZ_DATASET
    return r;
  }();
  return registry;
}

}  // namespace helmholtz
