#include "framework/engines/ancestral_sampling.hpp"

#include <algorithm>

namespace helmholtz {

template <class T>
const BasicNodeStates<T>& BasicAncestralSampler<T>::sample(std::size_t patterns, Rng& rng, RowShare rows) {
  ensure_states(network_, patterns, states_);
  for (std::size_t node : network_.generative.order) {
    const Conditional& conditional = network_.generative.conditionals[node];
    const auto& parents = parent_states(conditional, states_, patterns, parents_[node]);
    precision::probabilities(*conditional.distribution, parents, probabilities_[node], workspace_[node]);
    sample_bernoulli(probabilities_[node], states_[node], rng, rows);
  }
  return states_;
}

template class BasicAncestralSampler<double>;
template class BasicAncestralSampler<float>;

Matrix sample_visible(const Network& network, std::size_t patterns, Rng& rng) {
  AncestralSampler sampler(network);
  Matrix out;
  gather_nodes(network.observed_nodes(), sampler.sample(patterns, rng), out);
  return out;
}

std::size_t sampling_batch_patterns(const Network& network) {
  constexpr std::size_t batch_patterns = 1024;
  constexpr std::size_t batch_values = std::size_t{1} << 22;
  std::size_t units = 0;
  for (const Node& node : network.nodes) units += node.size;
  return std::clamp<std::size_t>(batch_values / std::max<std::size_t>(units, 1), 1, batch_patterns);
}

}  // namespace helmholtz
