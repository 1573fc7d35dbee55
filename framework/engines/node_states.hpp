#pragma once
// The states of every node of a network for a batch of patterns, and the moves every
// engine makes between them and the plugins. In double precision, and in single precision
// for training with --precision float32 (the same functions on float matrices).
#include <vector>

#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"
#include "framework/engines/row_share.hpp"
#include "framework/random.hpp"

namespace helmholtz {

// states[node] is patterns x units of that node.
template <class T>
using BasicNodeStates = std::vector<Tensor<T, 2>>;
using NodeStates = BasicNodeStates<double>;
using NodeStatesF = BasicNodeStates<float>;

// Sized for `patterns` patterns of every node of the network.
template <class T>
void ensure_states(const Network& network, std::size_t patterns, BasicNodeStates<T>& states);

// The states of a node's parents laid side by side, in the order the plugin expects. With
// stride K, only rows 0, K, 2K, ... (one per pattern of states replicated K times).
template <class T>
void gather_parents(const Conditional& conditional, const BasicNodeStates<T>& states, std::size_t patterns,
                    Tensor<T, 2>& out, std::size_t stride = 1);

// The same without a copy where there is nothing to lay side by side: a node with one
// parent node (stride 1) gets that node's own states; otherwise they are gathered into
// `scratch`. The result stays valid while `states` and `scratch` do.
template <class T>
const Tensor<T, 2>& parent_states(const Conditional& conditional, const BasicNodeStates<T>& states,
                                       std::size_t patterns, Tensor<T, 2>& scratch);

// Units of the given nodes laid side by side (e.g. the observed nodes as a data matrix),
// from every stride-th row.
template <class T>
void gather_nodes(const std::vector<std::size_t>& nodes, const BasicNodeStates<T>& states, Tensor<T, 2>& out,
                  std::size_t stride = 1);
// The inverse: columns of `patterns` spread into the given nodes' states.
template <class T>
void scatter_nodes(const Tensor<T, 2>& patterns, const std::vector<std::size_t>& nodes,
                   BasicNodeStates<T>& states);

// states(n, j) = 1 with probability p(n, j), drawn row by row: unit on iff u < p for a
// uniform01 draw u, the same draws in either precision. With `rows`, p holds one part of a
// larger batch, and the draws of the other rows are skipped (row_share.hpp).
template <class T>
void sample_bernoulli(const Tensor<T, 2>& p, Tensor<T, 2>& states, Rng& rng, RowShare rows = {});

}  // namespace helmholtz
