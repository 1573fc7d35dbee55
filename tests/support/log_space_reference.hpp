#pragma once
// A high-precision, deliberately simple reference for exact inference tests: log P(h, d)
// of one full configuration by each unit's closed form, written out from the plugin's flat
// parameters [bias | W] in long double, with P(on) and P(off) each taken from its own
// closed form (never 1 - the other), so that saturated units (sigmoid weights of +-20 and
// far beyond, noisy-or parameters of 0, 1 and 1e-300) keep every digit the 1e-9
// comparisons need:
//   sigmoid   log P(on) = -softplus(-a),  log P(off) = -softplus(a),
//             softplus(x) = log(1 + e^x), as x + log1p(e^-x) for x > 0 (no overflow at a = 1e6)
//   noisy-or  log P(off) = log1p(-b) + sum_k x_k log1p(-W_k),  log P(on) = log(-expm1(log P(off)))
//             (the product form would round 1 - 1e-300 to 1)
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
    const Real x_on = s ? -a : a;  // log P = -softplus(x_on)
    return x_on > 0 ? -(x_on + std::log1p(std::exp(-x_on))) : -std::log1p(std::exp(x_on));
  }
  if (kind == "noisy-or") {
    Real log_off = std::log1p(-b);
    for (std::size_t k = 0; k < k_count; ++k)
      if (x[k]) log_off += std::log1p(-w(k));
    if (!s) return log_off;
    return log_off == 0 ? minus_infinity : std::log(-std::expm1(log_off));
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

// -F = sum_h Q(h|d) [log P(h, d) - log Q(h|d)], terms with Q = 0 left out; -inf when Q
// gives some h that P makes impossible, however small Q(h|d) is (even below the range of
// long double: Q > 0 times -inf).
inline Real free_energy_bound(const Network& network, const Matrix& data, std::size_t row) {
  Real bound = 0;
  for (unsigned long long h = 0; h < (1ull << network.hidden_units()); ++h) {
    const Real log_q = log_recognition(network, h, data, row);
    if (log_q == minus_infinity) continue;
    const Real log_p = log_joint(network, h, data, row);
    if (log_p == minus_infinity) return minus_infinity;
    bound += std::exp(log_q) * (log_p - log_q);
  }
  return bound;
}

}  // namespace helmholtz::reference
