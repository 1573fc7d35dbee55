#include "framework/graph/network.hpp"

#include <algorithm>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>
#include <iterator>

namespace helmholtz {

Conditional::Conditional(const Conditional& other)
    : parents(other.parents), distribution(other.distribution ? other.distribution->clone() : nullptr),
      fixed(other.fixed) {}

Conditional& Conditional::operator=(const Conditional& other) {
  if (this != &other) {
    parents = other.parents;
    distribution = other.distribution ? other.distribution->clone() : nullptr;
    fixed = other.fixed;
  }
  return *this;
}

// Copies hold their own flat vector: the cloned distributions (which own copies of the
// values) are pointed at it.
DirectedModel::DirectedModel(const DirectedModel& other)
    : graph(other.graph), conditionals(other.conditionals), order(other.order), parameters(other.parameters),
      offsets(other.offsets), single(other.single) {
  attach();
}

DirectedModel& DirectedModel::operator=(const DirectedModel& other) {
  if (this != &other) {
    DirectedModel copy(other);
    *this = std::move(copy);
  }
  return *this;
}

// A moved vector keeps its buffer, but attaching again costs little and does not rely on it.
DirectedModel::DirectedModel(DirectedModel&& other) noexcept
    : graph(std::move(other.graph)), conditionals(std::move(other.conditionals)), order(std::move(other.order)),
      parameters(std::move(other.parameters)), offsets(std::move(other.offsets)), single(std::move(other.single)) {
  attach();
}

DirectedModel& DirectedModel::operator=(DirectedModel&& other) noexcept {
  graph = std::move(other.graph);
  conditionals = std::move(other.conditionals);
  order = std::move(other.order);
  parameters = std::move(other.parameters);
  single = std::move(other.single);
  offsets = std::move(other.offsets);
  attach();
  return *this;
}

void DirectedModel::attach() {
  for (std::size_t i = 0; i < conditionals.size() && i < offsets.size(); ++i)
    if (conditionals[i].distribution) {
      // The values are already in place (a copy or a move): attach() copies them onto
      // themselves, unless the distribution still owns its own (a fresh clone).
      Distribution& d = *conditionals[i].distribution;
      double* slot = parameters.data() + offsets[i];
      if (d.parameter_count() && d.mutable_parameters() != slot) d.attach(slot);
      d.attach_single(single.size() == parameters.size() ? single.data() + offsets[i] : nullptr);
    }
}

void DirectedModel::enable_single_precision() {
  if (single.size() != parameters.size()) {
    single = VectorF::from_shape({parameters.size()});
    attach();
  }
  std::copy(parameters.begin(), parameters.end(), single.begin());
}

std::span<double> DirectedModel::slice(Vector& flat, std::size_t node) const {
  const Distribution* d = conditionals[node].distribution.get();
  return {flat.data() + offsets[node], d ? d->parameter_count() : 0};
}

std::span<const double> DirectedModel::slice(const Vector& flat, std::size_t node) const {
  const Distribution* d = conditionals[node].distribution.get();
  return {flat.data() + offsets[node], d ? d->parameter_count() : 0};
}

void DirectedModel::disable_single_precision() {
  single = VectorF();
  attach();
}

void DirectedModel::parameters_changed() {
  if (single.size() == parameters.size()) std::copy(parameters.begin(), parameters.end(), single.begin());
  refresh_distributions();
}

void DirectedModel::refresh_distributions() {
  for (auto& c : conditionals)
    if (c.distribution) c.distribution->refresh();
}

std::vector<bool> DirectedModel::fixed_mask() const {
  std::vector<bool> mask(parameters.size(), false);
  for (std::size_t i = 0; i < conditionals.size(); ++i) {
    const Conditional& c = conditionals[i];
    if (!c.distribution) continue;
    for (const auto& name : c.fixed)
      if (const ParameterBlock* b = c.distribution->block(name))
        for (std::size_t k = 0; k < b->size; ++k) mask[offsets[i] + b->offset + k] = true;
  }
  return mask;
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
  std::size_t total = 0;
  for (const auto& c : model.conditionals) {
    model.offsets.push_back(total);
    if (c.distribution) total += c.distribution->parameter_count();
  }
  model.parameters = Vector::from_shape({total});
  for (std::size_t i = 0; i < model.conditionals.size(); ++i)
    if (model.conditionals[i].distribution) model.conditionals[i].distribution->attach(model.parameters.data() + model.offsets[i]);
  return model;
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

std::vector<std::string> hidden_unit_names(const Network& network) {
  std::vector<std::string> out;
  for (std::size_t i : network.hidden_nodes())
    for (std::size_t u = 0; u < network.nodes[i].size; ++u) out.push_back(network.nodes[i].name + "[" + std::to_string(u) + "]");
  return out;
}

}  // namespace helmholtz
