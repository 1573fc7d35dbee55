#pragma once
// A belief network: typed nodes, and over them two directed acyclic graphs, each node
// carrying the conditional distribution given its parents in that graph:
//   generative  P(node | parents), top-down, over every node;
//   recognition Q(node | parents), bottom-up, over the hidden nodes, fed from the observed
//               ones (observed nodes have no recognition distribution: they are the data).
// The graphs are Boost.Graph adjacency lists whose vertex i is node i; edges point from
// parent to child; topological order from Boost.Graph drives every pass.
#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "framework/distribution.hpp"
#include "framework/graph/cue.hpp"
#include "framework/graph/training_record.hpp"

namespace helmholtz {

enum class NodeType { binary };

struct Node {
  std::string name;
  NodeType type = NodeType::binary;
  std::size_t size = 0;  // number of units
  bool observed = false;
  std::optional<Cue> cue;  // hidden nodes only: a coarse copy of an observed node (graph/cue.hpp)
};

// The distribution of one node in one direction, with the node indices of its parents in
// the order their states are laid side by side for the plugin.
struct Conditional {
  std::vector<std::size_t> parents;
  std::unique_ptr<Distribution> distribution;  // null: the node has none in this direction
  std::vector<std::string> fixed;              // names of blocks that training leaves alone

  Conditional() = default;
  Conditional(std::vector<std::size_t> p, std::unique_ptr<Distribution> d)
      : parents(std::move(p)), distribution(std::move(d)) {}
  Conditional(const Conditional& other);
  Conditional& operator=(const Conditional& other);
  Conditional(Conditional&&) = default;
  Conditional& operator=(Conditional&&) = default;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

// One direction of the network. Its parameters live here, as one flat vector holding each
// node's block after the other (in node order); each distribution reads its slice through
// a read-only view, so that optimisers, checks and algorithms can treat them as one vector.
struct DirectedModel {
  Graph graph;
  std::vector<Conditional> conditionals;  // indexed by node
  std::vector<std::size_t> order;         // every node, parents before children
  Vector parameters;                      // natural values, every node's slice in node order
  std::vector<std::size_t> offsets;       // where node i's slice starts

  DirectedModel() = default;
  DirectedModel(const DirectedModel& other);
  DirectedModel& operator=(const DirectedModel& other);
  DirectedModel(DirectedModel&& other) noexcept;
  DirectedModel& operator=(DirectedModel&& other) noexcept;

  // Builds graph and order from the conditionals and gathers their parameters into the flat
  // vector; throws CycleError if there is a cycle.
  static DirectedModel from(std::vector<Conditional> conditionals);
  std::size_t parameter_count() const { return parameters.size(); }
  // Node i's slice of a vector laid out like `parameters` (a gradient, a direction).
  std::span<double> slice(Vector& flat, std::size_t node) const;
  std::span<const double> slice(const Vector& flat, std::size_t node) const;
  // After the flat vector was written: every distribution recomputes what it derives (and
  // the single-precision copy, when there is one, is rounded again).
  void parameters_changed();
  // Only the distributions' refresh, for a caller that has written the float copy itself.
  void refresh_distributions();
  // Training in single precision: `single` holds the parameters rounded to float, laid out
  // like `parameters`, and every distribution reads its slice of it in its single-precision
  // calls. Empty until enabled; then kept up to date by parameters_changed().
  void enable_single_precision();
  void disable_single_precision();
  VectorF single;
  // Is parameter i of the flat vector in a block that the model file fixed?
  std::vector<bool> fixed_mask() const;

 private:
  void attach();  // points every distribution at its slice of `parameters`
};

class CycleError : public Error {
 public:
  explicit CycleError(std::vector<std::size_t> cycle)
      : Error("cycle"), cycle_(std::move(cycle)) {}
  // Node indices around the cycle: cycle[0] -> cycle[1] -> ... -> cycle[0].
  const std::vector<std::size_t>& cycle() const { return cycle_; }

 private:
  std::vector<std::size_t> cycle_;
};

struct Network {
  std::string name;
  std::vector<Node> nodes;
  DirectedModel generative;
  DirectedModel recognition;
  bool recognition_declared = false;  // false: derived by reversing the generative edges
  std::uint64_t seed = 0;             // seed that initialised parameters the file left out
  std::optional<TrainingRecord> training;  // how it was trained, if it was
  // The plugin libraries its model file names (`plugins:`), as absolute paths, so that writing
  // the model elsewhere can name them relative to the new file.
  std::vector<std::string> plugin_libraries;

  std::vector<std::size_t> observed_nodes() const;  // in declaration order
  std::vector<std::size_t> hidden_nodes() const;
  std::size_t visible_units() const;
  std::size_t hidden_units() const;
  // Throws Error if there is no node of that name.
  std::size_t index_of(const std::string& node_name) const;
};

// "node[unit]" for each hidden unit, in the order of exact inference's posterior columns.
std::vector<std::string> hidden_unit_names(const Network& network);

// Node indices around a cycle of the graph, or empty if it is acyclic.
std::vector<std::size_t> find_cycle(const Graph& graph);

}  // namespace helmholtz
