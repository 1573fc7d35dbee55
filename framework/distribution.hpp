#pragma once
// The plugin interface: the conditional distribution of one node's binary units given the
// states of all its parents. Every engine (sampling, recognition, exact enumeration,
// wake-sleep, bounds) is written against this interface only.
//
// All maths is batched: a call handles a minibatch of patterns at once. `parents` is a
// patterns x parent_units matrix holding the states of the node's parents side by side,
// in the order of NodeShape::parents; `states` is patterns x units. Outputs are passed in
// by the caller and resized only when their shape changes, so the online path (one
// pattern at a time) allocates nothing.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "framework/error.hpp"
#include "framework/graph/parameter_block.hpp"
#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace YAML {
class Node;
class Emitter;
}  // namespace YAML

namespace helmholtz {

struct ParentShape {
  std::string name;
  std::size_t units = 0;
};

struct NodeShape {
  std::string node;  // name of the node this distribution belongs to
  std::size_t units = 0;
  std::vector<ParentShape> parents;

  std::size_t parent_units() const;
};

// Scratch buffers an engine lends a plugin for one call. They keep their capacity between
// calls, so a plugin that sizes them with ensure_shape() allocates nothing in steady state.
struct Workspace {
  Matrix first, second, third;
};

// The same for the single-precision calls; the default implementations of those, which go
// through the double ones, keep their conversions here.
struct WorkspaceF {
  MatrixF first, second, third;
  Matrix parents, states, out, out2;
  Vector weights, log_p, gradient;
  Workspace doubles;
};

// A read-only view of a node's parameters (natural values, laid out block after block).
class ParameterView {
 public:
  ParameterView(const double* data, std::size_t size) : data_(data), size_(size) {}
  std::size_t size() const { return size_; }
  const double* data() const { return data_; }
  double operator()(std::size_t i) const { return data_[i]; }
  double operator[](std::size_t i) const { return data_[i]; }
  const double* begin() const { return data_; }
  const double* end() const { return data_ + size_; }
  operator Vector() const;  // a copy
  bool operator==(const ParameterView& other) const;

 private:
  const double* data_;
  std::size_t size_;
};

class Distribution {
 public:
  explicit Distribution(NodeShape shape) : shape_(std::move(shape)) {}
  virtual ~Distribution() = default;
  // A copy owns its values (it is detached from any network until attached again).
  Distribution(const Distribution& other);
  Distribution& operator=(const Distribution&) = delete;

  // The name under which the plugin is registered and written in model files.
  virtual std::string_view kind() const = 0;
  const NodeShape& shape() const { return shape_; }

  // p(n, j) = P(s_j = 1 | parents of pattern n).
  virtual void probabilities(const Matrix& parents, Matrix& p) const = 0;

  // log_on(n, j) = log P(s_j = 1 | parents of pattern n), log_off(n, j) = log P(s_j = 0 | ...),
  // computed in log space so that a saturated unit gives exactly 0 and -inf, never NaN.
  virtual void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const = 0;

  // log_p(n) = sum_j log P(s_nj | parents of pattern n), in nats; -inf for an impossible
  // pattern. `work` is scratch space the plugin may resize and overwrite.
  virtual void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p,
                               Workspace& work) const = 0;

  // gradient += sum_n weights(n) d/dtheta log P(states_n | parents_n), with theta the natural
  // parameters laid out as parameters() and `gradient` this node's slice (parameter_count()
  // entries). Importance weights make the per-pattern weights differ; plain averages give
  // every pattern 1/B. The gradient must stay finite even for a pattern that is impossible
  // under the parameters (cap it, as the built-in plugins do): such a pattern may come with
  // weight 0, and 0 * inf would be NaN. `work` is scratch space.
  virtual void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                                   std::span<double> gradient, Workspace& work) const = 0;

  // accumulate_gradient for the parents and states of the last log_probability call made
  // with this `work`, the parameters unchanged since: a plugin may reuse what that call left
  // in `work` (sigmoid: the affine statistic, one matrix product fewer). rws needs log P of
  // its samples for their weights, then the weighted gradient. Default: accumulate_gradient.
  virtual void accumulate_gradient_after_log_probability(const Matrix& parents, const Matrix& states,
                                                         const Vector& weights, std::span<double> gradient,
                                                         Workspace& work) const {
    accumulate_gradient(parents, states, weights, gradient, work);
  }

  // True when accumulate_gradient is affine in the states for fixed parents and accepts states
  // in [0, 1], not only 0 and 1 (every Bernoulli unit's log P(s | x) = s log p + (1 - s)
  // log(1 - p) is affine in s, but an implementation may branch on s). Then K samples of a
  // node with the same parents may be folded into one row: the weighted mean of their states
  // with the sum of their weights gives the same gradient (rws folds the K samples of its
  // first recognition layer this way).
  virtual bool gradient_affine_in_states() const { return false; }

  // True when accumulate_gradient (and accumulate_gradient_after_log_probability) read this
  // node's parameters only before their first write into `gradient`, so that `gradient` may
  // be the parameters themselves: online sgd then adds rate x the gradient of one pattern
  // straight into the parameters, one pass instead of three (DirectionLearner). Default false.
  virtual bool gradient_may_alias_parameters() const { return false; }

  // The same with one weight for every pattern, into a vector of parameter_count() entries
  // (a convenience for tests and tools: it builds the weights).
  void accumulate_gradient(const Matrix& parents, const Matrix& states, double weight, Vector& gradient,
                           Workspace& work) const;

  // ---- Single precision (train --precision float32) -----------------------------------
  // The calls wake-sleep and rws make per minibatch, in float: the same maths as the double
  // calls above, with the parameters rounded to float (single_parameters()). The defaults
  // convert to double and call the double versions, so every plugin trains in single
  // precision correctly; a plugin built on matrix products overrides them to run on the
  // BLAS single-precision routines, where the speed is.
  virtual void probabilities_single(const MatrixF& parents, MatrixF& p, WorkspaceF& work) const;
  virtual void log_probability_single(const MatrixF& parents, const MatrixF& states, VectorF& log_p,
                                      WorkspaceF& work) const;
  virtual void accumulate_gradient_single(const MatrixF& parents, const MatrixF& states, const VectorF& weights,
                                          std::span<float> gradient, WorkspaceF& work) const;
  virtual void log_firing_probabilities_single(const MatrixF& parents, MatrixF& log_on, MatrixF& log_off,
                                               WorkspaceF& work) const;
  virtual void accumulate_gradient_after_log_probability_single(const MatrixF& parents, const MatrixF& states,
                                                                const VectorF& weights, std::span<float> gradient,
                                                                WorkspaceF& work) const {
    accumulate_gradient_single(parents, states, weights, gradient, work);
  }
  // The parameters rounded to float, laid out as parameters(): set by the network while it
  // trains in single precision (DirectedModel::enable_single_precision), null otherwise.
  const float* single_parameters() const { return single_; }
  void attach_single(const float* storage) { single_ = storage; }

  // ---- Parameters -------------------------------------------------------------------
  // What the plugin declared in its constructor (declare_parameters): named blocks with
  // their ranges, initial ranges and learning coordinates. Everything else about the
  // parameters (model files, checks, initialisation, learning) is generic.
  const std::vector<ParameterBlock>& blocks() const { return blocks_; }
  const ParameterBlock* block(std::string_view name) const;  // null if there is none
  std::size_t parameter_count() const { return count_; }
  ParameterView parameters() const { return {data_, count_}; }
  // Replaces every parameter (natural values), then refresh().
  void set_parameters(const Vector& values);
  // How parameter i is named in model files and messages, e.g. "weights[mid][2][0]".
  std::string parameter_name(std::size_t i) const;
  // The block that parameter i belongs to.
  const ParameterBlock& block_of(std::size_t i) const;
  // Throws an InputError at `where` naming the first parameter outside its valid range.
  void validate(const Where& where) const;
  // Moves every parameter to the nearest value of its block's learning range, then
  // refresh() (what a learning step does after moving them).
  void project_into_learning_ranges();
  // Draws every parameter afresh from its block's initial range (block by block, in order).
  void initialise(Rng& rng);

  // Recomputes whatever the plugin derives from its parameters. Called after every change
  // of the values (set_parameters, or a learning step of the network's optimiser).
  virtual void refresh() {}

  // A plugin with model-file keys beyond its parameter blocks lists them here and reads and
  // writes them itself (the blocks are read and written generically, in io/).
  virtual std::vector<std::string> extra_keys() const { return {}; }
  virtual void read_extra(const YAML::Node& /*entry*/, const Where& /*where*/) {}
  virtual void write_extra(YAML::Emitter& /*out*/) const {}

  virtual std::unique_ptr<Distribution> clone() const = 0;

  // Moves the values into `storage` (parameter_count() doubles, e.g. the node's slice of its
  // network's flat parameter vector) and reads and writes them there from now on.
  void attach(double* storage);
  // Direct access for the owner of the storage (the network's optimiser, set_parameters).
  double* mutable_parameters() { return data_; }

 protected:
  // Called once, from the plugin's constructor: fills in each block's offset and size from
  // its layout and the node's shape, and allocates the values (zeros).
  void declare_parameters(std::vector<ParameterBlock> blocks);
  const double* parameter_data() const { return data_; }
  double parameter(std::size_t i) const { return data_[i]; }

  NodeShape shape_;

 private:
  std::vector<ParameterBlock> blocks_;
  std::size_t count_ = 0;
  std::vector<double> own_;  // the values while detached
  double* data_ = nullptr;
  const float* single_ = nullptr;
};

}  // namespace helmholtz
