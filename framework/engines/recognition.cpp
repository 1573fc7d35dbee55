#include "framework/engines/recognition.hpp"

#include <xtensor/xnoalias.hpp>

namespace helmholtz {

template <class T>
BasicRecognitionSampler<T>::BasicRecognitionSampler(const Network& network)
    : network_(network), observed_(network.observed_nodes()), parents_(network.nodes.size()),
      probabilities_(network.nodes.size()), workspace_(network.nodes.size()) {}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::sample(const MatrixT& data, Rng& rng, VectorT& log_q) {
  return run(data, rng, &log_q);
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::sample(const MatrixT& data, Rng& rng) {
  return run(data, rng, nullptr);
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::run(const MatrixT& data, Rng& rng, VectorT* log_q) {
  const std::size_t patterns = data.shape(0);
  ensure_states(network_, patterns, states_);
  scatter_nodes(data, observed_, states_);
  if (log_q) {
    ensure_shape(*log_q, patterns);
    log_q->fill(T(0));
  }
  for (std::size_t node : network_.recognition.order) {
    const Conditional& conditional = network_.recognition.conditionals[node];
    if (!conditional.distribution) continue;  // observed: clamped to the data
    gather_parents(conditional, states_, patterns, parents_[node]);
    precision::probabilities(*conditional.distribution, parents_[node], probabilities_[node], workspace_[node]);
    sample_bernoulli(probabilities_[node], states_[node], rng);
    if (!log_q) continue;
    precision::log_probability(*conditional.distribution, parents_[node], states_[node], node_log_q_,
                               workspace_[node]);
    xt::noalias(*log_q) += node_log_q_;  // noalias: no temporary
  }
  return states_;
}

template <class T>
const typename BasicDirectionLogProbability<T>::VectorT& BasicDirectionLogProbability<T>::operator()(
    const BasicNodeStates<T>& states) {
  const std::size_t patterns = states.empty() ? 0 : states.front().shape(0);
  ensure_shape(out_, patterns);
  out_.fill(T(0));
  for (std::size_t node : model_.order) {
    const Conditional& conditional = model_.conditionals[node];
    if (!conditional.distribution) continue;
    gather_parents(conditional, states, patterns, parents_[node]);
    precision::log_probability(*conditional.distribution, parents_[node], states[node], node_log_p_,
                               workspace_[node]);
    xt::noalias(out_) += node_log_p_;
  }
  return out_;
}

template class BasicRecognitionSampler<double>;
template class BasicRecognitionSampler<float>;
template class BasicDirectionLogProbability<double>;
template class BasicDirectionLogProbability<float>;

}  // namespace helmholtz
