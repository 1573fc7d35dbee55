#include "framework/engines/training/direction_learner.hpp"

#include <algorithm>

namespace helmholtz {

DirectionLearner::DirectionLearner(DirectedModel& model, const TrainingOptions& options, double rate,
                                   Communicator* ranks)
    : model_(model), ranks_(ranks), coordinates_(model, options.natural_coordinates),
      rule_(make_step_rule(options, model.parameters.size())), rate_(rate), weight_decay_(options.weight_decay),
      gradient_(Vector::from_shape({model.parameters.size()})),
      learning_gradient_(Vector::from_shape({model.parameters.size()})),
      fused_step_(rule_->plain_step() && coordinates_.plain() && weight_decay_ == 0.0),
      in_place_(!ranks && fused_step_ && std::all_of(model.conditionals.begin(), model.conditionals.end(), [](const Conditional& c) {
                  return !c.distribution || c.distribution->gradient_may_alias_parameters();
                })),
      in_place_weight_(Vector::from_shape({1})) {
  gradient_.fill(0.0);
}

namespace {

bool foldable(const Conditional& conditional, const Replicas& replicas) {
  if (replicas.count <= 1 || !replicas.observed || !conditional.distribution->gradient_affine_in_states()) return false;
  for (std::size_t parent : conditional.parents)
    if (!(*replicas.observed)[parent]) return false;
  return true;
}

// gradient(node) += the node's term, for every node of the model, in either precision.
template <class T, class NodeGradient>
void accumulate_nodes(const DirectedModel& model, const BasicNodeStates<T>& states, const Tensor<T, 1>& weights,
                      GradientScratch<T>& use, const Replicas& replicas, NodeGradient&& node_gradient,
                      BasicDirectionLogProbability<T>* computed = nullptr) {
  const std::size_t nodes = model.conditionals.size();
  use.parents.resize(nodes);
  use.workspace.resize(nodes);
  use.folded_parents.resize(nodes);
  use.folded_states.resize(nodes);
  use.folded_weights.resize(nodes);
  const std::size_t rows = weights.size();
  for (std::size_t node : model.order) {
    const Conditional& conditional = model.conditionals[node];
    if (!conditional.distribution) continue;
    const Distribution& d = *conditional.distribution;
    const bool fold = foldable(conditional, replicas) &&
                      std::all_of(weights.begin(), weights.end(), [](T w) { return w >= T(0); });
    if (computed && !fold) {  // the parents and the plugin's work of the log-probability just computed
      precision::accumulate_gradient_after_log_probability(d, computed->parents(node), states[node], weights,
                                                           node_gradient(node), computed->workspace(node));
      continue;
    }
    if (!fold) {
      precision::accumulate_gradient(d, parent_states(conditional, states, rows, use.parents[node]), states[node],
                                     weights, node_gradient(node), use.workspace[node]);
      continue;
    }
    const std::size_t k_count = replicas.count, patterns = rows / k_count, units = states[node].shape(1);
    auto& parents = use.folded_parents[node];
    auto& mean = use.folded_states[node];
    auto& total = use.folded_weights[node];
    gather_parents(conditional, states, rows, parents, k_count);  // the pattern's own, row n K
    ensure_shape(mean, patterns, units);
    ensure_shape(total, patterns);
    for (std::size_t n = 0; n < patterns; ++n) {
      T* m = mean.data() + n * units;
      std::fill(m, m + units, T(0));
      T sum = 0;
      for (std::size_t k = 0; k < k_count; ++k) {
        const T w = weights(n * k_count + k);
        if (w == T(0)) continue;
        sum += w;
        const T* s = states[node].data() + (n * k_count + k) * units;
        for (std::size_t j = 0; j < units; ++j) m[j] += w * s[j];
      }
      total(n) = sum;
      if (sum != T(0))
        for (std::size_t j = 0; j < units; ++j) m[j] /= sum;
    }
    precision::accumulate_gradient(d, parents, mean, total, node_gradient(node), use.workspace[node]);
  }
}

}  // namespace

void DirectionLearner::accumulate_log_probability_gradient(const NodeStates& states, const Vector& weights,
                                                           GradientScratch<double>* scratch, Replicas replicas) {
  accumulate_nodes(model_, states, weights, scratch ? *scratch : scratch_, replicas,
                   [this](std::size_t node) { return node_gradient(node); });
}

void DirectionLearner::accumulate_log_probability_gradient(const NodeStatesF& states, const VectorF& weights,
                                                           GradientScratch<float>* scratch, Replicas replicas) {
  accumulate_single(states, weights, scratch ? *scratch : single_scratch_, replicas, nullptr);
}

void DirectionLearner::accumulate_log_probability_gradient(const NodeStates& states, const Vector& weights,
                                                           DirectionLogProbability& computed, Replicas replicas) {
  accumulate_nodes(model_, states, weights, scratch_, replicas,
                   [this](std::size_t node) { return node_gradient(node); }, &computed);
}

void DirectionLearner::accumulate_log_probability_gradient(const NodeStatesF& states, const VectorF& weights,
                                                           DirectionLogProbabilityF& computed, Replicas replicas) {
  accumulate_single(states, weights, single_scratch_, replicas, &computed);
}

void DirectionLearner::accumulate_single(const NodeStatesF& states, const VectorF& weights,
                                         GradientScratch<float>& use, const Replicas& replicas,
                                         DirectionLogProbabilityF* computed) {
  const bool own = &use == &single_scratch_;
  if (own && single_pending_) add_pending_single();  // a second gradient before the step
  if (use.single_gradient.size() != gradient_.size()) {
    ensure_shape(use.single_gradient, gradient_.size());
    if (own) single_zero_ = false;
  }
  if (!(own && single_zero_)) use.single_gradient.fill(0.0f);
  if (own) single_zero_ = false;
  accumulate_nodes(
      model_, states, weights, use, replicas,
      [&](std::size_t node) {
        return std::span<float>(use.single_gradient.data() + model_.offsets[node],
                                model_.conditionals[node].distribution->parameter_count());
      },
      computed);
  if (own && fused_step_) {
    single_pending_ = true;  // step() adds it in its one pass
    return;
  }
  add_single(use.single_gradient);
}

void DirectionLearner::add_single(const VectorF& single_gradient) {
  gradient_zero_ = false;
  double* g = gradient_.data();
  const float* f = single_gradient.data();
  for (std::size_t i = 0, n = gradient_.size(); i < n; ++i) g[i] += f[i];
}

void DirectionLearner::add_pending_single() {
  add_single(single_scratch_.single_gradient);
  single_pending_ = false;
}

void DirectionLearner::ascend_log_probability(const NodeStates& states, const Vector& weights, double rate_factor) {
  if (!(in_place_ && weights.size() == 1)) {
    zero_gradient();
    accumulate_log_probability_gradient(states, weights);
    step(rate_factor);
    return;
  }
  // theta += rate w g for the one pattern, g through the plugins into theta itself. With
  // states of 0 and 1, each entry of w g is a product with 0 or 1 and rate w is the rate of
  // the separate step, so the sums are the very ones step() makes.
  in_place_weight_(0) = weights(0) * (rate_ * rate_factor);
  accumulate_nodes(model_, states, in_place_weight_, scratch_, {},
                   [this](std::size_t node) { return model_.slice(model_.parameters, node); });
  coordinates_.store();  // the finite check and the plugins' refresh; nothing to copy
}

void DirectionLearner::ascend_log_probability(const NodeStatesF& states, const VectorF& weights, double rate_factor) {
  zero_gradient();  // float32 keeps its float gradient and the fused step
  accumulate_log_probability_gradient(states, weights);
  step(rate_factor);
}

void DirectionLearner::sum_gradient(std::span<double> also) {
  if (!ranks_) return;
  if (single_pending_) add_pending_single();  // the float gradient joins the double one first
  gradient_zero_ = false;
  const std::span<double> gradient(gradient_.data(), gradient_.size());
  if (also.empty()) {
    ranks_->sum(gradient);
    return;
  }
  summed_.resize(gradient.size() + also.size());  // the same size at every step: allocated once
  std::copy(gradient.begin(), gradient.end(), summed_.begin());
  std::copy(also.begin(), also.end(), summed_.begin() + static_cast<std::ptrdiff_t>(gradient.size()));
  ranks_->sum(summed_);
  std::copy(summed_.begin(), summed_.begin() + static_cast<std::ptrdiff_t>(gradient.size()), gradient.begin());
  std::copy(summed_.begin() + static_cast<std::ptrdiff_t>(gradient.size()), summed_.end(), also.begin());
}

void DirectionLearner::step(double rate_factor) {
  sum_gradient();
  if (fused_step_) {
    coordinates_.step_and_store(gradient_, single_pending_ ? &single_scratch_.single_gradient : nullptr,
                                rate_ * rate_factor);
    gradient_zero_ = true;
    if (single_pending_) single_zero_ = true;
    single_pending_ = false;
    return;
  }
  if (single_pending_) add_pending_single();
  coordinates_.add_weight_decay(weight_decay_, &gradient_);
  if (coordinates_.plain()) {  // the common all-sigmoid case: no copy
    rule_->step(coordinates_.values(), gradient_, rate_ * rate_factor);
  } else {
    coordinates_.gradient_to_learning(gradient_, learning_gradient_);
    rule_->step(coordinates_.values(), learning_gradient_, rate_ * rate_factor);
  }
  coordinates_.store();
}

void DirectionLearner::step_along(const Vector& natural_displacement, double rate_factor) {
  coordinates_.displacement_to_learning(natural_displacement, learning_gradient_, rate_ * rate_factor);
  rule_->step(coordinates_.values(), learning_gradient_, rate_ * rate_factor);
  coordinates_.store();
}

}  // namespace helmholtz
