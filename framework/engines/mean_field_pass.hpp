#pragma once
// The forward and backward passes of the deterministic (mean-field) Helmholtz machine
// (Dayan, Hinton, Neal & Zemel 1995, section 3 and appendices A-B), written once against the
// plugins' MeanField capability (framework/mean_field.hpp) and any DAG a model file allows.
//
// Forward. Every unit carries a probability instead of a sampled state:
//   q_j = d_j                                            an observed node: the data;
//   q_j = Q-rule_j(q of the node's recognition parents)   a hidden node, in topological order
//                                                         of the recognition DAG;
//   p_j = P-rule_j(q of the node's generative parents)    every node, the observed ones
//                                                         included (a root: its bias alone);
// for sigmoid units the P-rule is eq. 3.10, p_j = sigmoid(b_j + sum_k W_jk q_k). The cost of
// a pattern is
//   F(d) = sum_nodes sum_j KL[q_j || p_j],
//   KL[q || p] = q log(q / p) + (1 - q) log((1 - q) / (1 - p)),   0 log 0 = 0,
// so that an observed unit with binary data contributes -log P(d_j | its parents' q). F is
// +inf where the generative model calls a unit's q impossible (p = 0 where q > 0, or p = 1
// where q < 1).
//
// Backward: the exact gradient of F with respect to both directions' parameters, through
// the recognition DAG (each q feeds its own KL term, its generative children's p and its
// recognition children's q). With g_j = dF/dq_j, gathered from the node's children:
//   every node's P-rule, with  dF/dlog p_j = -q_j,  dF/dlog(1 - p_j) = -(1 - q_j):
//       the generative gradient, and g for the generative parents;
//   then each hidden node, children first (reverse recognition order), its Q-rule with
//       dF/dlog q_j       = q_j (log q_j - log p_j) + g_j q_j,
//       dF/dlog(1 - q_j)  = (1 - q_j) (log(1 - q_j) - log(1 - p_j)):
//       the recognition gradient, and g for the recognition parents.
// (Differentiating q log q + (1 - q) log(1 - q) also gives the terms q dlog q + (1 - q)
// dlog(1 - q) = dq + d(1 - q) = 0, which are left out.) Where F is infinite its gradient is
// taken with log p at least log(smallest positive double), a large finite push away from the
// impossible state, as the plugins cap theirs.
//
// Buffers belong to the pass and keep their shapes, so that repeated passes over batches of
// the same size allocate nothing.
#include <string>
#include <vector>

#include "framework/distribution.hpp"
#include "framework/engines/node_states.hpp"
#include "framework/graph/network.hpp"
#include "framework/mean_field.hpp"

namespace helmholtz {

// Every distribution's mean-field rule, per node (null where a node has no distribution in
// that direction).
struct MeanFieldRules {
  std::vector<const MeanField*> generative, recognition;
};

// The rules of both directions of `network`. Throws Error naming `algorithm`, the direction,
// the node and the plugin of the first distribution that has no mean-field rule.
MeanFieldRules mean_field_rules(const Network& network, const std::string& algorithm);

class MeanFieldPass {
 public:
  // `network` and `rules` must outlive the pass; the parameters may change between calls.
  MeanFieldPass(const Network& network, const MeanFieldRules& rules);

  // The forward pass for rows [first, first + count) of `data` (patterns x visible units, each
  // in [0, 1]). Returns F of each pattern in nats, valid until the next call.
  const Vector& forward(const Matrix& data, std::size_t first, std::size_t count);
  const Vector& forward(const Matrix& data) { return forward(data, 0, data.shape(0)); }

  // After forward(): generative_gradient += scale dF/dtheta and recognition_gradient +=
  // scale dF/dphi, F summed over the patterns of the forward pass, both vectors laid out like
  // their direction's flat parameters. scale = -1/N gives the gradient of the mean of -F.
  void backward(double scale, Vector& generative_gradient, Vector& recognition_gradient);

  // After forward(): the means q of every node (the data for observed nodes).
  const NodeStates& means() const { return q_; }
  std::size_t patterns() const { return patterns_; }

 private:
  // g(parent) += the columns of `mean_gradient` (parents side by side) of each hidden parent.
  void add_to_parents(const Conditional& conditional, const Matrix& mean_gradient);

  const Network& network_;
  const MeanFieldRules& rules_;
  std::vector<std::size_t> observed_;
  std::vector<bool> is_observed_;
  std::size_t patterns_ = 0;
  // Per node, each its own buffer, so that nodes of different widths never reshape a shared one.
  NodeStates q_;                        // means
  std::vector<Matrix> log_q_on_, log_q_off_;  // hidden nodes: log q, log(1 - q)
  std::vector<Matrix> log_p_on_, log_p_off_;  // log p, log(1 - p)
  std::vector<Matrix> generative_parents_, recognition_parents_;
  std::vector<Matrix> g_;               // hidden nodes: scale dF/dq
  std::vector<Matrix> d_on_, d_off_;    // upstream derivatives handed to the rules
  std::vector<Matrix> generative_mean_gradient_, recognition_mean_gradient_;
  std::vector<Workspace> generative_work_, recognition_work_;
  Vector free_energy_;
};

}  // namespace helmholtz
