#pragma once
// One direction of the network (generative or recognition) as training sees it: a gradient
// buffer laid out like the direction's flat parameter vector, the learning coordinates, and
// the step rule with its base rate. An algorithm fills gradient() (natural coordinates,
// through the plugins) and calls step(); the learner does the rest: weight decay, the
// change to learning coordinates, fixed blocks, the rule's step, ranges, and refreshing the
// plugins. It allocates nothing per step.
//
// In a data-parallel run the learner is given the job's communicator: each rank fills the
// gradient of its part of the minibatch (minibatch_share.hpp), and step() sums the gradients
// over the ranks before anything else (weight decay is added once, after the sum), so that
// every rank takes the same step from the same parameters.
#include <memory>
#include <span>

#include "framework/engines/node_states.hpp"
#include "framework/distributed/communicator.hpp"
#include "framework/engines/precision.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/learning_coordinates.hpp"
#include "framework/engines/training/minibatch_share.hpp"
#include "framework/engines/training/optimisers/step_rule.hpp"
#include "framework/engines/training/training_options.hpp"

namespace helmholtz {

// Buffers for accumulating a gradient through the plugins, per node, reused between calls.
template <class T>
struct GradientScratch {
  std::vector<Tensor<T, 2>> parents;
  std::vector<precision::Workspace<T>> workspace;
  VectorF single_gradient;  // single precision: the gradient in float, added to the learner's
  // Replicated rows folded into one per pattern (Replicas): parents, mean states, weights.
  std::vector<Tensor<T, 2>> folded_parents, folded_states;
  std::vector<Tensor<T, 1>> folded_weights;
};

// States whose rows come K at a time from one pattern (rws's K samples per pattern: row
// n K + k is sample k of pattern n), with `observed` saying which nodes hold the pattern
// itself, the same in the K rows. A node whose parents are all observed and whose plugin's
// gradient is affine in the states (Distribution::gradient_affine_in_states) has its K rows
// folded into one: the weighted mean of their states with the sum of their weights, the same
// gradient from a K times smaller product. Only for weights >= 0 (importance weights); a
// minibatch with a negative weight is not folded.
struct Replicas {
  std::size_t count = 1;
  const std::vector<bool>* observed = nullptr;
};

class DirectionLearner {
 public:
  // `ranks`: the job of a data-parallel run of several ranks; null in one process.
  DirectionLearner(DirectedModel& model, const TrainingOptions& options, double rate, Communicator* ranks = nullptr);

  DirectedModel& model() { return model_; }
  const DirectedModel& model() const { return model_; }
  LearningCoordinates& coordinates() { return coordinates_; }
  StepRule& rule() { return *rule_; }
  double rate() const { return rate_; }
  Communicator* ranks() const { return ranks_; }

  // The ascent direction in natural coordinates, one slice per node; zero it first.
  Vector& gradient() {
    if (single_pending_) add_pending_single();
    gradient_zero_ = false;
    return gradient_;
  }
  // A fused step (see step()) leaves the gradient at 0 already: then this costs nothing.
  void zero_gradient() {
    if (!gradient_zero_) gradient_.fill(0.0);
    gradient_zero_ = false;
    single_pending_ = false;  // a float gradient waiting for the step is dropped with the rest
  }
  std::span<double> node_gradient(std::size_t node) { return model_.slice(gradient(), node); }

  // gradient() += sum_n weights(n) d/dtheta log P(states_n) for every node of the direction
  // (the states of every node, as engines lay them out; `weights` one per pattern). The
  // learner's own scratch buffers are used unless the caller lends others (an algorithm that
  // alternates two batch sizes keeps one set per size, so that nothing is reallocated).
  void accumulate_log_probability_gradient(const NodeStates& states, const Vector& weights,
                                           GradientScratch<double>* scratch = nullptr, Replicas replicas = {});
  // The same from single-precision states (train --precision float32): accumulated in float
  // through the plugins' single-precision calls, then added to gradient().
  void accumulate_log_probability_gradient(const NodeStatesF& states, const VectorF& weights,
                                           GradientScratch<float>* scratch = nullptr, Replicas replicas = {});
  // The same for the states whose log-probability under this direction `computed` has just
  // computed (the parameters unchanged since): the plugins reuse what they computed then
  // (Distribution::accumulate_gradient_after_log_probability), one matrix product fewer per
  // node for sigmoid.
  void accumulate_log_probability_gradient(const NodeStates& states, const Vector& weights,
                                           DirectionLogProbability& computed, Replicas replicas = {});
  void accumulate_log_probability_gradient(const NodeStatesF& states, const VectorF& weights,
                                           DirectionLogProbabilityF& computed, Replicas replicas = {});

  // zero_gradient(), accumulate_log_probability_gradient(states, weights), step(rate_factor)
  // in one: with the fused step, one pattern and plugins that allow it
  // (Distribution::gradient_may_alias_parameters), rate x the gradient goes straight into the
  // parameters, with no pass over a gradient buffer: bit for bit the same parameters, as a
  // pattern's states are 0 or 1. (Not in a data-parallel run: the gradient is summed first.)
  void ascend_log_probability(const NodeStates& states, const Vector& weights, double rate_factor);
  void ascend_log_probability(const NodeStatesF& states, const VectorF& weights, double rate_factor);

  // One step of the rule along gradient(), at the base rate times `rate_factor`. For plain
  // sgd in natural coordinates without weight decay (the papers' rule), the step, the store
  // into the model, the float copy and the zeroing of the gradient are one pass over the
  // parameters instead of four: after it, gradient() is 0. Collective in a data-parallel run:
  // the gradient is first summed over the ranks.
  void step(double rate_factor);
  // One step along a displacement of the natural parameters (a natural-gradient direction,
  // already solved for), at the base rate times `rate_factor`; weight decay is not added.
  // Not collective: in a data-parallel run the displacement is solved for from sums over
  // the ranks (sum_gradient()), the same on every rank.
  void step_along(const Vector& natural_displacement, double rate_factor);
  // gradient() summed over the ranks of a data-parallel run, with `also` (more numbers the
  // step needs, such as Fisher blocks) in the same collective call; nothing in one process.
  // `also` is summed in place; its size must be the same on every rank.
  void sum_gradient(std::span<double> also = {});

 private:
  // The float gradient through the plugins, then added to gradient().
  void accumulate_single(const NodeStatesF& states, const VectorF& weights, GradientScratch<float>& use,
                         const Replicas& replicas, DirectionLogProbabilityF* computed);
  void add_single(const VectorF& single_gradient);  // gradient() += it
  void add_pending_single();

  DirectedModel& model_;
  Communicator* ranks_;  // null in one process
  LearningCoordinates coordinates_;
  std::unique_ptr<StepRule> rule_;
  double rate_;
  double weight_decay_;
  Vector gradient_, learning_gradient_;
  bool fused_step_;            // sgd, plain coordinates, no weight decay
  bool in_place_;              // fused_step_ and every plugin allows gradient_may_alias_parameters
  Vector in_place_weight_;     // the one pattern's weight times the rate
  bool gradient_zero_ = true;  // gradient_ known to be all 0
  // With the fused step, the float gradient of single precision waits in
  // single_scratch_.single_gradient and the step adds it; otherwise it is added to gradient_
  // at once.
  bool single_pending_ = false;
  bool single_zero_ = false;  // single_scratch_.single_gradient known to be all 0
  GradientScratch<double> scratch_;
  GradientScratch<float> single_scratch_;
  std::vector<double> summed_;  // sum_gradient() with `also`: both side by side, for one call
};

// Both directions, as an algorithm's train_batch receives them, and the part of the
// minibatch the algorithm is given (the whole one in one process).
struct Learners {
  DirectionLearner& generative;
  DirectionLearner& recognition;
  MinibatchShare share = {};
};

}  // namespace helmholtz
