#include "framework/engines/recognition.hpp"

#include <algorithm>
#include <xtensor/xnoalias.hpp>

#include "framework/engines/cues.hpp"
#include "framework/error.hpp"

namespace helmholtz {

template <class T>
BasicRecognitionSampler<T>::BasicRecognitionSampler(const Network& network)
    : network_(network), observed_(network.observed_nodes()), parents_(network.nodes.size()),
      probabilities_(network.nodes.size()), cues_(network.nodes.size()), workspace_(network.nodes.size()),
      observed_parents_(network.nodes.size(), false), pattern_parents_(network.nodes.size()),
      pattern_probabilities_(network.nodes.size()), pattern_log_on_(network.nodes.size()),
      pattern_log_off_(network.nodes.size()) {
  for (std::size_t node = 0; node < network.nodes.size(); ++node) {
    const auto& parents = network.recognition.conditionals[node].parents;
    observed_parents_[node] = std::all_of(parents.begin(), parents.end(),
                                          [&](std::size_t p) { return network.nodes[p].observed; });
  }
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::sample(const MatrixT& data, Rng& rng, VectorT& log_q) {
  return run(data, rng, &log_q, 1);
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::sample(const MatrixT& data, Rng& rng, RowShare rows) {
  return run(data, rng, nullptr, 1, false, 0.0, rows);
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::sample_with_cues(const MatrixT& data, Rng& rng,
                                                                       double cue_weight, RowShare rows) {
  return run(data, rng, nullptr, 1, false, cue_weight, rows);
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::sample(const MatrixT& data, Rng& rng, VectorT& log_q,
                                                             std::size_t replicas, RowShare rows) {
  return run(data, rng, &log_q, replicas, false, 0.0, rows);
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::sample_repeatedly(const MatrixT& data, Rng& rng,
                                                                        VectorT& log_q) {
  return run(data, rng, &log_q, 1, true);
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::resample(Rng& rng, VectorT& log_q) {
  if (!kept_) throw Error("internal: resample() without sample_repeatedly() first");
  ensure_shape(log_q, patterns_);
  log_q.fill(T(0));
  for (std::size_t node : network_.recognition.order) {
    if (!network_.recognition.conditionals[node].distribution) continue;
    if (!observed_parents_[node]) {
      draw(node, patterns_, rng, &log_q, false);
      continue;
    }
    sample_bernoulli(probabilities_[node], states_[node], rng);  // the kept probabilities
    add_log_q_from_firing(node, 1, log_q);
  }
  return states_;
}

template <class T>
void BasicRecognitionSampler<T>::draw(std::size_t node, std::size_t patterns, Rng& rng, VectorT* log_q, bool keep,
                                      RowShare rows) {
  const Conditional& conditional = network_.recognition.conditionals[node];
  const Distribution& d = *conditional.distribution;
  const auto& parents = parent_states(conditional, states_, patterns, parents_[node]);
  precision::probabilities(d, parents, probabilities_[node], workspace_[node]);
  sample_bernoulli(probabilities_[node], states_[node], rng, rows);
  if (keep) {
    precision::log_firing_probabilities(d, parents, pattern_log_on_[node], pattern_log_off_[node], workspace_[node]);
    if (log_q) add_log_q_from_firing(node, 1, *log_q);
    return;
  }
  if (!log_q) return;
  precision::log_probability(d, parents, states_[node], node_log_q_, workspace_[node]);
  xt::noalias(*log_q) += node_log_q_;  // noalias: no temporary
}

template <class T>
void BasicRecognitionSampler<T>::add_log_q_from_firing(std::size_t node, std::size_t rows_per_pattern,
                                                       VectorT& log_q) const {
  const std::size_t units = network_.nodes[node].size, rows = states_[node].shape(0);
  const T* s = states_[node].data();
  for (std::size_t r = 0; r < rows; ++r) {
    const T* on = pattern_log_on_[node].data() + (r / rows_per_pattern) * units;
    const T* off = pattern_log_off_[node].data() + (r / rows_per_pattern) * units;
    double sum = 0.0;
    for (std::size_t j = 0; j < units; ++j) sum += s[r * units + j] != T(0) ? on[j] : off[j];
    log_q(r) += static_cast<T>(sum);
  }
}

template <class T>
const BasicNodeStates<T>& BasicRecognitionSampler<T>::run(const MatrixT& data, Rng& rng, VectorT* log_q,
                                                          std::size_t replicas, bool repeatedly,
                                                          double cue_weight, RowShare rows) {
  const std::size_t patterns = data.shape(0) * replicas;
  const RowShare sample_rows = rows.times(replicas);  // the share in rows of states, K per pattern
  patterns_ = patterns;
  kept_ = repeatedly;
  ensure_states(network_, patterns, states_);
  if (replicas == 1) {
    scatter_nodes(data, observed_, states_);
  } else {  // row n K + k of each observed node is pattern n
    std::size_t column = 0;
    for (std::size_t node : observed_) {
      auto& s = states_[node];
      const std::size_t width = s.shape(1);
      for (std::size_t n = 0; n < data.shape(0); ++n) {
        const T* from = data.data() + n * data.shape(1) + column;
        for (std::size_t k = 0; k < replicas; ++k) std::copy(from, from + width, s.data() + (n * replicas + k) * width);
      }
      column += width;
    }
  }
  if (log_q) {
    ensure_shape(*log_q, patterns);
    log_q->fill(T(0));
  }
  for (std::size_t node : network_.recognition.order) {
    const Conditional& conditional = network_.recognition.conditionals[node];
    if (!conditional.distribution) continue;  // observed: clamped to the data
    if (replicas > 1 && observed_parents_[node]) {
      sample_replicated(node, data.shape(0), replicas, rng, log_q, rows);
      continue;
    }
    draw(node, patterns, rng, log_q, repeatedly && observed_parents_[node], sample_rows);
    if (cue_weight > 0.0 && network_.nodes[node].cue) {
      const Cue& cue = *network_.nodes[node].cue;
      cue_states(cue, states_[cue.of], cues_[node]);  // the observed node is clamped already
      mix_in_cue(cues_[node], cue_weight, states_[node], rng, sample_rows);
    }
  }
  return states_;
}

template <class T>
void BasicRecognitionSampler<T>::sample_replicated(std::size_t node, std::size_t patterns, std::size_t replicas,
                                                   Rng& rng, VectorT* log_q, RowShare rows) {
  const Conditional& conditional = network_.recognition.conditionals[node];
  const Distribution& d = *conditional.distribution;
  const std::size_t units = network_.nodes[node].size;
  // The parents of each pattern: row n K of the replicated states.
  gather_parents(conditional, states_, patterns * replicas, pattern_parents_[node], replicas);
  precision::probabilities(d, pattern_parents_[node], pattern_probabilities_[node], workspace_[node]);
  MatrixT& p = probabilities_[node];
  ensure_shape(p, patterns * replicas, units);
  for (std::size_t n = 0; n < patterns; ++n)
    for (std::size_t k = 0; k < replicas; ++k)
      std::copy(pattern_probabilities_[node].data() + n * units, pattern_probabilities_[node].data() + (n + 1) * units,
                p.data() + (n * replicas + k) * units);
  sample_bernoulli(p, states_[node], rng, rows.times(replicas));
  if (!log_q) return;
  precision::log_firing_probabilities(d, pattern_parents_[node], pattern_log_on_[node], pattern_log_off_[node], workspace_[node]);
  add_log_q_from_firing(node, replicas, *log_q);
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
    parent_view_[node] = &parent_states(conditional, states, patterns, parents_[node]);
    precision::log_probability(*conditional.distribution, *parent_view_[node], states[node], node_log_p_,
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
