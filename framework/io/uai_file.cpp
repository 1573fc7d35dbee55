#include "framework/io/uai_file.hpp"

#include <algorithm>
#include <vector>

namespace helmholtz {
namespace {

// "2^31 = 2147483648", or "2^70" beyond what 64 bits count.
std::string power_of_two(std::size_t exponent) {
  const std::string power = "2^" + std::to_string(exponent);
  return exponent < 64 ? power + " = " + std::to_string(std::uint64_t{1} << exponent) : power;
}

// Variable number of unit 0 of each node.
std::vector<std::size_t> first_variables(const Network& network) {
  std::vector<std::size_t> first(network.nodes.size());
  std::size_t variable = 0;
  for (std::size_t i = 0; i < network.nodes.size(); ++i) {
    first[i] = variable;
    variable += network.nodes[i].size;
  }
  return first;
}

const Distribution& generative_distribution(const Network& network, std::size_t node) {
  const Distribution* distribution = network.generative.conditionals.at(node).distribution.get();
  if (!distribution) throw Error("node '" + network.nodes[node].name + "' has no generative distribution");
  return *distribution;
}

// Configurations first .. first + rows - 1 of `width` parent units, one a row, the first
// column the most significant bit.
void fill_configurations(std::uint64_t first, std::size_t rows, std::size_t width, Matrix& parents) {
  if (parents.shape(0) != rows || parents.shape(1) != width) parents.resize({rows, width});
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint64_t c = first + r;
    for (std::size_t k = 0; k < width; ++k) parents(r, k) = static_cast<double>((c >> (width - 1 - k)) & 1u);
  }
}

// Appends the row "P(off) P(on)" of one configuration.
void append_row(std::string& text, double on) {
  text += format_number(1.0 - on);
  text += ' ';
  text += format_number(on);
  text += '\n';
}

// The tables of one node's units, one after the other. Each batch of configurations gives
// every unit's probabilities at once; a table is written whole before the next, so the
// probabilities of a group of units are held over every configuration (a group of one is
// written as it is computed).
void write_node_tables(const Distribution& distribution, const std::function<void(std::string_view)>& write,
                       const UaiOptions& options) {
  const std::size_t units = distribution.shape().units;
  const std::size_t width = distribution.shape().parent_units();
  const std::uint64_t configurations = std::uint64_t{1} << width;
  const std::size_t batch = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(options.batch_configurations, 1, configurations));
  const std::size_t group = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(options.held_probabilities / configurations, 1, std::max<std::size_t>(units, 1)));
  std::string count = "\n";
  count += std::to_string(2 * configurations);
  count += '\n';
  Matrix parents, p;
  std::vector<double> held;
  std::string text;
  auto flush = [&](bool always) {
    if (!always && text.size() < (std::size_t{1} << 16)) return;
    write(text);
    text.clear();
  };
  // Calls each(first, rows) after the plugin has computed p for configurations first ..
  // first + rows - 1.
  auto for_each_batch = [&](const auto& each) {
    for (std::uint64_t first = 0; first < configurations; first += batch) {
      if (options.interrupt && options.interrupt->load(std::memory_order_relaxed)) throw Interrupted();
      const std::size_t rows = static_cast<std::size_t>(std::min<std::uint64_t>(batch, configurations - first));
      fill_configurations(first, rows, width, parents);
      distribution.probabilities(parents, p);
      each(first, rows);
    }
  };
  for (std::size_t first_unit = 0; first_unit < units; first_unit += group) {
    const std::size_t held_units = std::min(group, units - first_unit);
    if (held_units == 1) {
      write(count);
      for_each_batch([&](std::uint64_t, std::size_t rows) {
        for (std::size_t r = 0; r < rows; ++r) append_row(text, p(r, first_unit));
        flush(false);
      });
      flush(true);
      continue;
    }
    held.resize(held_units * static_cast<std::size_t>(configurations));
    for_each_batch([&](std::uint64_t first, std::size_t rows) {
      for (std::size_t u = 0; u < held_units; ++u)
        for (std::size_t r = 0; r < rows; ++r) held[u * configurations + first + r] = p(r, first_unit + u);
    });
    for (std::size_t u = 0; u < held_units; ++u) {
      write(count);
      for (std::uint64_t c = 0; c < configurations; ++c) {
        append_row(text, held[u * configurations + c]);
        flush(false);
      }
      flush(true);
    }
  }
}

}  // namespace

void check_uai_table_sizes(const Network& network, std::uint64_t max_table_entries) {
  for (std::size_t node = 0; node < network.nodes.size(); ++node) {
    const NodeShape& shape = generative_distribution(network, node).shape();
    const std::size_t width = shape.parent_units();
    if (width + 1 < 64 && (std::uint64_t{1} << (width + 1)) <= max_table_entries) continue;
    const std::string tables =
        shape.units == 1 ? "its table" : "each of its " + std::to_string(shape.units) + " tables (one per unit)";
    throw UaiTableTooLarge("node '" + network.nodes[node].name + "' has " + std::to_string(width) +
                           " parent units, so " + tables + " would hold " + power_of_two(width + 1) +
                           " entries, more than the limit of " + std::to_string(max_table_entries) +
                           " entries per table");
  }
}

std::size_t uai_variable(const Network& network, std::size_t node, std::size_t unit) {
  if (node >= network.nodes.size() || unit >= network.nodes[node].size)
    throw Error("no unit " + std::to_string(unit) + " of node " + std::to_string(node));
  return first_variables(network)[node] + unit;
}

void write_uai_model(const Network& network, const std::function<void(std::string_view)>& write,
                     const UaiOptions& options) {
  check_uai_table_sizes(network, options.max_table_entries);
  const std::vector<std::size_t> first = first_variables(network);
  std::size_t variables = 0;
  for (const Node& node : network.nodes) variables += node.size;
  std::string text = "BAYES\n" + std::to_string(variables) + "\n";
  for (std::size_t v = 0; v < variables; ++v) text += v == 0 ? "2" : " 2";
  text += '\n';
  text += std::to_string(variables);
  text += '\n';
  for (std::size_t node = 0; node < network.nodes.size(); ++node) {
    const Conditional& conditional = network.generative.conditionals[node];
    std::string parent_variables;
    for (std::size_t parent : conditional.parents)
      for (std::size_t unit = 0; unit < network.nodes[parent].size; ++unit) {
        parent_variables += ' ';
        parent_variables += std::to_string(first[parent] + unit);
      }
    const std::size_t scope = generative_distribution(network, node).shape().parent_units() + 1;
    for (std::size_t unit = 0; unit < network.nodes[node].size; ++unit)
      text += std::to_string(scope) + parent_variables + " " + std::to_string(first[node] + unit) + "\n";
    write(text);
    text.clear();
  }
  for (std::size_t node = 0; node < network.nodes.size(); ++node)
    write_node_tables(generative_distribution(network, node), write, options);
}

std::string uai_model(const Network& network, const UaiOptions& options) {
  std::string text;
  write_uai_model(network, [&text](std::string_view piece) { text += piece; }, options);
  return text;
}

std::string uai_evidence(const Network& network, std::span<const std::uint8_t> pattern) {
  if (pattern.size() != network.visible_units())
    throw Error("the pattern has " + std::to_string(pattern.size()) + " units, but the network has " +
                std::to_string(network.visible_units()) + " visible units");
  const std::vector<std::size_t> first = first_variables(network);
  std::string text = std::to_string(pattern.size()) + "\n";
  std::size_t column = 0;
  for (std::size_t node : network.observed_nodes())
    for (std::size_t unit = 0; unit < network.nodes[node].size; ++unit, ++column)
      text += std::to_string(first[node] + unit) + " " + (pattern[column] != 0 ? "1" : "0") + "\n";
  return text;
}

}  // namespace helmholtz
