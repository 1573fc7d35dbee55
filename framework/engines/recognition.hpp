#pragma once
// The recognition model run bottom-up (Dayan et al. 1995, section 2): the observed nodes
// are clamped to the data, then every hidden node, in topological order of the recognition
// DAG, is sampled from Q(node | its recognition parents). Gives h ~ Q(h | d) and log Q(h | d).
#include "framework/engines/node_states.hpp"
#include "framework/distribution.hpp"

namespace helmholtz {

class RecognitionSampler {
 public:
  explicit RecognitionSampler(const Network& network);

  // data: patterns x visible units. Returns the states of every node (observed ones equal to
  // the data), valid until the next call; log_q(n) = log Q(h_n | d_n). Buffers are reused.
  const NodeStates& sample(const Matrix& data, Rng& rng, Vector& log_q);
  // The states only (training needs no log Q).
  const NodeStates& sample(const Matrix& data, Rng& rng);

 private:
  const NodeStates& run(const Matrix& data, Rng& rng, Vector* log_q);

  // One buffer of each kind per node: a buffer shared by nodes of different widths would be
  // reallocated at every node of every step.
  const Network& network_;
  std::vector<std::size_t> observed_;
  NodeStates states_;
  std::vector<Matrix> parents_, probabilities_;
  Vector node_log_q_;
  std::vector<Workspace> workspace_;
};

// The log-probability of given states of every node under one direction of the network,
// summed over its nodes: log P(h, d) for the generative model, log Q(h | d) for the
// recognition model. One buffer per node, so that repeated calls allocate nothing (a buffer
// shared by nodes of different widths would be reshaped at every node).
class DirectionLogProbability {
 public:
  explicit DirectionLogProbability(const DirectedModel& model)
      : model_(model), parents_(model.conditionals.size()), workspace_(model.conditionals.size()) {}
  // out(n) for pattern n of `states`; valid until the next call.
  const Vector& operator()(const NodeStates& states);

 private:
  const DirectedModel& model_;
  std::vector<Matrix> parents_;
  std::vector<Workspace> workspace_;
  Vector node_log_p_, out_;
};

}  // namespace helmholtz
