#pragma once
// A high-precision, deliberately simple reference for exact inference tests: log P(h, d)
// of one full configuration by each unit's closed form, written out from the plugin's flat
// parameters [bias | W] in long double, with P(on) and P(off) each taken from its own
// closed form (never 1 - the other), so that saturated units (sigmoid weights of +-20,
// noisy-or parameters of 0 and 1) keep every digit the 1e-9 comparisons need:
//   sigmoid   log P(on) = -log1p(exp(-a)),        log P(off) = -log1p(exp(a))
//   noisy-or  P(off) = (1 - b) prod_k (1 - W_k x_k),  P(on) = 1 - P(off)
//   odds-sum  log P(on) = log t - log1p(t),       log P(off) = -log1p(t)
// Then log p(d) by summing exp over every hidden configuration, again in long double.
// Hidden units are numbered like the engines number them: hidden nodes in declaration
// order, then units; bit i of a configuration index is hidden unit i.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/graph/network.hpp"

namespace helmholtz::reference {

using Real = long double;
inline constexpr Real minus_infinity = -std::numeric_limits<Real>::infinity();

// log P(unit j = s | parent units x) for the closed form of the plugin's kind.
inline Real unit_log_probability(const Distribution& d, std::size_t j, const std::vector<int>& x, int s) {
  const std::size_t units = d.shape().units, k_count = d.shape().parent_units();
  const Vector& theta = d.parameters();
  const Real b = theta(j);
  auto w = [&](std::size_t k) { return static_cast<Real>(theta(units + j * k_count + k)); };
  const std::string kind(d.kind());
  if (kind == "sigmoid") {
    Real a = b;
    for (std::size_t k = 0; k < k_count; ++k) a += w(k) * x[k];
    return s ? -std::log1p(std::exp(-a)) : -std::log1p(std::exp(a));
  }
  if (kind == "noisy-or") {
    Real off = 1 - b;
    for (std::size_t k = 0; k < k_count; ++k) off *= 1 - w(k) * x[k];
    const Real p = s ? 1 - off : off;
    return p <= 0 ? minus_infinity : std::log(p);
  }
  if (kind == "odds-sum") {
    Real t = b;
    for (std::size_t k = 0; k < k_count; ++k) t += w(k) * x[k];
    if (s && t == 0) return minus_infinity;
    return (s ? std::log(t) : 0) - std::log1p(t);
  }
  throw std::logic_error("reference: no closed form for '" + kind + "'");
}

// log of the product over `model`'s nodes that have a distribution; states[node][unit].
inline Real log_product(const DirectedModel& model, const std::vector<std::vector<int>>& states) {
  Real total = 0;
  for (std::size_t node = 0; node < model.conditionals.size(); ++node) {
    const Conditional& c = model.conditionals[node];
    if (!c.distribution) continue;
    std::vector<int> x;
    for (std::size_t p : c.parents) x.insert(x.end(), states[p].begin(), states[p].end());
    for (std::size_t j = 0; j < states[node].size(); ++j) total += unit_log_probability(*c.distribution, j, x, states[node][j]);
  }
  return total;
}

// Node states for hidden configuration `h` and visible pattern row `row` of `data`.
inline std::vector<std::vector<int>> states_of(const Network& network, unsigned long long h, const Matrix& data,
                                               std::size_t row) {
  std::vector<std::vector<int>> states;
  std::size_t hidden_bit = 0, column = 0;
  for (const Node& node : network.nodes) {
    std::vector<int> s(node.size);
    for (std::size_t u = 0; u < node.size; ++u)
      s[u] = node.observed ? data(row, column++) != 0.0 : static_cast<int>((h >> hidden_bit++) & 1u);
    states.push_back(s);
  }
  return states;
}

inline Real log_joint(const Network& network, unsigned long long h, const Matrix& data, std::size_t row) {
  return log_product(network.generative, states_of(network, h, data, row));
}

inline Real log_recognition(const Network& network, unsigned long long h, const Matrix& data, std::size_t row) {
  return log_product(network.recognition, states_of(network, h, data, row));
}

// log p(d) = log sum_h exp(log P(h, d)), summed directly in long double.
inline Real log_likelihood(const Network& network, const Matrix& data, std::size_t row) {
  const unsigned long long configurations = 1ull << network.hidden_units();
  Real max = minus_infinity;
  std::vector<Real> terms(configurations);
  for (unsigned long long h = 0; h < configurations; ++h) max = std::max(max, terms[h] = log_joint(network, h, data, row));
  if (max == minus_infinity) return minus_infinity;
  Real sum = 0;
  for (Real t : terms) sum += std::exp(t - max);
  return max + std::log(sum);
}

// -F = sum_h Q(h|d) [log P(h, d) - log Q(h|d)], terms with Q = 0 left out.
inline Real free_energy_bound(const Network& network, const Matrix& data, std::size_t row) {
  Real bound = 0;
  for (unsigned long long h = 0; h < (1ull << network.hidden_units()); ++h) {
    const Real log_q = log_recognition(network, h, data, row);
    if (log_q == minus_infinity) continue;
    bound += std::exp(log_q) * (log_joint(network, h, data, row) - log_q);
  }
  return bound;
}

}  // namespace helmholtz::reference
