#pragma once
// The recognition model run bottom-up (Dayan et al. 1995, section 2): the observed nodes
// are clamped to the data, then every hidden node, in topological order of the recognition
// DAG, is sampled from Q(node | its recognition parents). Gives h ~ Q(h | d) and log Q(h | d).
// In double precision, and in float for training with --precision float32.
#include "framework/distribution.hpp"
#include "framework/engines/node_states.hpp"
#include "framework/engines/precision.hpp"

namespace helmholtz {

template <class T>
class BasicRecognitionSampler {
 public:
  using MatrixT = Tensor<T, 2>;
  using VectorT = Tensor<T, 1>;
  explicit BasicRecognitionSampler(const Network& network);

  // data: patterns x visible units. Returns the states of every node (observed ones equal to
  // the data), valid until the next call; log_q(n) = log Q(h_n | d_n). Buffers are reused.
  const BasicNodeStates<T>& sample(const MatrixT& data, Rng& rng, VectorT& log_q);
  // The states only (training needs no log Q). The calls for training take `rows`: the data
  // are that part of a larger minibatch, and the draws are those of its rows in the whole
  // minibatch (row_share.hpp).
  const BasicNodeStates<T>& sample(const MatrixT& data, Rng& rng, RowShare rows = {});
  // The states only, each node that declares a cue (graph/cue.hpp) taking its cue with
  // probability cue_weight per unit (mix_in_cue, cues.hpp) right after Q drew it, so that
  // the nodes above it are recognised from what it took: the wake phase of training with
  // cues. At weight 0 it draws exactly as sample(data, rng).
  const BasicNodeStates<T>& sample_with_cues(const MatrixT& data, Rng& rng, double cue_weight, RowShare rows = {});
  // `replicas` samples per pattern: row n K + k of the states is sample k of pattern n
  // (K = replicas), drawn exactly as sample() would draw them from the data with each row
  // repeated K times. A node whose recognition parents are all observed has the same firing
  // probabilities for the K rows of a pattern: they are computed once per pattern. `rows`
  // counts patterns (K rows each).
  const BasicNodeStates<T>& sample(const MatrixT& data, Rng& rng, VectorT& log_q, std::size_t replicas,
                                   RowShare rows = {});
  // Many samples per pattern, one call per sample, without the memory of replicas: the
  // first with the data, then resample() for each further sample of the same data. Each
  // call draws exactly as sample(data, rng, log_q) would. A node whose recognition parents
  // are all observed keeps its probabilities and firing log-probabilities from the first
  // call (its log Q then comes from them, which may differ from sample()'s in the last bit).
  const BasicNodeStates<T>& sample_repeatedly(const MatrixT& data, Rng& rng, VectorT& log_q);
  const BasicNodeStates<T>& resample(Rng& rng, VectorT& log_q);

 private:
  const BasicNodeStates<T>& run(const MatrixT& data, Rng& rng, VectorT* log_q, std::size_t replicas,
                                bool repeatedly = false, double cue_weight = 0.0, RowShare rows = {});
  // Draws the node from its parents' states (with log Q into log_q when given); with
  // `keep` for a node whose parents are all observed: probabilities and firing
  // log-probabilities kept for resample().
  void draw(std::size_t node, std::size_t patterns, Rng& rng, VectorT* log_q, bool keep, RowShare rows = {});
  // log_q(r) += log Q of row r of the node's states from firing log-probabilities, row
  // r / rows_per_pattern of log_on and log_off.
  void add_log_q_from_firing(std::size_t node, std::size_t rows_per_pattern, VectorT& log_q) const;
  // The node's probabilities once per pattern, spread over its K rows; log Q from its firing
  // log-probabilities, also once per pattern.
  void sample_replicated(std::size_t node, std::size_t patterns, std::size_t replicas, Rng& rng, VectorT* log_q,
                         RowShare rows);

  // One buffer of each kind per node: a buffer shared by nodes of different widths would be
  // reallocated at every node of every step.
  const Network& network_;
  std::vector<std::size_t> observed_;
  BasicNodeStates<T> states_;
  std::vector<MatrixT> parents_, probabilities_;
  VectorT node_log_q_;
  std::vector<MatrixT> cues_;  // per cued node: the cue of the last call's data
  std::vector<precision::Workspace<T>> workspace_;
  std::vector<bool> observed_parents_;  // per node: its recognition parents are all observed
  bool kept_ = false;                   // sample_repeatedly() kept what resample() reuses
  std::size_t patterns_ = 0;            // rows of the last call
  // Once per pattern, one buffer of each per node (as above).
  std::vector<MatrixT> pattern_parents_, pattern_probabilities_, pattern_log_on_, pattern_log_off_;
};

using RecognitionSampler = BasicRecognitionSampler<double>;
using RecognitionSamplerF = BasicRecognitionSampler<float>;  // needs single precision enabled

// The log-probability of given states of every node under one direction of the network,
// summed over its nodes: log P(h, d) for the generative model, log Q(h | d) for the
// recognition model. One buffer per node, so that repeated calls allocate nothing (a buffer
// shared by nodes of different widths would be reshaped at every node).
template <class T>
class BasicDirectionLogProbability {
 public:
  using VectorT = Tensor<T, 1>;
  explicit BasicDirectionLogProbability(const DirectedModel& model)
      : model_(model), parents_(model.conditionals.size()), parent_view_(model.conditionals.size(), nullptr),
        workspace_(model.conditionals.size()) {}
  // out(n) for pattern n of `states`; valid until the next call.
  const VectorT& operator()(const BasicNodeStates<T>& states);
  // What the last call left per node: its parents' states (valid while the states given to
  // it are), and the plugin's workspace (for Distribution::accumulate_gradient_after_log_probability).
  const Tensor<T, 2>& parents(std::size_t node) const { return *parent_view_[node]; }
  precision::Workspace<T>& workspace(std::size_t node) { return workspace_[node]; }

 private:
  const DirectedModel& model_;
  std::vector<Tensor<T, 2>> parents_;              // gathered, for nodes with several parent nodes
  std::vector<const Tensor<T, 2>*> parent_view_;  // what the plugin was given
  std::vector<precision::Workspace<T>> workspace_;
  VectorT node_log_p_, out_;
};

using DirectionLogProbability = BasicDirectionLogProbability<double>;
using DirectionLogProbabilityF = BasicDirectionLogProbability<float>;

}  // namespace helmholtz
