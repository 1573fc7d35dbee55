#include "framework/engines/assembly_recovery.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "framework/error.hpp"

namespace helmholtz {
namespace {

const char* const weights_block = "weights";

std::string node_label(const Network& network, std::size_t node) {
  return node < network.nodes.size() ? "'" + network.nodes[node].name + "'" : "number " + std::to_string(node);
}

}  // namespace

Matrix generative_weights(const Network& network, std::size_t hidden, std::size_t observed) {
  if (hidden >= network.nodes.size() || network.nodes[hidden].observed)
    throw Error("node " + node_label(network, hidden) + " is not a hidden node of '" + network.name + "'");
  if (observed >= network.nodes.size() || !network.nodes[observed].observed)
    throw Error("node " + node_label(network, observed) + " is not an observed node of '" + network.name + "'");
  const Conditional& conditional = network.generative.conditionals[observed];
  const auto& parents = conditional.parents;
  const auto parent = std::find(parents.begin(), parents.end(), hidden);
  if (!conditional.distribution || parent == parents.end())
    throw Error("node '" + network.nodes[hidden].name + "' is not a generative parent of '" +
                network.nodes[observed].name + "'");
  const Distribution& distribution = *conditional.distribution;
  const std::string field = "generative." + network.nodes[observed].name + " (" + std::string(distribution.kind()) + ")";
  const ParameterBlock* block = distribution.block(weights_block);
  if (!block || block->layout != BlockLayout::per_unit_and_parent)
    throw Error(field + ": no block named '" + weights_block +
                "' (a weight per unit and parent unit) to read the hidden units' channels from");
  // The block has a row per unit of the node and the parents' columns side by side.
  std::size_t first_column = 0;
  for (auto p = parents.begin(); p != parent; ++p) first_column += network.nodes[*p].size;
  const std::size_t channels = network.nodes[observed].size, units = network.nodes[hidden].size;
  const std::size_t columns = block->size / channels;
  const auto theta = distribution.parameters();
  Matrix out = Matrix::from_shape({units, channels});
  for (std::size_t h = 0; h < units; ++h)
    for (std::size_t c = 0; c < channels; ++c) out(h, c) = theta[block->offset + c * columns + first_column + h];
  return out;
}

std::vector<std::size_t> top_channels(const Matrix& weights, std::size_t unit, std::size_t m) {
  std::vector<std::size_t> order(weights.shape(1));
  std::iota(order.begin(), order.end(), 0);
  // Stable: of equal weights, the lower channel comes first.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return weights(unit, a) > weights(unit, b); });
  order.resize(std::min(m, order.size()));
  std::sort(order.begin(), order.end());
  return order;
}

double jaccard(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
  std::size_t common = 0;
  for (std::size_t x : a) common += std::find(b.begin(), b.end(), x) != b.end();
  const std::size_t either = a.size() + b.size() - common;
  return either == 0 ? 1.0 : static_cast<double>(common) / static_cast<double>(either);
}

AssemblyRecovery recover_assemblies(const Matrix& weights, const std::vector<std::vector<std::size_t>>& assemblies) {
  const std::size_t units = weights.shape(0), channels = weights.shape(1);
  if (assemblies.empty()) throw Error("recover_assemblies: no assemblies to recover");
  if (units == 0) throw Error("recover_assemblies: no hidden units to recover them with");
  AssemblyRecovery out;
  for (std::size_t a = 0; a < assemblies.size(); ++a) {
    const std::vector<std::size_t>& assembly = assemblies[a];
    const std::string which = "recover_assemblies: assembly " + std::to_string(a);
    if (assembly.empty()) throw Error(which + " is empty");
    for (std::size_t i = 0; i < assembly.size(); ++i) {
      if (assembly[i] >= channels)
        throw Error(which + ": channel " + std::to_string(assembly[i]) + " is out of range: there are " +
                    std::to_string(channels) + " channels");
      if (std::find(assembly.begin(), assembly.begin() + static_cast<std::ptrdiff_t>(i), assembly[i]) !=
          assembly.begin() + static_cast<std::ptrdiff_t>(i))
        throw Error(which + ": channel " + std::to_string(assembly[i]) + " is listed twice");
    }
    AssemblyMatch best;
    best.jaccard = -1;
    for (std::size_t h = 0; h < units; ++h) {
      std::vector<std::size_t> top = top_channels(weights, h, assembly.size());
      const double j = jaccard(assembly, top);
      if (j > best.jaccard) best = {h, std::move(top), j};
    }
    out.recovered += best.jaccard == 1.0;
    out.mean_jaccard += best.jaccard;
    out.matches.push_back(std::move(best));
  }
  out.mean_jaccard /= static_cast<double>(assemblies.size());
  return out;
}

}  // namespace helmholtz
