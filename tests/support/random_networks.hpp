#pragma once
// Small random networks for engine tests: a fixed shape declared in YAML, each node's
// plugin chosen at random among the built-in ones, and parameters drawn with deliberately
// extreme values mixed in (sigmoid weights of +-20, noisy-or parameters of exactly 0 and
// 1, odds-sum parameters of exactly 0), so that saturated units are exercised.
#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <string>
#include <vector>

#include "plugins/builtin.hpp"
#include "framework/io/model_file.hpp"
#include "framework/random.hpp"

namespace helmholtz::testing {

inline const std::vector<std::string> builtin_kinds = {"sigmoid", "noisy-or", "odds-sum"};

// Draws parameters for one distribution according to its kind, with extremes mixed in.
inline void randomise(Distribution& d, Rng& rng, bool extremes = true) {
  Vector theta = d.parameters();
  boost::random::uniform_real_distribution<double> u01(0.0, 1.0);
  const std::string kind(d.kind());
  for (double& x : theta) {
    const double r = u01(rng);
    if (kind == "sigmoid") x = extremes && r < 0.1 ? 20.0 : extremes && r < 0.2 ? -20.0 : 6.0 * u01(rng) - 3.0;
    else if (kind == "noisy-or") x = extremes && r < 0.15 ? 0.0 : extremes && r < 0.25 ? 1.0 : u01(rng);
    else x = extremes && r < 0.2 ? 0.0 : 2.0 * u01(rng);
  }
  d.set_parameters(theta);
}

// A network of the given YAML shape: every `KIND` in the text is replaced by a random
// plugin name, then every distribution (both directions) gets random parameters.
inline Network random_network(std::string yaml, Rng& rng, bool extremes = true) {
  const std::string placeholder = "KIND";
  for (std::size_t at = yaml.find(placeholder); at != std::string::npos; at = yaml.find(placeholder, at)) {
    const auto& kind = builtin_kinds[boost::random::uniform_int_distribution<std::size_t>(0, 2)(rng)];
    yaml.replace(at, placeholder.size(), kind);
  }
  Network network = parse_model(yaml, "random.yaml");
  for (auto* model : {&network.generative, &network.recognition})
    for (auto& c : model->conditionals)
      if (c.distribution) randomise(*c.distribution, rng, extremes);
  return network;
}

// Two hidden layers above the data, a node with two parents, all plugins random.
inline const char* const layered_shape = R"(
nodes:
  - {name: top,  type: binary, size: 2}
  - {name: left, type: binary, size: 2}
  - {name: right, type: binary, size: 2}
  - {name: data, type: binary, size: 4, observed: true}
generative:
  top:   {distribution: KIND}
  left:  {distribution: KIND, parents: [top]}
  right: {distribution: KIND, parents: [top]}
  data:  {distribution: KIND, parents: [left, right]}
)";

// Every role a node can have in exact enumeration: an observed node with an observed
// parent, a hidden node with an observed parent, an observed root.
inline const char* const mixed_shape = R"(
nodes:
  - {name: cue,  type: binary, size: 2, observed: true}
  - {name: top,  type: binary, size: 2}
  - {name: mid,  type: binary, size: 2}
  - {name: data, type: binary, size: 3, observed: true}
  - {name: echo, type: binary, size: 2, observed: true}
generative:
  cue:  {distribution: KIND}
  top:  {distribution: KIND}
  mid:  {distribution: KIND, parents: [top, cue]}
  data: {distribution: KIND, parents: [mid, top]}
  echo: {distribution: KIND, parents: [cue]}
recognition:
  mid: {distribution: sigmoid, parents: [data, cue]}
  top: {distribution: sigmoid, parents: [mid, data]}
)";

}  // namespace helmholtz::testing
