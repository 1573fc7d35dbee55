#pragma once
// Random networks with parameters at and beyond the edges of their plugins' ranges, for the
// extreme-parameter property test: a random DAG of a few small nodes (roots, hidden nodes
// under observed ones, observed nodes under observed ones), every generative and
// recognition entry a random built-in plugin, and each parameter drawn, about half the time,
// from a list of extreme values of its plugin:
//   sigmoid   +-1e6, +-1e3, +-745, +-710, +-1e2, +-40, +-1e-300, 0      (saturated, and exp
//             overflowing or underflowing a double)
//   noisy-or  exactly 0 and 1, 1 - 2^-53, 1e-300, the smallest subnormal
//   odds-sum  exactly 0, 1e12, 1e100, 1e-300, the smallest subnormal
// The `beyond` tier adds sigmoid +-1e15 and +-1e100 and odds-sum 1e300 and 1e308 (whose sums
// overflow), far beyond anything training reaches, where only the absence of NaN is asked for.
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "framework/io/model_file.hpp"
#include "framework/random.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::testing {

enum class Extremes { within, beyond };

inline std::size_t draw_index(Rng& rng, std::size_t count) {
  return boost::random::uniform_int_distribution<std::size_t>(0, count - 1)(rng);
}

inline double extreme_value(const std::string& kind, Rng& rng, Extremes tier) {
  const double smallest = std::numeric_limits<double>::denorm_min();
  const double below_one = 1.0 - 0x1.0p-53;
  if (kind == "sigmoid") {
    std::vector<double> values = {1e6, -1e6, 1e3, -1e3, 745, -745, 710, -710, 1e2, -1e2, 40, -40, 1e-300, -1e-300, 0};
    if (tier == Extremes::beyond) values.insert(values.end(), {1e100, -1e100, 1e15, -1e15});
    return values[draw_index(rng, values.size())];
  }
  if (kind == "noisy-or") {
    const std::vector<double> values = {0.0, 1.0, 0.0, 1.0, below_one, 1e-300, smallest};
    return values[draw_index(rng, values.size())];
  }
  std::vector<double> values = {0.0, 0.0, 1e12, 1e100, 1e-300, smallest};
  if (tier == Extremes::beyond) values.insert(values.end(), {1e300, 1e308});  // 1e308 + 1e308 overflows
  return values[draw_index(rng, values.size())];
}

// Each parameter of `d` extreme with probability `share`, otherwise an ordinary value.
inline void randomise_extremes(Distribution& d, Rng& rng, Extremes tier, double share = 0.5) {
  Vector theta = d.parameters();
  const std::string kind(d.kind());
  boost::random::uniform_real_distribution<double> u01(0.0, 1.0);
  for (double& x : theta) {
    if (u01(rng) < share) x = extreme_value(kind, rng, tier);
    else if (kind == "sigmoid") x = 6.0 * u01(rng) - 3.0;
    else if (kind == "noisy-or") x = u01(rng);
    else x = 2.0 * u01(rng);
  }
  d.set_parameters(theta);
}

struct ShapeOptions {
  std::size_t most_hidden_units = 8;
  std::size_t most_visible_units = 5;
  // At least this many hidden units (the last hidden node grows to make them up): 11 and more
  // reach the factorised path's high bits and Gray-code walks past the recomputation
  // interval, 13 and more split the configurations between two shares.
  std::size_t least_hidden_units = 1;
  // Observed nodes sigmoid with hidden parents only, hidden nodes under hidden nodes only:
  // the networks whose log p(d) the factorised path sums.
  bool factorising = false;
};

// A random model file: 1-3 hidden nodes and 1-2 observed ones (1-3 units each, within the
// limits; a hidden node more to make up least_hidden_units), in a random declaration order, each node's generative parents a random subset
// of the nodes before it; a declared recognition network in which every hidden node has at
// least one parent among the observed nodes and the hidden nodes declared after it (so it
// is acyclic). Every distribution is KIND, to be replaced by a random plugin.
inline std::string random_shape(Rng& rng, const ShapeOptions& options) {
  struct Shape {
    std::string name;
    std::size_t size;
    bool observed;
  };
  std::vector<Shape> nodes;
  std::size_t hidden = 0, visible = 0;
  const std::size_t hidden_nodes = 1 + draw_index(rng, 3), observed_nodes = 1 + draw_index(rng, 2);
  for (std::size_t i = 0; i < hidden_nodes; ++i) {
    const std::size_t room = options.most_hidden_units - hidden - (hidden_nodes - 1 - i);
    const std::size_t size = std::min<std::size_t>(1 + draw_index(rng, 3), room);
    if (size == 0) break;
    nodes.push_back({"h" + std::to_string(i), size, false});
    hidden += size;
  }
  if (hidden < options.least_hidden_units) {
    nodes.back().size += options.least_hidden_units - hidden;
    hidden = options.least_hidden_units;
  }
  for (std::size_t i = 0; i < observed_nodes; ++i) {
    const std::size_t room = options.most_visible_units - visible - (observed_nodes - 1 - i);
    const std::size_t size = std::min<std::size_t>(1 + draw_index(rng, 3), room);
    if (size == 0) break;
    nodes.push_back({"v" + std::to_string(i), size, true});
    visible += size;
  }
  // A random declaration order (Fisher-Yates); factorising networks keep hidden nodes first.
  if (!options.factorising)
    for (std::size_t i = nodes.size(); i > 1; --i) std::swap(nodes[i - 1], nodes[draw_index(rng, i)]);
  std::string yaml = "nodes:\n";
  for (const Shape& n : nodes)
    yaml += "  - {name: " + n.name + ", type: binary, size: " + std::to_string(n.size) +
            (n.observed ? ", observed: true}\n" : "}\n");
  yaml += "generative:\n";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::string parents;
    for (std::size_t j = 0; j < i; ++j) {
      if (options.factorising && nodes[j].observed) continue;
      if (draw_index(rng, 2) == 0) parents += (parents.empty() ? "" : ", ") + nodes[j].name;
    }
    const bool sigmoid = options.factorising && nodes[i].observed;
    yaml += "  " + nodes[i].name + ": {distribution: " + (sigmoid ? "sigmoid" : "KIND") +
            (parents.empty() ? "" : ", parents: [" + parents + "]") + "}\n";
  }
  yaml += "recognition:\n";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].observed) continue;
    std::vector<std::string> candidates;
    std::string parents;
    for (std::size_t j = 0; j < nodes.size(); ++j) {
      if (!(nodes[j].observed || j > i)) continue;
      candidates.push_back(nodes[j].name);
      if (draw_index(rng, 2) == 0) parents += (parents.empty() ? "" : ", ") + nodes[j].name;
    }
    if (parents.empty()) {  // at least one, and an observed node is always a candidate
      std::vector<std::string> observed;
      for (const Shape& n : nodes)
        if (n.observed) observed.push_back(n.name);
      parents = observed[draw_index(rng, observed.size())];
    }
    yaml += "  " + nodes[i].name + ": {distribution: KIND, parents: [" + parents + "]}\n";
  }
  return yaml;
}

// The model of random_shape with every KIND replaced by a random built-in plugin and every
// parameter of both directions drawn by randomise_extremes.
inline Network extreme_network(Rng& rng, const ShapeOptions& options, Extremes tier) {
  static const std::vector<std::string> kinds = {"sigmoid", "noisy-or", "odds-sum"};
  std::string yaml = random_shape(rng, options);
  const std::string placeholder = "KIND";
  for (std::size_t at = yaml.find(placeholder); at != std::string::npos; at = yaml.find(placeholder, at))
    yaml.replace(at, placeholder.size(), kinds[draw_index(rng, kinds.size())]);
  Network network = parse_model(yaml, "extreme.yaml");
  for (auto* model : {&network.generative, &network.recognition})
    for (auto& c : model->conditionals)
      if (c.distribution) randomise_extremes(*c.distribution, rng, tier);
  return network;
}

// Ten hidden units above one sigmoid unit d, on with certainty unless all ten are on
// (weights of 90 each, bias -850), whose prior puts almost all its mass elsewhere (biases
// of -80): for d on, the factorised sum's scaled factors peak at different low parts and
// every product underflows, so that pattern is doubtful and goes to the per-pattern walk.
inline Network underflowing_factorised_sum() {
  std::string weights = "[";
  for (int k = 0; k < 10; ++k) weights += std::string(k ? ", " : "") + "90";
  weights += "]";
  return parse_model(R"(
nodes:
  - {name: h, type: binary, size: 10}
  - {name: d, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [-80, -80, -80, -80, -80, -80, -80, -80, -80, -80]}
  d: {distribution: sigmoid, parents: [h], bias: [-850], weights: {h: [)" + weights + R"(]}}
)", "extreme.yaml");
}

}  // namespace helmholtz::testing
