#pragma once
// A brute-force reference for small networks, independent of the engines and of the
// plugins' own maths, for tests to compare against.
//
// It reads a network's generative model only through what the plugin interface promises:
// each node's conditional (its parents, in the order their units are laid side by side),
// the plugin's kind() and its flat parameters(), laid out as
//   [bias (units) | W (units x parent_units), row-major]
// (framework/weighted_distribution.hpp). From these it writes out each unit's firing
// probability with the closed form of its plugin, by hand:
//   sigmoid   p_j = 1 / (1 + exp(-(b_j + sum_k W_jk x_k)))
//   noisy-or  p_j = 1 - (1 - b_j) prod_k (1 - W_jk x_k)
//   odds-sum  p_j = t_j / (1 + t_j),   t_j = b_j + sum_k W_jk x_k
// and then, by plain products and sums over every configuration of every unit,
//   P(s) = prod_nodes prod_units p_j^s_j (1 - p_j)^(1 - s_j)      (the joint)
//   P(v) = sum_h P(v, h)                                          (a visible pattern)
// Nothing here is clever on purpose: no logs, no batching, no shared code with the
// framework's numerics. The cost is 2^(total units) joint evaluations, so it is for
// networks of at most `max_units` units.
//
// Pattern indices. A pattern of bits is numbered by reading it as a binary number whose
// FIRST bit is the MOST significant, so that sorting indices sorts the text lines the CLI
// prints. A visible pattern is the observed nodes' units side by side in declaration order
// (the data-file column order); a configuration is every node's units side by side in
// declaration order (the column order of `helmholtz sample --all-nodes`).
//
// pearson_test() compares counts of sampled patterns with these probabilities.
//
// A plugin kind without a closed form here is a std::logic_error: add its formula below.
#include <boost/math/distributions/chi_squared.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"

namespace helmholtz::brute_force {

inline constexpr std::size_t max_units = 22;

// Bits of one pattern, each 0 or 1.
using Bits = std::vector<int>;

// P(unit j of the node = 1 | its parents' units are x), x laid out like the plugin's input.
inline double unit_on_probability(const Distribution& distribution, std::size_t j, const std::vector<double>& x) {
  const std::size_t units = distribution.shape().units;
  const std::size_t parent_units = distribution.shape().parent_units();
  const Vector& theta = distribution.parameters();
  if (j >= units) throw std::logic_error("brute_force: unit index out of range");
  if (x.size() != parent_units)
    throw std::logic_error("brute_force: node '" + distribution.shape().node + "' expects " +
                           std::to_string(parent_units) + " parent units, got " + std::to_string(x.size()));
  if (theta.size() != units * (1 + parent_units))
    throw std::logic_error("brute_force: node '" + distribution.shape().node + "' has " +
                           std::to_string(theta.size()) + " parameters, expected bias + weights = " +
                           std::to_string(units * (1 + parent_units)));
  const double b = theta(j);
  auto w = [&](std::size_t k) { return theta(units + j * parent_units + k); };
  const std::string kind(distribution.kind());
  if (kind == "sigmoid") {
    double a = b;
    for (std::size_t k = 0; k < parent_units; ++k) a += w(k) * x[k];
    return 1.0 / (1.0 + std::exp(-a));
  }
  if (kind == "noisy-or") {
    double stays_off = 1.0 - b;
    for (std::size_t k = 0; k < parent_units; ++k) stays_off *= 1.0 - w(k) * x[k];
    return 1.0 - stays_off;
  }
  if (kind == "odds-sum") {
    double t = b;
    for (std::size_t k = 0; k < parent_units; ++k) t += w(k) * x[k];
    return t / (1.0 + t);
  }
  throw std::logic_error("brute_force: no closed form for distribution kind '" + kind + "'");
}

// Total number of units over every node.
inline std::size_t total_units(const Network& network) {
  std::size_t total = 0;
  for (const auto& node : network.nodes) total += node.size;
  return total;
}

// The pattern's index: bits read as a binary number, bits[0] the most significant.
inline std::size_t pattern_index(const Bits& bits) {
  std::size_t index = 0;
  for (int b : bits) index = 2 * index + (b != 0 ? 1 : 0);
  return index;
}

// Index of a text pattern such as "0110" or "01 101 0110"; spaces are skipped.
inline std::size_t pattern_index(const std::string& text) {
  Bits bits;
  for (char c : text) {
    if (c == ' ') continue;
    if (c != '0' && c != '1') throw std::invalid_argument("brute_force: '" + text + "' is not a pattern of 0/1");
    bits.push_back(c == '1');
  }
  return pattern_index(bits);
}

// Index of row `row` of a patterns x units matrix of 0.0/1.0.
inline std::size_t pattern_index(const Matrix& patterns, std::size_t row) {
  Bits bits(patterns.shape(1));
  for (std::size_t c = 0; c < bits.size(); ++c) bits[c] = patterns(row, c) != 0.0;
  return pattern_index(bits);
}

// The inverse of pattern_index for patterns of `width` bits.
inline Bits pattern_bits(std::size_t index, std::size_t width) {
  Bits bits(width);
  for (std::size_t c = width; c-- > 0; index /= 2) bits[c] = static_cast<int>(index % 2);
  return bits;
}

// "0110" for index 6 and width 4.
inline std::string pattern_text(std::size_t index, std::size_t width) {
  std::string text;
  for (int b : pattern_bits(index, width)) text += b != 0 ? '1' : '0';
  return text;
}

// P(every node in the given states) under the generative model; states[node][unit].
inline double joint_probability(const Network& network, const std::vector<Bits>& states) {
  if (states.size() != network.nodes.size()) throw std::logic_error("brute_force: one state vector per node");
  double probability = 1.0;
  for (std::size_t node = 0; node < network.nodes.size(); ++node) {
    const Conditional& conditional = network.generative.conditionals.at(node);
    if (!conditional.distribution)
      throw std::logic_error("brute_force: node '" + network.nodes[node].name + "' has no generative distribution");
    const NodeShape& shape = conditional.distribution->shape();
    if (shape.units != network.nodes[node].size || states[node].size() != shape.units ||
        shape.parents.size() != conditional.parents.size())
      throw std::logic_error("brute_force: shapes of node '" + network.nodes[node].name + "' disagree");
    std::vector<double> x;
    for (std::size_t i = 0; i < conditional.parents.size(); ++i) {
      const std::size_t parent = conditional.parents[i];
      if (shape.parents[i].name != network.nodes[parent].name || shape.parents[i].units != network.nodes[parent].size)
        throw std::logic_error("brute_force: parents of node '" + network.nodes[node].name + "' disagree");
      for (int s : states[parent]) x.push_back(s);
    }
    for (std::size_t j = 0; j < shape.units; ++j) {
      const double p = unit_on_probability(*conditional.distribution, j, x);
      probability *= states[node][j] != 0 ? p : 1.0 - p;
    }
  }
  return probability;
}

// Splits a configuration (every node's units side by side, declaration order) by node.
inline std::vector<Bits> split_by_node(const Network& network, const Bits& configuration) {
  std::vector<Bits> states;
  std::size_t offset = 0;
  for (const auto& node : network.nodes) {
    states.emplace_back(configuration.begin() + offset, configuration.begin() + offset + node.size);
    offset += node.size;
  }
  return states;
}

// P(configuration) for every configuration of every unit, indexed by pattern_index.
inline std::vector<double> configuration_probabilities(const Network& network) {
  const std::size_t width = total_units(network);
  if (width > max_units) throw std::logic_error("brute_force: too many units to enumerate");
  std::vector<double> out(std::size_t{1} << width);
  for (std::size_t index = 0; index < out.size(); ++index)
    out[index] = joint_probability(network, split_by_node(network, pattern_bits(index, width)));
  return out;
}

// P(v) for every visible pattern v, indexed by pattern_index: the joint summed over every
// configuration of the hidden units.
inline std::vector<double> visible_probabilities(const Network& network) {
  const std::size_t width = total_units(network);
  if (width > max_units) throw std::logic_error("brute_force: too many units to enumerate");
  std::vector<double> out(std::size_t{1} << network.visible_units(), 0.0);
  for (std::size_t index = 0; index < (std::size_t{1} << width); ++index) {
    const std::vector<Bits> states = split_by_node(network, pattern_bits(index, width));
    Bits visible;
    for (std::size_t node = 0; node < network.nodes.size(); ++node)
      if (network.nodes[node].observed) visible.insert(visible.end(), states[node].begin(), states[node].end());
    out[pattern_index(visible)] += joint_probability(network, states);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Comparing samples with the reference: Pearson's chi-square goodness-of-fit test.

struct PearsonTest {
  double statistic;                // sum over cells of (observed - expected)^2 / expected
  std::size_t degrees_of_freedom;  // cells after pooling - 1 (no parameter is estimated)
  double threshold;                // the (1 - false_alarm) quantile of chi-square(dof)
  bool passes() const { return statistic <= threshold; }
};

// counts[i] = how often pattern i was drawn; probabilities[i] = its probability. Under the
// hypothesis that the draws are independent with these probabilities, the statistic is
// approximately chi-square with `degrees_of_freedom`, so it exceeds `threshold` with
// probability about `false_alarm`. Cells expecting fewer than 5 draws are pooled into one
// (merged with the smallest other cell if the pool still expects fewer than 5), as the
// approximation requires. A pattern of probability 0 that was drawn makes the statistic
// infinite, however many cells are pooled.
inline PearsonTest pearson_test(const std::vector<double>& counts, const std::vector<double>& probabilities,
                                double false_alarm = 1e-4) {
  if (counts.size() != probabilities.size()) throw std::logic_error("pearson_test: one count per probability");
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  std::vector<std::pair<double, double>> cells;  // (expected, observed)
  double pooled_expected = 0, pooled_observed = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double expected = total * probabilities[i];
    if (probabilities[i] == 0.0 && counts[i] > 0)
      return {std::numeric_limits<double>::infinity(), 0, 0.0};
    if (expected < 5.0) {
      pooled_expected += expected;
      pooled_observed += counts[i];
    } else {
      cells.push_back({expected, counts[i]});
    }
  }
  if (pooled_expected > 0.0) {
    if (pooled_expected < 5.0 && !cells.empty()) {
      auto smallest = std::min_element(cells.begin(), cells.end());
      smallest->first += pooled_expected;
      smallest->second += pooled_observed;
    } else {
      cells.push_back({pooled_expected, pooled_observed});
    }
  }
  if (cells.size() < 2) throw std::logic_error("pearson_test: fewer than two cells, nothing to test");
  double statistic = 0;
  for (const auto& [expected, observed] : cells) statistic += (observed - expected) * (observed - expected) / expected;
  const std::size_t dof = cells.size() - 1;
  const double threshold = boost::math::quantile(
      boost::math::complement(boost::math::chi_squared(static_cast<double>(dof)), false_alarm));
  return {statistic, dof, threshold};
}

}  // namespace helmholtz::brute_force
