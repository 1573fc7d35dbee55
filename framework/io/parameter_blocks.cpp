#include "framework/io/parameter_blocks.hpp"

#include <algorithm>

#include "framework/io/yaml_fields.hpp"

namespace helmholtz {
namespace {

void check_range(const Distribution& d, std::size_t i, const YAML::Node& node, const Where& where) {
  const ParameterRange& range = d.block_of(i).valid;
  const double value = d.parameters()(i);
  if (!range.contains(value))
    fail(yaml::at(node, where), d.parameter_name(i) + " is " + format_number(value) + ", but must be " + range.describe());
}

void read_per_unit(const YAML::Node& node, Distribution& d, const ParameterBlock& b, const Where& where) {
  const auto values = yaml::read_numbers(node, b.size, where, b.name);
  double* theta = d.mutable_parameters();
  for (std::size_t j = 0; j < b.size; ++j) {
    theta[b.offset + j] = values[j];
    check_range(d, b.offset + j, node[j], where);
  }
}

void read_per_parent(const YAML::Node& node, Distribution& d, const ParameterBlock& b, const Where& where) {
  const NodeShape& shape = d.shape();
  yaml::require_map(node, where, b.name);
  std::vector<std::string> parent_names;
  for (const auto& p : shape.parents) parent_names.push_back(p.name);
  for (const auto& entry : node) {
    const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : yaml::show(entry.first);
    if (std::find(parent_names.begin(), parent_names.end(), name) == parent_names.end()) {
      std::string list;
      for (const auto& p : parent_names) list += (list.empty() ? "" : ", ") + p;
      fail(yaml::at(entry.first, where), b.name + "[" + name + "]: '" + name + "' is not a parent of '" + shape.node +
                                             "' (parents: " + (list.empty() ? "none" : list) + ")");
    }
  }
  yaml::check_keys(node, parent_names, where);
  const std::size_t columns = shape.parent_units();
  double* theta = d.mutable_parameters();
  std::size_t offset = 0;
  for (const auto& parent : shape.parents) {
    if (const YAML::Node matrix = node[parent.name]) {
      const std::string what = b.name + "[" + parent.name + "]";
      yaml::require_list(matrix, where, what);
      if (matrix.size() != shape.units)
        fail(yaml::at(matrix, where), what + " has " + std::to_string(matrix.size()) + " rows, but must have " +
                                          std::to_string(shape.units) + " (one per unit of '" + shape.node + "')");
      for (std::size_t j = 0; j < shape.units; ++j) {
        const std::string row_what = what + "[" + std::to_string(j) + "]";
        yaml::require_list(matrix[j], where, row_what);
        if (matrix[j].size() != parent.units)
          fail(yaml::at(matrix[j], where), row_what + " has " + std::to_string(matrix[j].size()) +
                                               " columns, but must have " + std::to_string(parent.units) +
                                               " (one per unit of '" + parent.name + "')");
        for (std::size_t k = 0; k < parent.units; ++k) {
          const std::size_t i = b.offset + j * columns + offset + k;
          theta[i] = yaml::read_number(matrix[j][k], where, row_what + "[" + std::to_string(k) + "]");
          check_range(d, i, matrix[j][k], where);
        }
      }
    }
    offset += parent.units;
  }
}

}  // namespace

void read_parameter_blocks(const YAML::Node& entry, Distribution& distribution, const Where& where) {
  for (const ParameterBlock& b : distribution.blocks()) {
    const YAML::Node node = entry[b.name];
    if (!node) continue;
    if (b.layout == BlockLayout::per_unit) read_per_unit(node, distribution, b, where);
    else read_per_parent(node, distribution, b, where);
  }
  distribution.refresh();
}

void write_parameter_blocks(YAML::Emitter& out, const Distribution& distribution) {
  const NodeShape& shape = distribution.shape();
  const ParameterView theta = distribution.parameters();
  for (const ParameterBlock& b : distribution.blocks()) {
    if (b.size == 0) continue;
    out << YAML::Key << b.name << YAML::Value;
    if (b.layout == BlockLayout::per_unit) {
      out << YAML::Flow << YAML::BeginSeq;
      for (std::size_t j = 0; j < b.size; ++j) out << theta(b.offset + j);
      out << YAML::EndSeq;
      continue;
    }
    const std::size_t columns = shape.parent_units();
    out << YAML::BeginMap;
    std::size_t offset = 0;
    for (const auto& parent : shape.parents) {
      out << YAML::Key << parent.name << YAML::Value << YAML::BeginSeq;
      for (std::size_t j = 0; j < shape.units; ++j) {
        out << YAML::Flow << YAML::BeginSeq;
        for (std::size_t k = 0; k < parent.units; ++k) out << theta(b.offset + j * columns + offset + k);
        out << YAML::EndSeq;
      }
      out << YAML::EndSeq;
      offset += parent.units;
    }
    out << YAML::EndMap;
  }
}

}  // namespace helmholtz
