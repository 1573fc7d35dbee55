#pragma once
// The states of every node of a network for a batch of patterns, and the moves every
// engine makes between them and the plugins.
#include <vector>

#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace helmholtz {

// states[node] is patterns x units of that node.
using NodeStates = std::vector<Matrix>;

// Sized for `patterns` patterns of every node of the network.
void ensure_states(const Network& network, std::size_t patterns, NodeStates& states);

// The states of a node's parents laid side by side, in the order the plugin expects.
void gather_parents(const Conditional& conditional, const NodeStates& states, std::size_t patterns, Matrix& out);

// Units of the given nodes laid side by side (e.g. the observed nodes as a data matrix).
void gather_nodes(const std::vector<std::size_t>& nodes, const NodeStates& states, Matrix& out);
// The inverse: columns of `patterns` spread into the given nodes' states.
void scatter_nodes(const Matrix& patterns, const std::vector<std::size_t>& nodes, NodeStates& states);

// states(n, j) = 1 with probability p(n, j), drawn row by row.
void sample_bernoulli(const Matrix& p, Matrix& states, Rng& rng);

}  // namespace helmholtz
