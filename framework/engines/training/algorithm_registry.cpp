// The algorithm registry, and the built-in algorithms listed in algorithms.def.
#include "framework/engines/training/algorithm.hpp"

namespace helmholtz {

namespace algorithms {
#define HELMHOLTZ_ALGORITHM(name, factory, summary) \
  std::unique_ptr<TrainingAlgorithm> factory(Network& network, const TrainingOptions& options);
#include "framework/engines/training/algorithms.def"
#undef HELMHOLTZ_ALGORITHM
}  // namespace algorithms

void AlgorithmRegistry::add(AlgorithmInfo info) {
  const std::string name = info.name;
  if (!algorithms_.emplace(name, std::move(info)).second)
    throw Error("an algorithm named '" + name + "' is already registered");
}

std::vector<std::string> AlgorithmRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : algorithms_) out.push_back(name);
  return out;
}

const AlgorithmInfo& AlgorithmRegistry::info(const std::string& name) const {
  const auto found = algorithms_.find(name);
  if (found == algorithms_.end()) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown algorithm '" + name + "' (available: " + known + ")");
  }
  return found->second;
}

std::unique_ptr<TrainingAlgorithm> AlgorithmRegistry::create(const std::string& name, Network& network,
                                                             const TrainingOptions& options) const {
  return info(name).factory(network, options);
}

const AlgorithmRegistry& builtin_algorithms() {
  static const AlgorithmRegistry registry = [] {
    AlgorithmRegistry r;
#define HELMHOLTZ_ALGORITHM(name, factory, summary) r.add({name, summary, algorithms::factory});
#include "framework/engines/training/algorithms.def"
#undef HELMHOLTZ_ALGORITHM
    return r;
  }();
  return registry;
}

}  // namespace helmholtz

namespace helmholtz {

void TrainingAlgorithm::train_batch(const MatrixF& /*batch*/, Rng& /*rng*/, Learners& /*learners*/,
                                    double /*rate_factor*/) {
  throw Error("this algorithm trains in double precision only (--precision float64)");
}

}  // namespace helmholtz
