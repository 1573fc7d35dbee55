#include "framework/graph/network.hpp"

#include <algorithm>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>

namespace helmholtz {

Conditional::Conditional(const Conditional& other)
    : parents(other.parents), distribution(other.distribution ? other.distribution->clone() : nullptr) {}

Conditional& Conditional::operator=(const Conditional& other) {
  if (this != &other) {
    parents = other.parents;
    distribution = other.distribution ? other.distribution->clone() : nullptr;
  }
  return *this;
}

namespace {

// Records the first back edge met by a depth-first search, and the tree edges leading to
// it, so that the cycle it closes can be named.
struct CycleFinder : boost::default_dfs_visitor {
  std::vector<std::size_t>* predecessor;
  std::vector<std::size_t>* cycle;
  void tree_edge(Graph::edge_descriptor e, const Graph& g) const {
    (*predecessor)[boost::target(e, g)] = boost::source(e, g);
  }
  void back_edge(Graph::edge_descriptor e, const Graph& g) const {
    if (!cycle->empty()) return;
    const std::size_t from = boost::source(e, g), to = boost::target(e, g);
    for (std::size_t v = from; v != to; v = (*predecessor)[v]) cycle->push_back(v);
    cycle->push_back(to);
    std::reverse(cycle->begin(), cycle->end());
  }
};

}  // namespace

std::vector<std::size_t> find_cycle(const Graph& graph) {
  std::vector<std::size_t> predecessor(boost::num_vertices(graph)), cycle;
  boost::depth_first_search(graph, boost::visitor(CycleFinder{{}, &predecessor, &cycle}));
  return cycle;
}

DirectedModel DirectedModel::from(std::vector<Conditional> conditionals) {
  DirectedModel model;
  model.graph = Graph(conditionals.size());
  for (std::size_t child = 0; child < conditionals.size(); ++child)
    for (std::size_t parent : conditionals[child].parents) boost::add_edge(parent, child, model.graph);
  if (auto cycle = find_cycle(model.graph); !cycle.empty()) throw CycleError(std::move(cycle));
  std::vector<std::size_t> reversed;
  boost::topological_sort(model.graph, std::back_inserter(reversed));
  model.order.assign(reversed.rbegin(), reversed.rend());
  model.conditionals = std::move(conditionals);
  return model;
}

std::size_t DirectedModel::parameter_count() const {
  std::size_t total = 0;
  for (const auto& c : conditionals)
    if (c.distribution) total += c.distribution->parameters().size();
  return total;
}

std::vector<std::size_t> Network::observed_nodes() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].observed) out.push_back(i);
  return out;
}

std::vector<std::size_t> Network::hidden_nodes() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (!nodes[i].observed) out.push_back(i);
  return out;
}

std::size_t Network::visible_units() const {
  std::size_t total = 0;
  for (const auto& n : nodes)
    if (n.observed) total += n.size;
  return total;
}

std::size_t Network::hidden_units() const {
  std::size_t total = 0;
  for (const auto& n : nodes)
    if (!n.observed) total += n.size;
  return total;
}

std::size_t Network::index_of(const std::string& node_name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == node_name) return i;
  throw Error("no node named '" + node_name + "' in network '" + name + "'");
}

}  // namespace helmholtz
