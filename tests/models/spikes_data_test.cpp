// The spike-assemblies example shipped under models/ (docs/results.md, Spike recordings): the data are the
// generator's bins for seed 1, the assemblies file lists the assemblies it planted, and the
// trained network's generative weights pick out every one of them. Facts checked against
// independent sources: the patterns and assemblies against the C++ generator run here, the
// recovery against the planted truth; the trained noisy-or weights against the generator's
// parameters (a member of an active assembly fires with probability 0.9, a channel on its own
// with 0.02), which training never saw.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "framework/datasets/spikes.hpp"
#include "framework/engines/assembly_recovery.hpp"
#include "framework/io/assemblies_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

using namespace helmholtz;

namespace {

const std::string models = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/";

datasets::PlantedAssemblies generated() {
  Rng rng = make_rng(1);
  return datasets::assemblies(5000, rng);  // helmholtz data assemblies -n 5000 --seed 1
}

}  // namespace

TEST_CASE("the shipped recording is data assemblies -n 5000 --seed 1, and its assemblies file the planted ones") {
  const datasets::PlantedAssemblies planted = generated();
  const Matrix data = read_data(models + "data/spikes-assemblies.data", 16);
  REQUIRE(data.shape(0) == 5000);
  CHECK(data == planted.patterns);
  const AssembliesFile file = read_assemblies(models + "data/spikes-assemblies.assemblies", 16);
  CHECK(file.assemblies == planted.assemblies);
}

TEST_CASE("models/spikes.yaml: 6 hidden units above 16 noisy-or channels") {
  const Network network = read_model(models + "spikes.yaml");
  REQUIRE(network.nodes.size() == 2);
  CHECK(network.nodes[network.index_of("assemblies")].size == 6);
  const std::size_t channels = network.index_of("channels");
  CHECK(network.nodes[channels].size == 16);
  CHECK(network.nodes[channels].observed);
  CHECK(network.generative.conditionals[channels].distribution->kind() == "noisy-or");
}

TEST_CASE("models/trained/spikes.yaml: each planted assembly is exactly one unit's four strongest channels") {
  const Network network = read_model(models + "trained/spikes.yaml");
  const datasets::PlantedAssemblies planted = generated();
  const Matrix w = generative_weights(network, network.index_of("assemblies"), network.index_of("channels"));
  const AssemblyRecovery r = recover_assemblies(w, planted.assemblies);
  CHECK(r.recovered == 4);
  CHECK(r.mean_jaccard == 1.0);
  std::set<std::size_t> units;
  for (const AssemblyMatch& m : r.matches) units.insert(m.unit);
  CHECK(units.size() == 4);  // four different units
  // The weights themselves: near the member probability 0.9 to an assembly's channels, near 0
  // to the others; the leak of every channel near the background probability 0.02.
  for (std::size_t a = 0; a < 4; ++a) {
    const std::size_t unit = r.matches[a].unit;
    const std::set<std::size_t> members(planted.assemblies[a].begin(), planted.assemblies[a].end());
    for (std::size_t c = 0; c < 16; ++c) {
      CAPTURE(a);
      CAPTURE(c);
      if (members.count(c)) CHECK(w(unit, c) > 0.8);
      else CHECK(w(unit, c) < 0.1);
    }
  }
  const Distribution& channels = *network.generative.conditionals[network.index_of("channels")].distribution;
  const ParameterBlock* leak = channels.block("bias");
  REQUIRE(leak != nullptr);
  for (std::size_t c = 0; c < 16; ++c) CHECK(channels.parameters()[leak->offset + c] == doctest::Approx(0.02).epsilon(0.5));
}
