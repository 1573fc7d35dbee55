#include "framework/engines/recognition.hpp"

#include <xtensor/xnoalias.hpp>

namespace helmholtz {

RecognitionSampler::RecognitionSampler(const Network& network)
    : network_(network), observed_(network.observed_nodes()), parents_(network.nodes.size()),
      probabilities_(network.nodes.size()), workspace_(network.nodes.size()) {}

const NodeStates& RecognitionSampler::sample(const Matrix& data, Rng& rng, Vector& log_q) {
  return run(data, rng, &log_q);
}

const NodeStates& RecognitionSampler::sample(const Matrix& data, Rng& rng) { return run(data, rng, nullptr); }

const NodeStates& RecognitionSampler::run(const Matrix& data, Rng& rng, Vector* log_q) {
  const std::size_t patterns = data.shape(0);
  ensure_states(network_, patterns, states_);
  scatter_nodes(data, observed_, states_);
  if (log_q) {
    ensure_shape(*log_q, patterns);
    log_q->fill(0.0);
  }
  for (std::size_t node : network_.recognition.order) {
    const Conditional& conditional = network_.recognition.conditionals[node];
    if (!conditional.distribution) continue;  // observed: clamped to the data
    gather_parents(conditional, states_, patterns, parents_[node]);
    conditional.distribution->probabilities(parents_[node], probabilities_[node]);
    sample_bernoulli(probabilities_[node], states_[node], rng);
    if (!log_q) continue;
    conditional.distribution->log_probability(parents_[node], states_[node], node_log_q_, workspace_[node]);
    xt::noalias(*log_q) += node_log_q_;  // noalias: no temporary
  }
  return states_;
}

const Vector& DirectionLogProbability::operator()(const NodeStates& states) {
  const std::size_t patterns = states.empty() ? 0 : states.front().shape(0);
  ensure_shape(out_, patterns);
  out_.fill(0.0);
  for (std::size_t node : model_.order) {
    const Conditional& conditional = model_.conditionals[node];
    if (!conditional.distribution) continue;
    gather_parents(conditional, states, patterns, parents_[node]);
    conditional.distribution->log_probability(parents_[node], states[node], node_log_p_, workspace_[node]);
    xt::noalias(out_) += node_log_p_;
  }
  return out_;
}

}  // namespace helmholtz
