#pragma once
// The natural gradient of one direction of a belief network, exact unit by unit (Varady,
// Volpi, Malago & Ay, natural wake-sleep). Given states of every node and per-pattern
// weights w_n (1/B for a plain average, w_nk / B for importance weights), the objective
// sum_n w_n log P(states_n) has gradient g, and the Fisher matrix of the model, taken over
// the same weighted states, is block diagonal with one block per unit, its bias and its
// incoming weights (framework/fisher_blocks.hpp):
//   F_j = sum_n w_n p_nj (1 - p_nj) x~_n x~_n^T,   x~ = [1, parents of pattern n].
// The step is  delta_j = (F_j + damping I)^{-1} g_j  for every unit j, by Cholesky: F_j is
// a weighted sum of outer products, positive semi-definite, so F_j + damping I is positive
// definite for any damping > 0.
//
// Parameters that the model file fixed are left out of their unit's solve: the rows and
// columns of F_j and the entries of g_j that belong to them are dropped, and delta is 0
// there. That is the natural gradient on the set where they keep their values (the Fisher
// metric restricted to the free parameters), so they never move and do not bend the free
// ones' step. Weight decay, -lambda theta on the free weights, is part of g.
//
// A node's plugin supplies its Fisher blocks through FisherBlocks (asked for with
// dynamic_cast); one that does not gets them computed from its gradients
// (framework/fisher_from_gradients.hpp: exact, but slower), and notes() says so. Nothing is
// allocated after construction (after the first step, in a data-parallel run).
//
// In a data-parallel run (the learner has the job's communicator) each rank forms g and F_j
// from its part of the minibatch; both are weighted sums over the patterns, so the whole
// minibatch's are their sums over the ranks, taken in one collective call before the solve.
// Of each block only the lower triangle is sent, the only part the Cholesky solve reads:
// the volume per step is the parameters plus sum_j m_j (m_j + 1) / 2 numbers, m_j the size
// of unit j's block, which for wide layers is far more than the gradient (docs/distributed.md).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "framework/engines/node_states.hpp"
#include "framework/engines/training/direction_learner.hpp"
#include "framework/fisher_blocks.hpp"
#include "framework/fisher_from_gradients.hpp"

namespace helmholtz {

class NaturalGradient {
 public:
  // `model` is network.generative or network.recognition (named so in notes); `algorithm`
  // names the algorithm in notes and messages.
  NaturalGradient(const Network& network, const DirectedModel& model, double damping, double weight_decay,
                  std::string_view algorithm);

  // What a user should know, e.g. "natural-wake-sleep: generative.data (noisy-or) has no
  // Fisher blocks of its own; they are computed from its gradients (exact, slower)".
  const std::vector<std::string>& notes() const { return notes_; }

  // One step of `learner` (whose model is this one) at its base rate times rate_factor,
  // along the natural gradient of sum_n weights(n) log P(states_n) minus the weight decay.
  // Collective in a data-parallel run.
  // The gradient is formed here, in learner.gradient(), with this object's buffers: they
  // are sized for one number of patterns, so an algorithm that steps one direction with two
  // sizes of batch (rws's K B samples and B fantasies) keeps one NaturalGradient for each.
  void step(DirectionLearner& learner, const NodeStates& states, const Vector& weights, double rate_factor);

  // The parts of step(), for tests and for algorithms of one's own.
  // The Fisher blocks of every unit, F_j = sum_n weights(n) F_j(parents_n), afresh.
  void compute_fisher(const NodeStates& states, const Vector& weights);
  // direction = (F_j + damping I)^{-1} gradient_j on each unit's free parameters, 0 on fixed
  // ones and on nodes without free parameters; laid out like the model's parameters.
  void solve(const Vector& gradient, Vector& direction);
  // Unit j of node's block, size x size, row-major (rows and columns as the plugin's
  // fisher_block_indices); null for a node without free parameters.
  const double* fisher_block(std::size_t node, std::size_t unit) const;

 private:
  // Fisher blocks afresh for every node with free parameters, and, if learner is given,
  // learner.gradient() = sum_n weights(n) d/dtheta log P(states_n) on those nodes (0 elsewhere).
  void accumulate(const NodeStates& states, const Vector& weights, DirectionLearner* learner);
  // The learner's gradient and the Fisher blocks summed over the ranks of a data-parallel run.
  void sum_over_ranks(DirectionLearner& learner);

  struct Unit {
    std::size_t first_free, free_count;  // its run in free_position_ / free_index_
  };
  struct NodeFisher {
    const FisherBlocks* fisher = nullptr;  // null: nothing of the node is trained
    std::unique_ptr<FisherFromGradients> computed;  // for a plugin without blocks of its own
    std::size_t size = 0;                  // of each unit's block
    std::vector<double> blocks;            // units blocks of size x size, row-major
    std::vector<Unit> units;
  };

  const DirectedModel& model_;
  double damping_, weight_decay_;
  std::vector<NodeFisher> nodes_;
  // For each unit's free parameters: the row of its block, and the index in the model's
  // flat parameter vector.
  std::vector<std::size_t> free_position_, free_index_;
  std::vector<double> system_, solution_;  // one unit's damped sub-block and right-hand side
  std::vector<Matrix> parents_;            // per node, reused
  std::vector<Workspace> workspace_;       // per node, reused
  Vector direction_;
  std::vector<double> lower_;  // the blocks' lower triangles side by side, for sum_over_ranks
  std::vector<std::string> notes_;
};

}  // namespace helmholtz
