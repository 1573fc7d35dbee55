#include "framework/engines/training/direction_learner.hpp"

namespace helmholtz {

DirectionLearner::DirectionLearner(DirectedModel& model, const TrainingOptions& options, double rate)
    : model_(model), coordinates_(model, options.natural_coordinates),
      rule_(make_step_rule(options, model.parameters.size())), rate_(rate), weight_decay_(options.weight_decay),
      gradient_(Vector::from_shape({model.parameters.size()})),
      learning_gradient_(Vector::from_shape({model.parameters.size()})) {
  gradient_.fill(0.0);
}

void DirectionLearner::accumulate_log_probability_gradient(const NodeStates& states, const Vector& weights,
                                                           GradientScratch<double>* scratch) {
  GradientScratch<double>& use = scratch ? *scratch : scratch_;
  use.parents.resize(model_.conditionals.size());
  use.workspace.resize(model_.conditionals.size());
  const std::size_t patterns = weights.size();
  for (std::size_t node : model_.order) {
    const Conditional& conditional = model_.conditionals[node];
    if (!conditional.distribution) continue;
    gather_parents(conditional, states, patterns, use.parents[node]);
    conditional.distribution->accumulate_gradient(use.parents[node], states[node], weights, node_gradient(node),
                                                  use.workspace[node]);
  }
}

void DirectionLearner::accumulate_log_probability_gradient(const NodeStatesF& states, const VectorF& weights,
                                                           GradientScratch<float>* scratch) {
  GradientScratch<float>& use = scratch ? *scratch : single_scratch_;
  use.parents.resize(model_.conditionals.size());
  use.workspace.resize(model_.conditionals.size());
  ensure_shape(use.single_gradient, gradient_.size());
  use.single_gradient.fill(0.0f);
  const std::size_t patterns = weights.size();
  for (std::size_t node : model_.order) {
    const Conditional& conditional = model_.conditionals[node];
    if (!conditional.distribution) continue;
    gather_parents(conditional, states, patterns, use.parents[node]);
    const std::span<float> node_gradient(use.single_gradient.data() + model_.offsets[node],
                                         conditional.distribution->parameter_count());
    conditional.distribution->accumulate_gradient_single(use.parents[node], states[node], weights, node_gradient,
                                                         use.workspace[node]);
  }
  double* g = gradient_.data();
  const float* f = use.single_gradient.data();
  for (std::size_t i = 0, n = gradient_.size(); i < n; ++i) g[i] += f[i];
}

void DirectionLearner::step(double rate_factor) {
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
  coordinates_.displacement_to_learning(natural_displacement, learning_gradient_);
  rule_->step(coordinates_.values(), learning_gradient_, rate_ * rate_factor);
  coordinates_.store();
}

}  // namespace helmholtz
