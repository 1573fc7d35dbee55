// The network's graphs: cycle detection, topological order, node bookkeeping.
// Facts checked:
//   find_cycle returns nothing for a DAG (including forward and cross edges of the
//   depth-first search), and otherwise nodes c0, ..., c(m-1) with every c(i) -> c(i+1 mod m)
//   an edge of the graph and no node repeated;
//   DirectedModel::from puts every parent before its children (order is a permutation of
//   the nodes), adds one edge parent -> child per listed parent, and rejects a cycle;
//   observed/hidden lists are in declaration order and unit counts add the node sizes.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "plugins/builtin.hpp"
#include "framework/graph/network.hpp"
#include "framework/io/model_file.hpp"
#include "framework/registry.hpp"

namespace helmholtz {
namespace {

Graph graph_of(std::size_t vertices, const std::vector<std::pair<std::size_t, std::size_t>>& edges) {
  Graph g(vertices);
  for (const auto& [from, to] : edges) boost::add_edge(from, to, g);
  return g;
}

bool has_edge(const Graph& g, std::size_t from, std::size_t to) { return boost::edge(from, to, g).second; }

// cycle[0] -> cycle[1] -> ... -> cycle[m-1] -> cycle[0] are all edges, no node twice.
bool is_cycle_of(const Graph& g, const std::vector<std::size_t>& cycle) {
  if (cycle.empty()) return false;
  if (std::set<std::size_t>(cycle.begin(), cycle.end()).size() != cycle.size()) return false;
  for (std::size_t i = 0; i < cycle.size(); ++i)
    if (!has_edge(g, cycle[i], cycle[(i + 1) % cycle.size()])) return false;
  return true;
}

std::set<std::size_t> as_set(const std::vector<std::size_t>& v) { return {v.begin(), v.end()}; }

TEST_CASE("find_cycle: acyclic graphs have no cycle") {
  CHECK(find_cycle(graph_of(0, {})).empty());
  CHECK(find_cycle(graph_of(3, {})).empty());
  CHECK(find_cycle(graph_of(4, {{0, 1}, {1, 2}, {2, 3}})).empty());
  // A diamond: the depth-first search meets 3 again through a cross edge.
  CHECK(find_cycle(graph_of(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}})).empty());
  // A forward edge 0 -> 2 beside the path 0 -> 1 -> 2, and a cross edge 4 -> 1.
  CHECK(find_cycle(graph_of(5, {{0, 1}, {1, 2}, {0, 2}, {4, 1}, {3, 4}})).empty());
  // Edges pointing from later to earlier vertices, still acyclic.
  CHECK(find_cycle(graph_of(4, {{3, 2}, {2, 1}, {1, 0}, {3, 0}})).empty());
}

TEST_CASE("find_cycle: a 3-cycle is named by its three nodes, in edge order") {
  SUBCASE("0 -> 1 -> 2 -> 0") {
    const Graph g = graph_of(3, {{0, 1}, {1, 2}, {2, 0}});
    const auto cycle = find_cycle(g);
    REQUIRE(cycle.size() == 3);
    CHECK(as_set(cycle) == std::set<std::size_t>{0, 1, 2});
    CHECK(is_cycle_of(g, cycle));
  }
  SUBCASE("against the vertex numbering: 0 -> 2 -> 1 -> 0") {
    const Graph g = graph_of(3, {{0, 2}, {2, 1}, {1, 0}});
    const auto cycle = find_cycle(g);
    REQUIRE(cycle.size() == 3);
    CHECK(is_cycle_of(g, cycle));  // e.g. {0, 2, 1}; {0, 1, 2} would walk the edges backwards
  }
  SUBCASE("a tail leading into the cycle and an unrelated node are left out") {
    // 0 -> 1 -> 2 -> 3 -> 1, and 4 on its own.
    const Graph g = graph_of(5, {{0, 1}, {1, 2}, {2, 3}, {3, 1}});
    const auto cycle = find_cycle(g);
    CHECK(as_set(cycle) == std::set<std::size_t>{1, 2, 3});
    CHECK(is_cycle_of(g, cycle));
  }
  SUBCASE("a cycle among late vertices, after an acyclic part") {
    const Graph g = graph_of(6, {{0, 1}, {1, 2}, {3, 4}, {4, 5}, {5, 3}, {2, 3}});
    const auto cycle = find_cycle(g);
    CHECK(as_set(cycle) == std::set<std::size_t>{3, 4, 5});
    CHECK(is_cycle_of(g, cycle));
  }
}

TEST_CASE("find_cycle: two-node cycles and self-loops") {
  const Graph two = graph_of(4, {{0, 1}, {3, 2}, {2, 3}});
  const auto cycle = find_cycle(two);
  CHECK(as_set(cycle) == std::set<std::size_t>{2, 3});
  CHECK(is_cycle_of(two, cycle));

  const Graph loop = graph_of(3, {{0, 1}, {2, 2}});
  CHECK(find_cycle(loop) == std::vector<std::size_t>{2});
}

// Conditionals with the given parents and no distributions: DirectedModel::from needs only
// the parents.
std::vector<Conditional> bare(const std::vector<std::vector<std::size_t>>& parents) {
  std::vector<Conditional> out;
  for (const auto& p : parents) out.emplace_back(p, nullptr);
  return out;
}

void check_parents_first(const DirectedModel& model) {
  const std::size_t n = model.conditionals.size();
  REQUIRE(model.order.size() == n);
  std::vector<std::size_t> sorted = model.order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < n; ++i) REQUIRE(sorted[i] == i);  // a permutation
  std::vector<std::size_t> position(n);
  for (std::size_t i = 0; i < n; ++i) position[model.order[i]] = i;
  for (std::size_t child = 0; child < n; ++child)
    for (std::size_t parent : model.conditionals[child].parents) {
      CAPTURE(parent);
      CAPTURE(child);
      CHECK(position[parent] < position[child]);
    }
}

TEST_CASE("DirectedModel::from orders parents before children") {
  SUBCASE("declared children first") {
    // 0 <- 2, 1 <- {0, 3}, 3 <- 2, 4 alone: 2 must come before 0 and 3, both before 1.
    const DirectedModel model = DirectedModel::from(bare({{2}, {0, 3}, {}, {2}, {}}));
    check_parents_first(model);
    CHECK(boost::num_vertices(model.graph) == 5);
    CHECK(boost::num_edges(model.graph) == 4);
    CHECK(has_edge(model.graph, 2, 0));  // edges point from parent to child
    CHECK(has_edge(model.graph, 0, 1));
    CHECK(has_edge(model.graph, 3, 1));
    CHECK(has_edge(model.graph, 2, 3));
    CHECK_FALSE(has_edge(model.graph, 0, 2));
  }
  SUBCASE("a chain declared backwards") {
    const DirectedModel model = DirectedModel::from(bare({{1}, {2}, {3}, {}}));
    CHECK(model.order == std::vector<std::size_t>{3, 2, 1, 0});
  }
  SUBCASE("the generative and recognition models of models/tiny.yaml") {
    // generative top -> mid -> data; recognition data -> mid -> top.
    const Network tiny = read_model(HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml");
    check_parents_first(tiny.generative);
    check_parents_first(tiny.recognition);
    const std::size_t top = tiny.index_of("top"), mid = tiny.index_of("mid"), data = tiny.index_of("data");
    CHECK(tiny.generative.order == std::vector<std::size_t>{top, mid, data});
    CHECK(tiny.recognition.order == std::vector<std::size_t>{data, mid, top});
  }
}

TEST_CASE("DirectedModel::from rejects a cycle and names it") {
  // Edges parent -> child: 2 -> 0, 0 -> 1, 1 -> 2; node 3 hangs off 1.
  const auto conditionals = bare({{2}, {0}, {1}, {1}});
  Graph g = graph_of(4, {{2, 0}, {0, 1}, {1, 2}, {1, 3}});
  try {
    DirectedModel::from(conditionals);
    FAIL("no CycleError");
  } catch (const CycleError& e) {
    CHECK(as_set(e.cycle()) == std::set<std::size_t>{0, 1, 2});
    CHECK(is_cycle_of(g, e.cycle()));
  }
  CHECK_THROWS_AS(DirectedModel::from(bare({{0}})), Error);  // a node its own parent
}

TEST_CASE("DirectedModel::parameter_count adds the parameters of every distribution") {
  std::vector<Conditional> conditionals;
  // a: sigmoid, 2 units, parent b (3 units): bias 2 + weights 2 x 3 = 8.
  conditionals.emplace_back(std::vector<std::size_t>{1},
                            builtin_registry().create("sigmoid", NodeShape{"a", 2, {{"b", 3}}}));
  // b: noisy-or, 3 units, no parents: 3 biases.
  conditionals.emplace_back(std::vector<std::size_t>{}, builtin_registry().create("noisy-or", NodeShape{"b", 3, {}}));
  // c: no distribution in this direction.
  conditionals.emplace_back(std::vector<std::size_t>{0}, nullptr);
  const DirectedModel model = DirectedModel::from(std::move(conditionals));
  CHECK(model.parameter_count() == 11);
  CHECK(DirectedModel::from({}).parameter_count() == 0);
}

TEST_CASE("Conditional copies own a clone of the distribution") {
  Conditional original({}, builtin_registry().create("odds-sum", NodeShape{"x", 2, {}}));
  Conditional copy = original;
  REQUIRE(copy.distribution);
  CHECK(copy.distribution.get() != original.distribution.get());
  Vector changed = {0.5, 1.5};
  copy.distribution->set_parameters(changed);
  CHECK(original.distribution->parameters()(0) == 0.0);
  CHECK(original.distribution->parameters()(1) == 0.0);

  Conditional assigned;
  assigned = copy;
  CHECK(assigned.distribution.get() != copy.distribution.get());
  CHECK(assigned.distribution->parameters()(1) == 1.5);

  const Conditional empty;
  const Conditional empty_copy = empty;
  CHECK_FALSE(empty_copy.distribution);
}

TEST_CASE("Network: observed and hidden nodes in declaration order, unit counts") {
  Network network;
  network.name = "bookkeeping";
  network.nodes = {{"h1", NodeType::binary, 2, false},
                   {"v1", NodeType::binary, 3, true},
                   {"h2", NodeType::binary, 1, false},
                   {"v2", NodeType::binary, 4, true}};
  CHECK(network.observed_nodes() == std::vector<std::size_t>{1, 3});
  CHECK(network.hidden_nodes() == std::vector<std::size_t>{0, 2});
  CHECK(network.visible_units() == 7);
  CHECK(network.hidden_units() == 3);
  CHECK(network.index_of("h2") == 2);
  CHECK(network.index_of("v2") == 3);
  CHECK_THROWS_WITH_AS(network.index_of("nope"), doctest::Contains("'nope'"), Error);

  const Network tiny = read_model(HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml");
  CHECK(tiny.observed_nodes() == std::vector<std::size_t>{tiny.index_of("data")});
  CHECK(tiny.hidden_nodes() == std::vector<std::size_t>{tiny.index_of("top"), tiny.index_of("mid")});
  CHECK(tiny.visible_units() == 4);
  CHECK(tiny.hidden_units() == 5);
}

}  // namespace
}  // namespace helmholtz
