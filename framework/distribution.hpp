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
#include <string>
#include <string_view>
#include <vector>

#include "framework/error.hpp"
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

class Distribution {
 public:
  explicit Distribution(NodeShape shape) : shape_(std::move(shape)) {}
  virtual ~Distribution() = default;
  Distribution(const Distribution&) = default;
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

  // gradient += scale * d/dtheta sum_n log P(states_n | parents_n), with theta laid out as
  // parameters(). `work` is scratch space.
  virtual void accumulate_gradient(const Matrix& parents, const Matrix& states, double scale,
                                   Vector& gradient, Workspace& work) const = 0;

  // Parameters as one flat vector, so that optimisers and finite-difference checks are
  // generic. Change them only through set_parameters() or step().
  const Vector& parameters() const { return parameters_; }
  void set_parameters(const Vector& values);
  // parameters += rate * direction, then project() back into range.
  void step(const Vector& direction, double rate);
  // How parameter i is named in model files and messages, e.g. "weights[mid][2][0]".
  virtual std::string parameter_name(std::size_t i) const = 0;

  // Throws an InputError at `where` naming the first parameter out of its range.
  virtual void validate(const Where& where) const = 0;
  // Moves every parameter to the nearest value in its (learning) range.
  void project() {
    project_into_range();
    refresh();
  }
  // Draws every parameter afresh from rng (the defaults for parameters a model file omits).
  virtual void initialise(Rng& rng) = 0;

  // Keys of a model-file entry that this plugin reads, besides `distribution` and `parents`.
  virtual std::vector<std::string> parameter_keys() const = 0;
  // Overrides the current parameters with those given in a model-file entry (a YAML map),
  // reporting mistakes at their line; parameters not given keep their values.
  virtual void read(const YAML::Node& entry, const Where& where) = 0;
  // Writes the parameter keys into the YAML map the emitter has open.
  virtual void write(YAML::Emitter& out) const = 0;

  virtual std::unique_ptr<Distribution> clone() const = 0;

 protected:
  // Called after every change of the parameters: recompute anything derived from them.
  virtual void refresh() {}
  // Clamps parameters_ into range; project() calls refresh() afterwards.
  virtual void project_into_range() = 0;

  NodeShape shape_;
  Vector parameters_;
};

}  // namespace helmholtz
