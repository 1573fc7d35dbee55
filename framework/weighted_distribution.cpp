#include "framework/weighted_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/random/uniform_real_distribution.hpp>
#include <yaml-cpp/yaml.h>

#include "framework/io/yaml_fields.hpp"
#include "framework/linear_algebra.hpp"

namespace helmholtz {

bool ParameterRange::contains(double x) const { return std::isfinite(x) && x >= lower && x <= upper; }

double ParameterRange::clamp(double x) const {
  // Unbounded ends still keep values finite.
  const double lowest = std::max(lower, -std::numeric_limits<double>::max());
  const double highest = std::min(upper, std::numeric_limits<double>::max());
  if (std::isnan(x)) return std::clamp(0.0, lowest, highest);
  return std::clamp(x, lowest, highest);
}

std::string ParameterRange::describe() const {
  const bool low = std::isfinite(lower), high = std::isfinite(upper);
  if (low && high) return "in [" + format_number(lower) + ", " + format_number(upper) + "]";
  if (low) return ">= " + format_number(lower);
  if (high) return "<= " + format_number(upper);
  return "finite";
}

WeightedDistribution::WeightedDistribution(NodeShape shape)
    : Distribution(std::move(shape)), parent_units_(shape_.parent_units()) {
  parameters_ = Vector::from_shape({units() * (1 + parent_units_)});
  parameters_.fill(0.0);
}

std::string WeightedDistribution::parameter_name(std::size_t i) const {
  if (i < units()) return "bias[" + std::to_string(i) + "]";
  i -= units();
  const std::size_t row = i / parent_units_;
  std::size_t column = i % parent_units_;
  for (const auto& parent : shape_.parents) {
    if (column < parent.units)
      return "weights[" + parent.name + "][" + std::to_string(row) + "][" + std::to_string(column) + "]";
    column -= parent.units;
  }
  return "parameter[" + std::to_string(i + units()) + "]";
}

ParameterRange WeightedDistribution::range_of(std::size_t i) const {
  return i < units() ? bias_range() : weight_range();
}

void WeightedDistribution::validate(const Where& where) const {
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const ParameterRange range = range_of(i);
    if (!range.contains(parameters_(i)))
      fail(where, parameter_name(i) + " is " + format_number(parameters_(i)) + ", but must be " +
                      range.describe());
  }
}

void WeightedDistribution::project_into_range() {
  const ParameterRange bias = learning_bias_range(), weights = learning_weight_range();
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    parameters_(i) = (i < units() ? bias : weights).clamp(parameters_(i));
}

void WeightedDistribution::initialise(Rng& rng) {
  const InitialRange b = initial_bias(), w = initial_weight();
  // A degenerate range is a constant (Boost's distribution asserts lower < upper).
  auto draw = [&rng](const InitialRange& r) {
    return r.lower == r.upper ? r.lower : boost::random::uniform_real_distribution<double>(r.lower, r.upper)(rng);
  };
  for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_(i) = draw(i < units() ? b : w);
  refresh();
}

void WeightedDistribution::read(const YAML::Node& entry, const Where& where) {
  // Each value is checked against its range where it is read, so the message can point
  // at its line and column.
  auto check = [&](std::size_t i, const YAML::Node& node) {
    const ParameterRange range = range_of(i);
    if (!range.contains(parameters_(i)))
      fail(yaml::at(node, where), parameter_name(i) + " is " + format_number(parameters_(i)) +
                                      ", but must be " + range.describe());
  };
  if (const YAML::Node bias = entry["bias"]) {
    const auto values = yaml::read_numbers(bias, units(), where, "bias");
    for (std::size_t j = 0; j < units(); ++j) {
      parameters_(j) = values[j];
      check(j, bias[j]);
    }
  }
  if (const YAML::Node weights = entry["weights"]) {
    yaml::require_map(weights, where, "weights");
    std::vector<std::string> parent_names;
    for (const auto& p : shape_.parents) parent_names.push_back(p.name);
    for (const auto& block : weights) {
      const std::string name = block.first.IsScalar() ? block.first.Scalar() : yaml::show(block.first);
      if (std::find(parent_names.begin(), parent_names.end(), name) == parent_names.end()) {
        std::string list;
        for (const auto& p : parent_names) list += (list.empty() ? "" : ", ") + p;
        fail(yaml::at(block.first, where), "weights[" + name + "]: '" + name + "' is not a parent of '" +
                                               shape_.node + "' (parents: " + (list.empty() ? "none" : list) + ")");
      }
    }
    yaml::check_keys(weights, parent_names, where);
    std::size_t offset = 0;
    for (const auto& parent : shape_.parents) {
      if (const YAML::Node block = weights[parent.name]) {
        const std::string what = "weights[" + parent.name + "]";
        yaml::require_list(block, where, what);
        if (block.size() != units())
          fail(yaml::at(block, where), what + " has " + std::to_string(block.size()) + " rows, but must have " +
                                           std::to_string(units()) + " (one per unit of '" + shape_.node + "')");
        for (std::size_t j = 0; j < units(); ++j) {
          const std::string row_what = what + "[" + std::to_string(j) + "]";
          yaml::require_list(block[j], where, row_what);
          if (block[j].size() != parent.units)
            fail(yaml::at(block[j], where), row_what + " has " + std::to_string(block[j].size()) +
                                                " columns, but must have " + std::to_string(parent.units) +
                                                " (one per unit of '" + parent.name + "')");
          for (std::size_t k = 0; k < parent.units; ++k) {
            const std::size_t i = units() + j * parent_units_ + offset + k;
            parameters_(i) = yaml::read_number(block[j][k], where, row_what + "[" + std::to_string(k) + "]");
            check(i, block[j][k]);
          }
        }
      }
      offset += parent.units;
    }
  }
  refresh();
}

void WeightedDistribution::write(YAML::Emitter& out) const {
  out << YAML::Key << "bias" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (std::size_t j = 0; j < units(); ++j) out << bias(j);
  out << YAML::EndSeq;
  if (shape_.parents.empty()) return;
  out << YAML::Key << "weights" << YAML::Value << YAML::BeginMap;
  std::size_t offset = 0;
  for (const auto& parent : shape_.parents) {
    out << YAML::Key << parent.name << YAML::Value << YAML::BeginSeq;
    for (std::size_t j = 0; j < units(); ++j) {
      out << YAML::Flow << YAML::BeginSeq;
      for (std::size_t k = 0; k < parent.units; ++k) out << weight(j, offset + k);
      out << YAML::EndSeq;
    }
    out << YAML::EndSeq;
    offset += parent.units;
  }
  out << YAML::EndMap;
}

void WeightedDistribution::affine(const Matrix& parents, Matrix& out) const {
  const std::size_t n = parents.shape(0);
  ensure_shape(out, n, units());
  multiply_by_transpose(parents, weight_data(), units(), out);
  for (std::size_t r = 0; r < n; ++r) {
    double* row = &out(r, 0);
    for (std::size_t j = 0; j < units(); ++j) row[j] += parameters_(j);
  }
}

void WeightedDistribution::accumulate_affine_gradient(const Matrix& parents, const Matrix& deltas,
                                                      double scale, Vector& gradient) const {
  double* gb = bias_gradient(gradient);
  for (std::size_t r = 0; r < deltas.shape(0); ++r)
    for (std::size_t j = 0; j < units(); ++j) gb[j] += scale * deltas(r, j);
  accumulate_outer(deltas, parents, scale, weight_gradient(gradient));
}

}  // namespace helmholtz
