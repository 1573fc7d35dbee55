#include "framework/engines/node_states.hpp"

#include <algorithm>

namespace helmholtz {

void ensure_states(const Network& network, std::size_t patterns, NodeStates& states) {
  states.resize(network.nodes.size());
  for (std::size_t i = 0; i < network.nodes.size(); ++i) ensure_shape(states[i], patterns, network.nodes[i].size);
}

void gather_nodes(const std::vector<std::size_t>& nodes, const NodeStates& states, Matrix& out) {
  const std::size_t patterns = nodes.empty() ? 0 : states[nodes.front()].shape(0);
  std::size_t width = 0;
  for (std::size_t p : nodes) width += states[p].shape(1);
  ensure_shape(out, patterns, width);
  for (std::size_t n = 0; n < patterns; ++n) {
    double* row = &out(n, 0);
    for (std::size_t p : nodes) {
      const Matrix& s = states[p];
      const double* from = s.data() + n * s.shape(1);
      row = std::copy(from, from + s.shape(1), row);
    }
  }
}

void gather_parents(const Conditional& conditional, const NodeStates& states, std::size_t patterns, Matrix& out) {
  if (conditional.parents.empty()) {
    ensure_shape(out, patterns, 0);  // a root: zero columns, but the batch size still counts
    return;
  }
  gather_nodes(conditional.parents, states, out);
}

void scatter_nodes(const Matrix& patterns, const std::vector<std::size_t>& nodes, NodeStates& states) {
  for (std::size_t n = 0; n < patterns.shape(0); ++n) {
    const double* row = patterns.data() + n * patterns.shape(1);
    for (std::size_t p : nodes) {
      Matrix& s = states[p];
      std::copy(row, row + s.shape(1), s.data() + n * s.shape(1));
      row += s.shape(1);
    }
  }
}

void sample_bernoulli(const Matrix& p, Matrix& states, Rng& rng) {
  ensure_shape(states, p.shape(0), p.shape(1));
  // Uniforms a block at a time, then the comparisons in a separate loop, which the compiler
  // vectorises without branches (a comparison per draw would be an unpredictable branch).
  constexpr std::size_t block = 256;
  double u[block];
  const double* probability = p.data();
  double* s = states.data();
  for (std::size_t first = 0, n = p.size(); first < n; first += block) {
    const std::size_t m = std::min(block, n - first);
    for (std::size_t j = 0; j < m; ++j) u[j] = uniform01(rng);
    for (std::size_t j = 0; j < m; ++j) s[first + j] = u[j] < probability[first + j] ? 1.0 : 0.0;
  }
}

}  // namespace helmholtz
