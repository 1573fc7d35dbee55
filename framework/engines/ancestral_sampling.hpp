#pragma once
// Ancestral sampling from the generative model: every node in topological order, each
// drawn from its distribution given the states already drawn for its parents, for a whole
// batch of patterns at once. Fantasies for the sleep phase come from here.
#include "framework/engines/node_states.hpp"
#include "framework/engines/precision.hpp"

namespace helmholtz {

template <class T>
class BasicAncestralSampler {
 public:
  explicit BasicAncestralSampler(const Network& network)
      : network_(network), parents_(network.nodes.size()), probabilities_(network.nodes.size()),
        workspace_(network.nodes.size()) {}

  // Draws `patterns` samples of every node. The result stays valid until the next call;
  // buffers are reused, so calls with the same batch size allocate nothing. With `rows`, the
  // samples are that part of a larger batch: each gets the draws it gets in the whole batch
  // (row_share.hpp).
  const BasicNodeStates<T>& sample(std::size_t patterns, Rng& rng, RowShare rows = {});

 private:
  const Network& network_;
  BasicNodeStates<T> states_;
  std::vector<Tensor<T, 2>> parents_, probabilities_;  // per node, so that steps reuse them
  std::vector<precision::Workspace<T>> workspace_;
};

using AncestralSampler = BasicAncestralSampler<double>;
using AncestralSamplerF = BasicAncestralSampler<float>;  // needs single precision enabled

// Convenience: `patterns` samples of the observed nodes, side by side in declaration order.
Matrix sample_visible(const Network& network, std::size_t patterns, Rng& rng);

// How many patterns `helmholtz sample` (and Python's sample) draw at a time: 1024, or fewer for a
// network so wide that a batch would pass 2^22 units (each held a few times over, as doubles:
// some 160 MB). Fixed for a given network, since the draws of a seed depend on the batches.
std::size_t sampling_batch_patterns(const Network& network);

}  // namespace helmholtz
