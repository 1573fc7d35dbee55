// Ancestral sampling draws every node from P(node | parents) in topological order, so a
// sample of the observed nodes is a draw from the marginal
//   P(v) = sum_h prod_nodes P(s_node | s_parents)
// and a sample of every node is a draw from the joint. These tests compare empirical
// frequencies over 10^5 samples with those probabilities computed by brute force
// (tests/support/brute_force.hpp), using Pearson's chi-square test at false-alarm rate
// 1e-4 (cells expecting fewer than 5 draws pooled), and show that the same test rejects a
// slightly different network. Seeds are fixed, so every run draws the same samples.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "plugins/builtin.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/io/model_file.hpp"
#include "framework/registry.hpp"
#include "tests/support/brute_force.hpp"

namespace helmholtz {
namespace {

// ---------------------------------------------------------------------------------------
// Building small networks directly from plugins and parameter vectors.

struct NodeSpec {
  std::string name;
  std::size_t size;
  bool observed;
  std::string kind;
  std::vector<std::string> parents;
  std::vector<double> parameters;  // [bias | weights], or empty to draw them (see below)
};

// Parameters in each plugin's range, chosen so that no visible pattern is very rare and
// every parent has a visible effect.
std::vector<double> draw_parameters(const std::string& kind, std::size_t units, std::size_t count, Rng& rng) {
  double bias_low = 0, bias_high = 0, weight_low = 0, weight_high = 0;
  if (kind == "sigmoid") bias_low = -1.0, bias_high = 1.0, weight_low = -2.5, weight_high = 2.5;
  if (kind == "noisy-or") bias_low = 0.05, bias_high = 0.3, weight_low = 0.3, weight_high = 0.95;
  if (kind == "odds-sum") bias_low = 0.1, bias_high = 0.8, weight_low = 0.2, weight_high = 2.5;
  std::vector<double> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double u = uniform01(rng);
    out[i] = i < units ? bias_low + u * (bias_high - bias_low) : weight_low + u * (weight_high - weight_low);
  }
  return out;
}

Network make_network(const std::vector<NodeSpec>& specs, std::uint64_t parameter_seed = 1) {
  Network network;
  network.name = "test";
  for (const auto& s : specs) network.nodes.push_back(Node{s.name, NodeType::binary, s.size, s.observed});
  Rng rng = make_rng(parameter_seed);
  std::vector<Conditional> conditionals;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    NodeShape shape{specs[i].name, specs[i].size, {}};
    std::vector<std::size_t> parents;
    for (const auto& p : specs[i].parents) {
      parents.push_back(network.index_of(p));
      shape.parents.push_back({p, network.nodes[parents.back()].size});
    }
    auto distribution = builtin_registry().create(specs[i].kind, shape);
    std::vector<double> values = specs[i].parameters;
    if (values.empty()) values = draw_parameters(specs[i].kind, specs[i].size, distribution->parameters().size(), rng);
    REQUIRE(values.size() == distribution->parameters().size());
    Vector theta = Vector::from_shape({values.size()});
    std::copy(values.begin(), values.end(), theta.begin());
    distribution->set_parameters(theta);
    distribution->validate(Where{"test", 0, 0, "generative." + specs[i].name});
    conditionals.emplace_back(std::move(parents), std::move(distribution));
  }
  network.generative = DirectedModel::from(std::move(conditionals));
  return network;
}

const std::vector<std::string> kinds = {"sigmoid", "noisy-or", "odds-sum"};

// Five nodes, declared out of topological order, with two observed nodes (visible pattern
// = data's 3 units then flag's 1 unit) and two nodes with two parents:
//   top (1) -> side (2);  side, top -> c (2);  c, side -> data (3, observed);
//   top -> flag (1, observed).
// The data node uses kinds[data_kind]; the hidden nodes use the other plugins as well, so
// every network holds all three.
Network mixed_network(std::size_t data_kind) {
  const auto kind = [&](std::size_t shift) { return kinds[(data_kind + shift) % kinds.size()]; };
  return make_network({{"data", 3, true, kind(0), {"c", "side"}, {}},
                       {"c", 2, false, kind(1), {"side", "top"}, {}},
                       {"flag", 1, true, kind(1), {"top"}, {}},
                       {"top", 1, false, kind(0), {}, {}},
                       {"side", 2, false, kind(2), {"top"}, {}}},
                      /*parameter_seed=*/100 + data_kind);
}

using brute_force::pearson_test;
using brute_force::PearsonTest;

// The pattern of observed units of sample n (data-file column order), as an index.
std::size_t visible_index(const Network& network, const NodeStates& states, std::size_t n) {
  brute_force::Bits bits;
  for (std::size_t node = 0; node < network.nodes.size(); ++node)
    if (network.nodes[node].observed)
      for (std::size_t j = 0; j < network.nodes[node].size; ++j) bits.push_back(states[node](n, j) != 0.0);
  return brute_force::pattern_index(bits);
}

// Every unit of sample n, nodes in declaration order, as an index.
std::size_t configuration_index(const Network& network, const NodeStates& states, std::size_t n) {
  brute_force::Bits bits;
  for (std::size_t node = 0; node < network.nodes.size(); ++node)
    for (std::size_t j = 0; j < network.nodes[node].size; ++j) bits.push_back(states[node](n, j) != 0.0);
  return brute_force::pattern_index(bits);
}

struct Histograms {
  std::vector<double> visible, configurations;
};

// Counts of visible patterns and of whole configurations over `total` ancestral samples,
// drawn in batches so that the sampler's buffers are reused between batches.
Histograms sample_histograms(const Network& network, std::size_t total, std::size_t batch, std::uint64_t seed) {
  Histograms h{std::vector<double>(std::size_t{1} << network.visible_units(), 0.0),
               std::vector<double>(std::size_t{1} << brute_force::total_units(network), 0.0)};
  AncestralSampler sampler(network);
  Rng rng = make_rng(seed);
  for (std::size_t done = 0; done < total; done += batch) {
    const NodeStates& states = sampler.sample(batch, rng);
    for (std::size_t n = 0; n < batch; ++n) {
      h.visible[visible_index(network, states, n)] += 1;
      h.configurations[configuration_index(network, states, n)] += 1;
    }
  }
  return h;
}

void check_sums_to_one(const std::vector<double>& probabilities) {
  double sum = 0;
  for (double p : probabilities) {
    CHECK(p >= 0.0);
    CHECK(p <= 1.0);
    sum += p;
  }
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
}

constexpr std::size_t sample_count = 100000;

// ---------------------------------------------------------------------------------------
// The reference itself.

TEST_CASE("brute-force reference: hand-computed marginals of two- and three-node networks") {
  const double logit_three_quarters = std::log(3.0);  // sigmoid(log 3) = 3/4
  SUBCASE("noisy-or child of a sigmoid root") {
    // P(data) = 3/4 (1 - 0.8 * 0.5) + 1/4 * 0.2 = 0.45 + 0.05 = 1/2.
    const Network n = make_network({{"top", 1, false, "sigmoid", {}, {logit_three_quarters}},
                                    {"data", 1, true, "noisy-or", {"top"}, {0.2, 0.5}}});
    const auto p = brute_force::visible_probabilities(n);
    REQUIRE(p.size() == 2);
    CHECK(p[1] == doctest::Approx(0.5).epsilon(1e-14));
    CHECK(p[0] == doctest::Approx(0.5).epsilon(1e-14));
  }
  SUBCASE("odds-sum child of a sigmoid root") {
    // odds 1 + 2 top: P(data) = 1/4 * 1/2 + 3/4 * 3/4 = 0.6875.
    const Network n = make_network({{"top", 1, false, "sigmoid", {}, {logit_three_quarters}},
                                    {"data", 1, true, "odds-sum", {"top"}, {1.0, 2.0}}});
    CHECK(brute_force::visible_probabilities(n)[1] == doctest::Approx(0.6875).epsilon(1e-14));
  }
  SUBCASE("noisy-or with two parents: the weights go with the right parent") {
    // P(a) = 3/4, P(b) = 1/2; p = 1 - 0.9 (1 - 0.5 a)(1 - 0.4 b):
    //   (a,b) = 00: 0.1, 10: 0.55, 01: 0.46, 11: 0.73
    //   P(data) = 1/8 (0.1 + 0.46) + 3/8 (0.55 + 0.73) = 0.07 + 0.48 = 0.55
    // (0.5275 if the two weights were swapped between the parents).
    const Network n = make_network({{"a", 1, false, "sigmoid", {}, {logit_three_quarters}},
                                    {"b", 1, false, "sigmoid", {}, {0.0}},
                                    {"data", 1, true, "noisy-or", {"a", "b"}, {0.1, 0.5, 0.4}}});
    CHECK(brute_force::visible_probabilities(n)[1] == doctest::Approx(0.55).epsilon(1e-14));
  }
  SUBCASE("two observed nodes: the visible pattern is their units in declaration order") {
    // x has P = 3/4 and y has P = 1/2 independently: P(x=1, y=0) = 3/8 is pattern "10".
    const Network n = make_network({{"x", 1, true, "sigmoid", {}, {logit_three_quarters}},
                                    {"y", 1, true, "sigmoid", {}, {0.0}}});
    const auto p = brute_force::visible_probabilities(n);
    CHECK(p[brute_force::pattern_index(std::string("10"))] == doctest::Approx(0.375));
    CHECK(p[brute_force::pattern_index(std::string("01"))] == doctest::Approx(0.125));
  }
}

TEST_CASE("brute-force reference: probabilities of all visible patterns and configurations sum to 1") {
  for (std::size_t d = 0; d < kinds.size(); ++d) {
    CAPTURE(kinds[d]);
    const Network network = mixed_network(d);
    const auto visible = brute_force::visible_probabilities(network);
    const auto configurations = brute_force::configuration_probabilities(network);
    REQUIRE(visible.size() == 16);
    REQUIRE(configurations.size() == 512);
    check_sums_to_one(visible);
    check_sums_to_one(configurations);
  }
  const Network tiny = read_model(HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml");
  check_sums_to_one(brute_force::visible_probabilities(tiny));
}

TEST_CASE("brute-force reference: pattern indices read the first bit as the most significant") {
  CHECK(brute_force::pattern_index(std::string("0110")) == 6);
  CHECK(brute_force::pattern_index(std::string("10 011")) == 19);
  CHECK(brute_force::pattern_text(6, 4) == "0110");
  for (std::size_t i = 0; i < 32; ++i) CHECK(brute_force::pattern_index(brute_force::pattern_bits(i, 5)) == i);
}

// ---------------------------------------------------------------------------------------
// The sampler against the reference.

TEST_CASE("ancestral sampling: visible patterns and whole configurations follow the brute-force distribution") {
  for (std::size_t d = 0; d < kinds.size(); ++d) {
    CAPTURE(kinds[d]);
    const Network network = mixed_network(d);
    const Histograms h = sample_histograms(network, sample_count, 5000, /*seed=*/2024 + d);

    const PearsonTest visible = pearson_test(h.visible, brute_force::visible_probabilities(network));
    CAPTURE(visible.statistic);
    CAPTURE(visible.degrees_of_freedom);
    CAPTURE(visible.threshold);
    CHECK(visible.degrees_of_freedom >= 8);
    CHECK(visible.passes());

    const PearsonTest joint = pearson_test(h.configurations, brute_force::configuration_probabilities(network));
    CAPTURE(joint.statistic);
    CAPTURE(joint.degrees_of_freedom);
    CAPTURE(joint.threshold);
    CHECK(joint.degrees_of_freedom >= 100);
    CHECK(joint.passes());
  }
}

TEST_CASE("ancestral sampling: sample_visible follows the brute-force distribution of the observed nodes") {
  for (std::size_t d = 0; d < kinds.size(); ++d) {
    CAPTURE(kinds[d]);
    const Network network = mixed_network(d);
    Rng rng = make_rng(77 + d);
    const Matrix patterns = sample_visible(network, sample_count, rng);
    REQUIRE(patterns.shape(0) == sample_count);
    REQUIRE(patterns.shape(1) == 4);
    std::vector<double> counts(16, 0.0);
    for (std::size_t n = 0; n < sample_count; ++n) counts[brute_force::pattern_index(patterns, n)] += 1;
    const PearsonTest test = pearson_test(counts, brute_force::visible_probabilities(network));
    CAPTURE(test.statistic);
    CAPTURE(test.threshold);
    CHECK(test.passes());
  }
}

// The test above is only worth something if it can fail: the same samples, judged against
// a network that differs in a single parameter, must be rejected by a wide margin.
TEST_CASE("ancestral sampling: the chi-square check rejects a slightly perturbed network") {
  for (std::size_t d = 0; d < kinds.size(); ++d) {
    CAPTURE(kinds[d]);
    const Network network = mixed_network(d);
    const Histograms h = sample_histograms(network, sample_count, 5000, /*seed=*/2024 + d);
    REQUIRE(pearson_test(h.visible, brute_force::visible_probabilities(network)).passes());

    // data's bias[0] moved by 0.2 (0.05 for noisy-or, whose bias is a probability itself):
    // the two distributions of visible patterns are only about 0.02 apart in total
    // variation, yet 10^5 samples tell them apart.
    Network perturbed = network;
    Distribution& data = *perturbed.generative.conditionals[perturbed.index_of("data")].distribution;
    Vector theta = data.parameters();
    theta(0) += kinds[d] == "noisy-or" ? 0.05 : 0.2;
    data.set_parameters(theta);
    const auto p = brute_force::visible_probabilities(network);
    const auto q = brute_force::visible_probabilities(perturbed);
    double total_variation = 0;
    for (std::size_t i = 0; i < p.size(); ++i) total_variation += std::abs(p[i] - q[i]) / 2;
    CAPTURE(total_variation);
    CHECK(total_variation < 0.03);
    const PearsonTest visible = pearson_test(h.visible, q);
    CAPTURE(visible.statistic);
    CAPTURE(visible.threshold);
    CHECK(visible.statistic > 3 * visible.threshold);

    // A hidden node's weight: c's first weight + 0.25 (capped at 1, the top of noisy-or's
    // range), which the test of whole configurations sees.
    Network hidden_perturbed = network;
    Distribution& c = *hidden_perturbed.generative.conditionals[hidden_perturbed.index_of("c")].distribution;
    Vector phi = c.parameters();
    phi(c.shape().units) = std::min(phi(c.shape().units) + 0.25, 1.0);
    c.set_parameters(phi);
    const PearsonTest joint = pearson_test(h.configurations, brute_force::configuration_probabilities(hidden_perturbed));
    CAPTURE(joint.statistic);
    CAPTURE(joint.threshold);
    CHECK(joint.statistic > 3 * joint.threshold);
  }
}

// p = 0 never fires and p = 1 always does (framework/random.hpp), so patterns the
// network makes impossible are never drawn.
TEST_CASE("ancestral sampling: certain and impossible units") {
  // data[0] = t0 and data[1] = t1 exactly (noisy-or, bias 0, weight 1), data[2] = t0 or t1;
  // flag can fire only when t1 is on (odds-sum, bias 0).
  const Network network = make_network({{"t", 2, false, "sigmoid", {}, {0.3, -0.4}},
                                        {"data", 3, true, "noisy-or", {"t"}, {0, 0, 0, 1, 0, 0, 1, 1, 1}},
                                        {"flag", 1, true, "odds-sum", {"t"}, {0, 0, 1.5}}});
  const auto probabilities = brute_force::visible_probabilities(network);
  std::size_t impossible = 0;
  for (double p : probabilities) impossible += p == 0.0;
  CHECK(impossible == 16 - 6);  // only 000 0, 101 0, 011 0, 011 1, 111 0, 111 1 remain

  const Histograms h = sample_histograms(network, 20000, 1000, /*seed=*/5);
  for (std::size_t i = 0; i < probabilities.size(); ++i)
    if (probabilities[i] == 0.0) CHECK_MESSAGE(h.visible[i] == 0.0, "impossible pattern " << brute_force::pattern_text(i, 4));
  const PearsonTest test = pearson_test(h.visible, probabilities);
  CAPTURE(test.statistic);
  CHECK(test.passes());
}

// ---------------------------------------------------------------------------------------
// Reproducibility, shapes and buffers.

bool same_states(const NodeStates& a, const NodeStates& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].shape() != b[i].shape() || !std::equal(a[i].begin(), a[i].end(), b[i].begin())) return false;
  return true;
}

TEST_CASE("ancestral sampling: same seed gives identical samples, a different seed different ones") {
  const Network network = mixed_network(1);
  AncestralSampler first(network), second(network), third(network);
  Rng rng_a = make_rng(7), rng_b = make_rng(7), rng_c = make_rng(8);
  const NodeStates a = first.sample(200, rng_a);
  const NodeStates b = second.sample(200, rng_b);
  const NodeStates c = third.sample(200, rng_c);
  CHECK(same_states(a, b));
  CHECK_FALSE(same_states(a, c));

  // sample_visible with one seed is the observed nodes of the sampler with that seed.
  Rng rng_d = make_rng(7);
  const Matrix visible = sample_visible(network, 200, rng_d);
  REQUIRE(visible.shape(0) == 200);
  REQUIRE(visible.shape(1) == network.visible_units());
  for (std::size_t n = 0; n < 200; ++n) {
    CHECK(brute_force::pattern_index(visible, n) == visible_index(network, a, n));
  }
  Rng rng_e = make_rng(7);
  CHECK(xt::all(xt::equal(sample_visible(network, 200, rng_e), visible)));
}

TEST_CASE("ancestral sampling: a batch of N gives an N x units matrix of 0/1 per node") {
  const Network network = mixed_network(2);
  AncestralSampler sampler(network);
  Rng rng = make_rng(3);
  for (std::size_t batch : {std::size_t{1}, std::size_t{17}, std::size_t{256}, std::size_t{0}}) {
    CAPTURE(batch);
    const NodeStates& states = sampler.sample(batch, rng);
    REQUIRE(states.size() == network.nodes.size());
    for (std::size_t i = 0; i < states.size(); ++i) {
      CHECK(states[i].shape(0) == batch);
      CHECK(states[i].shape(1) == network.nodes[i].size);
      for (double s : states[i]) CHECK((s == 0.0 || s == 1.0));
    }
  }
}

TEST_CASE("ancestral sampling: calls with the same batch size reuse the sampler's buffers") {
  const Network network = mixed_network(0);
  AncestralSampler sampler(network);
  Rng rng = make_rng(11);
  const NodeStates& first = sampler.sample(64, rng);
  std::vector<const double*> pointers;
  for (const auto& m : first) pointers.push_back(m.data());
  const NodeStates copy = first;

  const NodeStates& second = sampler.sample(64, rng);
  CHECK(&first == &second);
  for (std::size_t i = 0; i < second.size(); ++i) CHECK(second[i].data() == pointers[i]);
  CHECK_FALSE(same_states(copy, second));  // fresh draws, written into the same memory
}

}  // namespace
}  // namespace helmholtz
