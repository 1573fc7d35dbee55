// The UAI export (framework/io/uai_file.hpp) against a network checked by hand, against the
// brute-force joint (tests/support/brute_force.hpp) read back from the file's own tables, and
// against toulbar2, an independent solver reading the file: its log Z is log p(d) and its MPE
// is the posterior mode, on random networks mixing the three built-in plugins.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/io/uai_file.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/brute_force.hpp"
#include "tests/support/extreme_networks.hpp"
#include "tests/support/random_networks.hpp"
#include "tests/support/run_program.hpp"
#include "tests/support/scratch_folder.hpp"

namespace helmholtz {
namespace {

// A file in the UAI format, read by its specification alone: the preamble, then one table per
// function, each over its scope with the last variable the least significant.
struct UaiFile {
  std::string kind;
  std::vector<std::size_t> cardinalities;
  std::vector<std::vector<std::size_t>> scopes;
  std::vector<std::vector<double>> tables;
};

UaiFile read_uai(const std::string& text) {
  std::istringstream in(text);
  UaiFile file;
  std::size_t variables = 0, functions = 0;
  in >> file.kind >> variables;
  file.cardinalities.resize(variables);
  for (auto& c : file.cardinalities) in >> c;
  in >> functions;
  file.scopes.resize(functions);
  for (auto& scope : file.scopes) {
    std::size_t size = 0;
    in >> size;
    scope.resize(size);
    for (auto& v : scope) in >> v;
  }
  file.tables.resize(functions);
  for (std::size_t f = 0; f < functions; ++f) {
    std::size_t entries = 0;
    in >> entries;
    std::size_t expected = 1;
    for (std::size_t v : file.scopes[f]) expected *= file.cardinalities.at(v);
    REQUIRE(entries == expected);
    file.tables[f].resize(entries);
    for (auto& x : file.tables[f]) in >> x;
  }
  REQUIRE(!in.fail());
  std::string rest;
  CHECK(!(in >> rest));  // nothing after the last table
  return file;
}

// The product of every function at an assignment of every variable.
double joint_of(const UaiFile& file, const std::vector<int>& values) {
  double product = 1.0;
  for (std::size_t f = 0; f < file.scopes.size(); ++f) {
    std::size_t index = 0;
    for (std::size_t v : file.scopes[f]) index = index * file.cardinalities[v] + static_cast<std::size_t>(values[v]);
    product *= file.tables[f][index];
  }
  return product;
}

std::vector<std::uint8_t> row_bytes(const Matrix& data, std::size_t row) {
  std::vector<std::uint8_t> out(data.shape(1));
  for (std::size_t c = 0; c < out.size(); ++c) out[c] = data(row, c) != 0.0 ? 1 : 0;
  return out;
}

// A small network whose tables are worked out by hand: odds-sum units, whose p = t / (1 + t)
// is exact for odds t of 0, 1 and 3, and a node whose parents are listed out of declaration
// order (b before a), so that the scope follows `parents`.
const char* const hand_model = R"(
nodes:
  - {name: a, type: binary, size: 1}
  - {name: b, type: binary, size: 1}
  - {name: v, type: binary, size: 2, observed: true}
generative:
  a: {distribution: odds-sum, bias: [1]}
  b: {distribution: odds-sum, bias: [3]}
  v: {distribution: odds-sum, parents: [b, a], bias: [0, 1], weights: {b: [[1], [2]], a: [[3], [0]]}}
)";

}  // namespace

TEST_CASE("UAI: the text of a small network checked by hand") {
  const Network network = parse_model(hand_model, "hand.yaml");
  // Variables a = 0, b = 1, v = 2 and 3. P(a = 1) = 1/2 (odds 1), P(b = 1) = 3/4 (odds 3).
  // v's unit 0 has odds 0 + 1 b + 3 a over (b, a) = 00, 01, 10, 11: 0, 3, 1, 4, so p = 0, 3/4,
  // 1/2, 4/5; its unit 1 has odds 1 + 2 b: 1, 1, 3, 3, so p = 1/2, 1/2, 3/4, 3/4. Each row is
  // 1 - p and p, and 1 - 0.8 in doubles is 0.19999999999999996.
  const std::string expected =
      "BAYES\n"
      "4\n"
      "2 2 2 2\n"
      "4\n"
      "1 0\n"
      "1 1\n"
      "3 1 0 2\n"
      "3 1 0 3\n"
      "\n2\n"
      "0.5 0.5\n"
      "\n2\n"
      "0.25 0.75\n"
      "\n8\n"
      "1 0\n"
      "0.25 0.75\n"
      "0.5 0.5\n"
      "0.19999999999999996 0.8\n"
      "\n8\n"
      "0.5 0.5\n"
      "0.5 0.5\n"
      "0.25 0.75\n"
      "0.25 0.75\n";
  CHECK(uai_model(network) == expected);
  // v = (1, 0) observed: variable 2 is 1, variable 3 is 0.
  CHECK(uai_evidence(network, std::vector<std::uint8_t>{1, 0}) == "2\n2 1\n3 0\n");
  CHECK(uai_variable(network, 2, 1) == 3);
}

TEST_CASE("UAI: evidence names the observed units' variables wherever the observed nodes are declared") {
  Rng rng = make_rng(5);
  const Network network = testing::random_network(testing::mixed_shape, rng, false);
  // cue (observed) 0-1, top 2-3, mid 4-5, data (observed) 6-8, echo (observed) 9-10; a data
  // pattern is cue, data, echo side by side.
  CHECK(uai_evidence(network, std::vector<std::uint8_t>{1, 0, 0, 1, 1, 0, 1}) ==
        "7\n0 1\n1 0\n6 0\n7 1\n8 1\n9 0\n10 1\n");
  CHECK(uai_variable(network, 3, 0) == 6);
  CHECK_THROWS_WITH_AS(uai_evidence(network, std::vector<std::uint8_t>{1, 0}),
                       "the pattern has 2 units, but the network has 7 visible units", Error);
}

TEST_CASE("UAI: the product of the file's tables is the brute-force joint of every configuration") {
  Rng rng = make_rng(11);
  for (const char* shape : {testing::layered_shape, testing::mixed_shape}) {
    for (int repeat = 0; repeat < 4; ++repeat) {
      const Network network = testing::random_network(shape, rng, false);
      const UaiFile file = read_uai(uai_model(network));
      const std::size_t n = brute_force::total_units(network);
      REQUIRE(file.kind == "BAYES");
      REQUIRE(file.cardinalities == std::vector<std::size_t>(n, 2));
      REQUIRE(file.scopes.size() == n);
      for (std::size_t f = 0; f < n; ++f) CHECK(file.scopes[f].back() == f);  // the child last
      const std::vector<double> joint = brute_force::configuration_probabilities(network);
      double worst = 0;
      for (std::size_t index = 0; index < joint.size(); ++index) {
        const brute_force::Bits bits = brute_force::pattern_bits(index, n);  // variables 0 .. n-1
        const double p = joint_of(file, std::vector<int>(bits.begin(), bits.end()));
        worst = std::max(worst, std::abs(p - joint[index]) / std::max(joint[index], 1e-300));
      }
      // Both multiply the same firing probabilities, computed two ways (the plugins', the
      // closed forms by hand): they differ in the last bits, and 1 - p by 1e-16 / (1 - p).
      CHECK(worst < 1e-9);
    }
  }
}

TEST_CASE("UAI: groups of units do not change the text, batches of configurations at most the last bits") {
  Rng rng = make_rng(3);
  const Network network = testing::random_network(testing::layered_shape, rng);  // data: 4 units under 4
  const std::string whole = uai_model(network);
  UaiOptions grouped;
  grouped.held_probabilities = 5;  // one unit at a time: each configuration computed 4 times
  CHECK(uai_model(network, grouped) == whole);
  // A plugin may round a row differently by its place in a batch (SIMD lanes, a scalar tail),
  // and 1 - p carries p's rounding.
  UaiOptions batched = grouped;
  batched.batch_configurations = 3;  // 16 configurations in 6 batches
  const UaiFile a = read_uai(uai_model(network, batched)), b = read_uai(whole);
  REQUIRE(a.scopes == b.scopes);
  for (std::size_t f = 0; f < a.tables.size(); ++f)
    for (std::size_t i = 0; i < a.tables[f].size(); ++i)
      CHECK(std::abs(a.tables[f][i] - b.tables[f][i]) <= 1e-15);  // a few ulps of a p of at most 1
}

TEST_CASE("UAI: a table over the limit is refused before anything is written, naming the node and its size") {
  Rng rng = make_rng(3);
  const Network network = testing::random_network(testing::layered_shape, rng);
  UaiOptions options;
  options.max_table_entries = 16;  // top 2, left and right 8, data 2^5 = 32 entries
  std::size_t written = 0;
  CHECK_THROWS_WITH_AS(write_uai_model(network, [&](std::string_view piece) { written += piece.size(); }, options),
                       "node 'data' has 4 parent units, so each of its 4 tables (one per unit) would hold "
                       "2^5 = 32 entries, more than the limit of 16 entries per table",
                       UaiTableTooLarge);
  CHECK(written == 0);
  options.max_table_entries = 32;
  CHECK_NOTHROW(write_uai_model(network, [&](std::string_view piece) { written += piece.size(); }, options));
  // Beyond what 64 bits count.
  const Network wide = parse_model(
      "nodes:\n  - {name: top, type: binary, size: 70}\n  - {name: v, type: binary, size: 1, observed: true}\n"
      "generative:\n  top: {distribution: sigmoid}\n  v: {distribution: sigmoid, parents: [top]}\n",
      "wide.yaml");
  CHECK_THROWS_WITH_AS(check_uai_table_sizes(wide, UaiOptions{}.max_table_entries),
                       "node 'v' has 70 parent units, so its table would hold 2^71 entries, "
                       "more than the limit of 16777216 entries per table",
                       UaiTableTooLarge);
}

// ---------------------------------------------------------------------------------------
// A plugin the framework knows nothing of: the export asks it for its probabilities.

namespace {

// p_j = 1/4 when an even number of parent units are on and 3/4 when odd, the other way round
// for odd j.
class Parity final : public Distribution {
 public:
  explicit Parity(NodeShape shape) : Distribution(std::move(shape)) { declare_parameters({}); }
  std::string_view kind() const override { return "parity"; }
  void probabilities(const Matrix& parents, Matrix& p) const override {
    p.resize({parents.shape(0), shape().units});
    for (std::size_t n = 0; n < parents.shape(0); ++n) {
      std::size_t on = 0;
      for (std::size_t k = 0; k < parents.shape(1); ++k) on += parents(n, k) != 0.0;
      for (std::size_t j = 0; j < shape().units; ++j) p(n, j) = (on + j) % 2 == 0 ? 0.25 : 0.75;
    }
  }
  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    probabilities(parents, log_on);
    log_off = xt::log(1.0 - log_on);
    log_on = xt::log(log_on);
  }
  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p, Workspace& work) const override {
    log_firing_probabilities(parents, work.first, work.second);
    log_p = xt::sum(states * work.first + (1.0 - states) * work.second, {1});
  }
  void accumulate_gradient(const Matrix&, const Matrix&, const Vector&, std::span<double>, Workspace&) const override {}
  std::unique_ptr<Distribution> clone() const override { return std::make_unique<Parity>(*this); }
};

}  // namespace

TEST_CASE("UAI: a plugin of a program's own is exported through its probabilities") {
  Registry registry;
  register_builtin_plugins(registry);
  registry.add("parity", [](NodeShape shape) { return std::make_unique<Parity>(std::move(shape)); });
  const Network network = parse_model(
      "nodes:\n  - {name: h, type: binary, size: 2}\n  - {name: v, type: binary, size: 2, observed: true}\n"
      "generative:\n  h: {distribution: parity}\n  v: {distribution: parity, parents: [h]}\n",
      "parity.yaml", registry);
  // h: no parent on, so unit 0 has 1/4 and unit 1 3/4; v over h = 00, 01, 10, 11 (0, 1, 1, 2 on).
  CHECK(uai_model(network) ==
        "BAYES\n4\n2 2 2 2\n4\n1 0\n1 1\n3 0 1 2\n3 0 1 3\n"
        "\n2\n0.75 0.25\n"
        "\n2\n0.25 0.75\n"
        "\n8\n0.75 0.25\n0.25 0.75\n0.25 0.75\n0.75 0.25\n"
        "\n8\n0.25 0.75\n0.75 0.25\n0.75 0.25\n0.25 0.75\n");
}

// ---------------------------------------------------------------------------------------
// toulbar2

namespace {

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path ? path : "");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(folder.empty() ? "." : folder) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// A random network of a few nodes, up to 12 hidden units, each node's generative parents a
// random subset of the nodes declared before it, the nodes' plugins the three built-in ones in
// turn from a random start (so that each network of three nodes or more has all three), and
// parameters in their ordinary ranges (testing::randomise without extremes: no probability
// of exactly 0 or 1, so every configuration has a finite cost in toulbar2).
Network random_mixed_network(Rng& rng, std::set<std::string>& kinds_used) {
  for (;;) {
    testing::ShapeOptions shape;
    shape.most_hidden_units = 12;
    shape.most_visible_units = 5;
    shape.least_hidden_units = 4 + testing::draw_index(rng, 9);
    std::string yaml = testing::random_shape(rng, shape);
    std::size_t turn = testing::draw_index(rng, 3);
    for (std::size_t at = yaml.find("KIND"); at != std::string::npos; at = yaml.find("KIND", at))
      yaml.replace(at, 4, at < yaml.find("recognition:") ? testing::builtin_kinds[turn++ % 3] : std::string("sigmoid"));
    Network network = parse_model(yaml, "random.yaml");
    // toulbar2 1.1.1 takes an evidence file "1 / 0 v" (one observation, of variable 0) for the
    // UAI 2010 format's "one evidence sample of no observations" and drops it: leave out the
    // networks whose only observed unit is the first variable.
    if (network.visible_units() == 1 && network.nodes[0].observed) continue;
    for (auto& c : network.generative.conditionals) {
      testing::randomise(*c.distribution, rng, false);
      kinds_used.insert(std::string(c.distribution->kind()));
    }
    return network;
  }
}

// Every whole number in a file (toulbar2's -w solution: one value per variable).
std::vector<int> numbers_in(const std::string& text) {
  std::istringstream in(text);
  std::vector<int> out;
  for (int x; in >> x;) out.push_back(x);
  return out;
}

std::size_t decimals_of(const std::string& number) {
  const std::size_t point = number.find('.');
  return point == std::string::npos ? 0 : number.size() - point - 1;
}

}  // namespace

TEST_CASE("toulbar2 on the export: log Z is exact log p(d) and the MPE is the posterior mode, on random networks of "
          "the three plugins") {
  const std::string toulbar2 = find_on_path("toulbar2");
  if (toulbar2.empty())
    FAIL("toulbar2 is not on PATH: this test checks the UAI export against it (Debian's package toulbar2, which "
         ".ci/install-dependencies installs)");
  // toulbar2 turns each table entry p into a whole cost, -log p in units of 1 / norm nats,
  // with norm = -1 / log1p(-10^-precision) (tb2reader.cpp, read_uai2008), truncated in 1.1.1
  // and rounded since: each entry is off by less than one unit. A configuration's cost sums
  // one entry per variable, so log P(h, d) is off by less than N units for N variables, and
  // so is log Z, a sum over configurations of those; each sum over a variable it eliminates
  // rounds once more, at most H units more for H hidden variables. Without -epsilon it
  // neither prunes nor samples: log Z is exact up to these units, and the MPE is the optimum
  // of the whole costs. 1.1.1 prints log Z with 3 decimals (lower bound <= Log(Z) <= upper
  // bound, the two equal when exact), so log Z is checked to half the last printed digit
  // plus N + H units, and the MPE's whole cost to N units.
  const int precision = 7;
  const double norm = -1.0 / std::log1p(-std::pow(10.0, -precision));
  const std::string precision_option = "-precision=" + std::to_string(precision);
  std::set<std::string> kinds_used;
  double worst_log_z = 0, worst_mode = 0;
  std::size_t patterns = 0, same_mode = 0, printed_decimals = 0;
  Rng rng = make_rng(14);
  for (int repeat = 0; repeat < 8; ++repeat) {
    const Network network = random_mixed_network(rng, kinds_used);
    const std::size_t n = brute_force::total_units(network), h = network.hidden_units();
    const Matrix data = sample_visible(network, 3, rng);
    ExactOptions exact_options;
    exact_options.posterior_mode = true;
    const ExactResult exact = exact_inference(network, data, exact_options);
    const ScratchFolder folder;
    folder.write("net.uai", uai_model(network));
    for (std::size_t row = 0; row < data.shape(0); ++row, ++patterns) {
      CAPTURE(repeat);
      CAPTURE(row);
      folder.write("net.uai.evid", uai_evidence(network, row_bytes(data, row)));

      const ProgramRun z = detail::run_in(folder.path, {toulbar2, "net.uai", "net.uai.evid", "-logz", precision_option});
      REQUIRE(z.status == 0);
      std::smatch bounds;
      const std::string& z_out = z.out;
      REQUIRE_MESSAGE(std::regex_search(z_out, bounds, std::regex(R"((\S+) <= Log\(Z\) <= (\S+))")), z.out);
      const double lower = std::stod(bounds[1]), upper = std::stod(bounds[2]);
      const std::size_t decimals = std::min(decimals_of(bounds[1]), decimals_of(bounds[2]));
      const double log_z_tolerance = 0.5 * std::pow(10.0, -static_cast<double>(decimals)) + static_cast<double>(n + h) / norm;
      const double log_p = exact.log_likelihood(row);
      CHECK(log_p >= lower - log_z_tolerance);
      CHECK(log_p <= upper + log_z_tolerance);
      worst_log_z = std::max(worst_log_z, std::max(std::abs(lower - log_p), std::abs(upper - log_p)));
      printed_decimals = decimals;

      const ProgramRun mpe = detail::run_in(folder.path, {toulbar2, "net.uai", "net.uai.evid", precision_option, "-w=mpe.sol"});
      REQUIRE(mpe.status == 0);
      std::smatch optimum;
      const std::string& mpe_out = mpe.out;
      REQUIRE_MESSAGE(std::regex_search(mpe_out, optimum, std::regex(R"(Optimum: (\d+))")), mpe.out);
      const double toulbar2_log_joint = -std::stod(optimum[1]) / norm;
      const double mode_log_joint = exact.mode_log_joint(row);
      CHECK(std::abs(toulbar2_log_joint - mode_log_joint) <= static_cast<double>(n) / norm + 1e-9);
      worst_mode = std::max(worst_mode, std::abs(toulbar2_log_joint - mode_log_joint));
      // Its configuration: the evidence as given, and a mode (ties and costs within 2N units
      // of each other may make it another configuration than ours).
      const std::vector<int> values = numbers_in(detail::whole_file(folder.file("mpe.sol")));
      REQUIRE(values.size() == n);
      std::size_t column = 0;
      for (std::size_t node : network.observed_nodes())
        for (std::size_t unit = 0; unit < network.nodes[node].size; ++unit)
          CHECK(values[uai_variable(network, node, unit)] == static_cast<int>(data(row, column++)));
      const brute_force::Bits bits(values.begin(), values.end());
      const double log_joint = std::log(brute_force::joint_probability(network, brute_force::split_by_node(network, bits)));
      CHECK(log_joint >= mode_log_joint - 2.0 * static_cast<double>(n) / norm - 1e-9);
      bool same = true;
      std::size_t hidden_column = 0;
      for (std::size_t node : network.hidden_nodes())
        for (std::size_t unit = 0; unit < network.nodes[node].size; ++unit)
          same = same && values[uai_variable(network, node, unit)] == static_cast<int>(exact.posterior_mode(row, hidden_column++));
      same_mode += same;
    }
  }
  CHECK(kinds_used == std::set<std::string>{"sigmoid", "noisy-or", "odds-sum"});
  MESSAGE("toulbar2 on " << patterns << " patterns: log Z within " << worst_log_z << " nats of exact log p(d) (printed to "
                         << printed_decimals << " decimals); MPE log P(h, d) within " << worst_mode << " nats of the posterior mode's; the "
                         << "same configuration for " << same_mode << " of them");
}

}  // namespace helmholtz
