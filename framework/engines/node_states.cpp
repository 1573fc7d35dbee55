#include "framework/engines/node_states.hpp"

#include <algorithm>

namespace helmholtz {

template <class T>
void ensure_states(const Network& network, std::size_t patterns, BasicNodeStates<T>& states) {
  states.resize(network.nodes.size());
  for (std::size_t i = 0; i < network.nodes.size(); ++i) ensure_shape(states[i], patterns, network.nodes[i].size);
}

template <class T>
void gather_nodes(const std::vector<std::size_t>& nodes, const BasicNodeStates<T>& states, Tensor<T, 2>& out,
                  std::size_t stride) {
  const std::size_t patterns = nodes.empty() ? 0 : states[nodes.front()].shape(0) / stride;
  std::size_t width = 0;
  for (std::size_t p : nodes) width += states[p].shape(1);
  ensure_shape(out, patterns, width);
  if (nodes.size() == 1 && stride == 1) {  // one parent node (a layered network): one copy
    std::copy(states[nodes[0]].begin(), states[nodes[0]].end(), out.begin());
    return;
  }
  for (std::size_t n = 0; n < patterns; ++n) {
    T* row = out.data() + n * width;
    for (std::size_t p : nodes) {
      const auto& s = states[p];
      const T* from = s.data() + n * stride * s.shape(1);
      row = std::copy(from, from + s.shape(1), row);
    }
  }
}

template <class T>
void gather_parents(const Conditional& conditional, const BasicNodeStates<T>& states, std::size_t patterns,
                    Tensor<T, 2>& out, std::size_t stride) {
  if (conditional.parents.empty()) {
    ensure_shape(out, patterns / stride, 0);  // a root: zero columns, but the batch size still counts
    return;
  }
  gather_nodes(conditional.parents, states, out, stride);
}

template <class T>
const Tensor<T, 2>& parent_states(const Conditional& conditional, const BasicNodeStates<T>& states,
                                       std::size_t patterns, Tensor<T, 2>& scratch) {
  if (conditional.parents.size() == 1) return states[conditional.parents.front()];
  gather_parents(conditional, states, patterns, scratch);
  return scratch;
}

template <class T>
void scatter_nodes(const Tensor<T, 2>& patterns, const std::vector<std::size_t>& nodes,
                   BasicNodeStates<T>& states) {
  for (std::size_t n = 0; n < patterns.shape(0); ++n) {
    const T* row = patterns.data() + n * patterns.shape(1);
    for (std::size_t p : nodes) {
      auto& s = states[p];
      std::copy(row, row + s.shape(1), s.data() + n * s.shape(1));
      row += s.shape(1);
    }
  }
}

template <class T>
void sample_bernoulli(const Tensor<T, 2>& p, Tensor<T, 2>& states, Rng& rng, RowShare rows) {
  ensure_shape(states, p.shape(0), p.shape(1));
  skip_rows(rng, rows.before, p.shape(1));
  // Uniforms a block at a time, then the comparisons in a separate loop, which the compiler
  // vectorises without branches (a comparison per draw would be an unpredictable branch).
  constexpr std::size_t block = 256;
  double u[block];
  const T* probability = p.data();
  T* s = states.data();
  for (std::size_t first = 0, n = p.size(); first < n; first += block) {
    const std::size_t m = std::min(block, n - first);
    for (std::size_t j = 0; j < m; ++j) u[j] = uniform01(rng);
    for (std::size_t j = 0; j < m; ++j) s[first + j] = u[j] < probability[first + j] ? T(1) : T(0);
  }
  skip_rows(rng, rows.after, p.shape(1));
}

#define HELMHOLTZ_NODE_STATES(T)                                                                                 \
  template void ensure_states(const Network&, std::size_t, BasicNodeStates<T>&);                                \
  template void gather_nodes(const std::vector<std::size_t>&, const BasicNodeStates<T>&, Tensor<T, 2>&,     \
                             std::size_t);                                                                       \
  template void gather_parents(const Conditional&, const BasicNodeStates<T>&, std::size_t, Tensor<T, 2>&,  \
                               std::size_t);                                                                     \
  template const Tensor<T, 2>& parent_states(const Conditional&, const BasicNodeStates<T>&, std::size_t,     \
                                                  Tensor<T, 2>&);                                          \
  template void scatter_nodes(const Tensor<T, 2>&, const std::vector<std::size_t>&, BasicNodeStates<T>&);  \
  template void sample_bernoulli(const Tensor<T, 2>&, Tensor<T, 2>&, Rng&, RowShare);
HELMHOLTZ_NODE_STATES(double)
HELMHOLTZ_NODE_STATES(float)
#undef HELMHOLTZ_NODE_STATES

}  // namespace helmholtz
