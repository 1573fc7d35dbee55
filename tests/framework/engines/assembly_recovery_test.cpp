// Reading planted assemblies off a hidden node's generative weights
// (framework/engines/assembly_recovery.hpp). Facts checked, on weights typed by hand:
//   generative_weights reads W(channel, unit) of the "weights" block into a units x channels
//   matrix, from the right columns when the hidden node is not the first parent;
//   a unit's top M channels are its M largest weights, the lower channel first on a tie;
//   each assembly's best unit and Jaccard |A n T| / |A u T| are the ones counted by hand
//   (including a tie between units, won by the lowest), with the number recovered and the mean;
//   every misuse is an Error that says what was wrong.
#include <doctest/doctest.h>

#include <memory>

#include "framework/engines/assembly_recovery.hpp"
#include "framework/error.hpp"
#include "framework/io/model_file.hpp"
#include "framework/registry.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

// Six channels under three cells (noisy-or weights, a row per channel, a column per cell),
// beside a node 'other' of two units whose columns come first. What each cell's weights say:
//   cell 0: 0.9, 0.8, 0.7 to channels 0, 1, 2    top 3 {0 1 2}, top 2 {0 1}
//   cell 1: 0.9, 0.8, 0.7 to channels 3, 4, 0    top 3 {0 3 4}, top 2 {3 4}
//   cell 2: 0.9, 0.8, 0.7 to channels 5, 1, 2    top 3 {1 2 5}, top 2 {1 5}
// The 'other' columns are all 1: read from the wrong columns, every cell would look alike.
const std::string planted_yaml = R"(name: planted
nodes:
  - {name: top,      type: binary, size: 1}
  - {name: other,    type: binary, size: 2}
  - {name: cells,    type: binary, size: 3}
  - {name: channels, type: binary, size: 6, observed: true}
generative:
  top:      {distribution: sigmoid}
  other:    {distribution: sigmoid}
  cells:    {distribution: sigmoid, parents: [top]}
  channels: {distribution: noisy-or, parents: [other, cells],
             weights: {other: [[1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]],
                       cells: [[0.9, 0.7, 0.0],
                               [0.8, 0.0, 0.8],
                               [0.7, 0.0, 0.7],
                               [0.0, 0.9, 0.0],
                               [0.0, 0.8, 0.0],
                               [0.0, 0.0, 0.9]]}}
)";

using Channels = std::vector<std::size_t>;

TEST_CASE("generative_weights: units x channels from the hidden node's columns of the weights block") {
  const Network network = parse_model(planted_yaml, "planted.yaml");
  const Matrix w = generative_weights(network, network.index_of("cells"), network.index_of("channels"));
  REQUIRE(w.shape(0) == 3);
  REQUIRE(w.shape(1) == 6);
  const double typed[6][3] = {{0.9, 0.7, 0.0}, {0.8, 0.0, 0.8}, {0.7, 0.0, 0.7},
                              {0.0, 0.9, 0.0}, {0.0, 0.8, 0.0}, {0.0, 0.0, 0.9}};
  for (std::size_t c = 0; c < 6; ++c)
    for (std::size_t h = 0; h < 3; ++h) CHECK(w(h, c) == typed[c][h]);
  const Matrix other = generative_weights(network, network.index_of("other"), network.index_of("channels"));
  CHECK(other.shape(0) == 2);
  for (double x : other) CHECK(x == 1.0);
}

TEST_CASE("top_channels: the M largest weights, the lower channel first on a tie, listed in increasing order") {
  Matrix w = Matrix::from_shape({2, 5});
  const double rows[2][5] = {{0.1, 0.5, 0.3, 0.5, 0.2}, {0, 0, 0, 0, 0}};
  for (std::size_t h = 0; h < 2; ++h)
    for (std::size_t c = 0; c < 5; ++c) w(h, c) = rows[h][c];
  CHECK(top_channels(w, 0, 1) == Channels{1});  // 0.5 at channels 1 and 3: the lower
  CHECK(top_channels(w, 0, 2) == Channels{1, 3});
  CHECK(top_channels(w, 0, 3) == Channels{1, 2, 3});
  CHECK(top_channels(w, 1, 2) == Channels{0, 1});
  CHECK(top_channels(w, 0, 9) == Channels{0, 1, 2, 3, 4});
}

TEST_CASE("jaccard: shared channels over channels in either") {
  CHECK(jaccard({0, 1, 2}, {2, 1, 0}) == 1.0);
  CHECK(jaccard({3, 4, 5}, {0, 3, 4}) == 0.5);   // {3 4} of {0 3 4 5}
  CHECK(jaccard({3, 4, 5}, {1, 2, 5}) == 0.2);   // {5} of {1 2 3 4 5}
  CHECK(jaccard({1, 3}, {0, 1}) == doctest::Approx(1.0 / 3.0));
  CHECK(jaccard({0, 1}, {2, 3}) == 0.0);
}

TEST_CASE("recover_assemblies: each assembly's best unit and Jaccard, the number recovered and the mean") {
  const Network network = parse_model(planted_yaml, "planted.yaml");
  const Matrix w = generative_weights(network, network.index_of("cells"), network.index_of("channels"));
  // {0 1 2}: cell 0's top 3 exactly, J = 1.
  // {3 4 5}: cell 1's {0 3 4} shares 2 of 4, J = 1/2; cell 2's {1 2 5} 1 of 5; cell 0 none.
  // {1 3}:   top 2 {0 1}, {3 4}, {1 5}: each shares one channel of three, J = 1/3, a tie won by cell 0.
  const AssemblyRecovery r = recover_assemblies(w, {{0, 1, 2}, {3, 4, 5}, {1, 3}});
  REQUIRE(r.matches.size() == 3);
  CHECK(r.matches[0].unit == 0);
  CHECK(r.matches[0].top_channels == Channels{0, 1, 2});
  CHECK(r.matches[0].jaccard == 1.0);
  CHECK(r.matches[1].unit == 1);
  CHECK(r.matches[1].top_channels == Channels{0, 3, 4});
  CHECK(r.matches[1].jaccard == 0.5);
  CHECK(r.matches[2].unit == 0);
  CHECK(r.matches[2].top_channels == Channels{0, 1});
  CHECK(r.matches[2].jaccard == doctest::Approx(1.0 / 3.0));
  CHECK(r.recovered == 1);
  CHECK(r.mean_jaccard == doctest::Approx((1.0 + 0.5 + 1.0 / 3.0) / 3.0));
  // An assembly given in any order is the same set.
  const AssemblyRecovery shuffled = recover_assemblies(w, {{5, 1, 2}});
  CHECK(shuffled.matches[0].unit == 2);
  CHECK(shuffled.matches[0].jaccard == 1.0);
  CHECK(shuffled.recovered == 1);
  CHECK(shuffled.mean_jaccard == 1.0);
}

TEST_CASE("recover_assemblies: no assemblies, an empty one, a repeated or out-of-range channel are errors") {
  Matrix w = Matrix::from_shape({2, 4});
  w.fill(0.0);
  CHECK_THROWS_WITH_AS(recover_assemblies(w, {}), "recover_assemblies: no assemblies to recover", Error);
  CHECK_THROWS_WITH_AS(recover_assemblies(w, {{0, 1}, {}}), "recover_assemblies: assembly 1 is empty", Error);
  CHECK_THROWS_WITH_AS(recover_assemblies(w, {{0, 2, 0}}), "recover_assemblies: assembly 0: channel 0 is listed twice",
                       Error);
  CHECK_THROWS_WITH_AS(recover_assemblies(w, {{1}, {3, 4}}),
                       "recover_assemblies: assembly 1: channel 4 is out of range: there are 4 channels", Error);
}

// A plugin whose weights go by another name: there is nothing the measure may read.
class Gains final : public Distribution {
 public:
  explicit Gains(NodeShape shape) : Distribution(std::move(shape)) {
    declare_parameters({ParameterBlock{"gains", BlockLayout::per_unit_and_parent}});
  }
  std::string_view kind() const override { return "gains"; }
  void probabilities(const Matrix& parents, Matrix& p) const override {
    ensure_shape(p, parents.shape(0), shape().units);
    p.fill(0.5);
  }
  void log_firing_probabilities(const Matrix& parents, Matrix& on, Matrix& off) const override {
    probabilities(parents, on);
    probabilities(parents, off);
    for (double& x : on) x = std::log(x);
    for (double& x : off) x = std::log(x);
  }
  void log_probability(const Matrix& parents, const Matrix&, Vector& log_p, Workspace&) const override {
    ensure_shape(log_p, parents.shape(0));
    log_p.fill(static_cast<double>(shape().units) * std::log(0.5));
  }
  void accumulate_gradient(const Matrix&, const Matrix&, const Vector&, std::span<double>, Workspace&) const override {}
  std::unique_ptr<Distribution> clone() const override { return std::make_unique<Gains>(*this); }
};

TEST_CASE("generative_weights: a node that is not hidden, not observed or not a parent, and a plugin without weights") {
  const Network network = parse_model(planted_yaml, "planted.yaml");
  const std::size_t top = network.index_of("top"), cells = network.index_of("cells"),
                    channels = network.index_of("channels");
  CHECK_THROWS_WITH_AS(generative_weights(network, channels, channels), "node 'channels' is not a hidden node of 'planted'",
                       Error);
  CHECK_THROWS_WITH_AS(generative_weights(network, 9, channels), "node number 9 is not a hidden node of 'planted'", Error);
  CHECK_THROWS_WITH_AS(generative_weights(network, top, cells), "node 'cells' is not an observed node of 'planted'", Error);
  CHECK_THROWS_WITH_AS(generative_weights(network, top, channels), "node 'top' is not a generative parent of 'channels'",
                       Error);

  Registry registry;
  register_builtin_plugins(registry);
  registry.add("gains", [](NodeShape s) { return std::make_unique<Gains>(std::move(s)); });
  const Network gains = parse_model(R"(name: gains
nodes:
  - {name: cells,    type: binary, size: 2}
  - {name: channels, type: binary, size: 3, observed: true}
generative:
  cells:    {distribution: sigmoid}
  channels: {distribution: gains, parents: [cells]}
)",
                                    "gains.yaml", registry);
  CHECK_THROWS_WITH_AS(generative_weights(gains, 0, 1),
                       "generative.channels (gains): no block named 'weights' (a weight per unit and parent unit) "
                       "to read the hidden units' channels from",
                       Error);
}

}  // namespace
}  // namespace helmholtz
