#pragma once
// Ancestral sampling from the generative model: every node in topological order, each
// drawn from its distribution given the states already drawn for its parents, for a whole
// batch of patterns at once. Fantasies for the sleep phase come from here.
#include "framework/engines/node_states.hpp"

namespace helmholtz {

class AncestralSampler {
 public:
  explicit AncestralSampler(const Network& network)
      : network_(network), parents_(network.nodes.size()), probabilities_(network.nodes.size()) {}

  // Draws `patterns` samples of every node. The result stays valid until the next call;
  // buffers are reused, so calls with the same batch size allocate nothing.
  const NodeStates& sample(std::size_t patterns, Rng& rng);

 private:
  const Network& network_;
  NodeStates states_;
  std::vector<Matrix> parents_, probabilities_;  // per node, so that steps reuse them
};

// Convenience: `patterns` samples of the observed nodes, side by side in declaration order.
Matrix sample_visible(const Network& network, std::size_t patterns, Rng& rng);

}  // namespace helmholtz
