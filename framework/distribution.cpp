#include "framework/distribution.hpp"

namespace helmholtz {

std::size_t NodeShape::parent_units() const {
  std::size_t total = 0;
  for (const auto& p : parents) total += p.units;
  return total;
}

void Distribution::set_parameters(const Vector& values) {
  if (values.size() != parameters_.size())
    throw Error("set_parameters: " + std::to_string(values.size()) + " values given for " +
                std::to_string(parameters_.size()) + " parameters of node '" + shape_.node + "'");
  parameters_ = values;
  refresh();
}

void Distribution::step(const Vector& direction, double rate) {
  if (direction.size() != parameters_.size())
    throw Error("step: direction has " + std::to_string(direction.size()) + " entries for " +
                std::to_string(parameters_.size()) + " parameters of node '" + shape_.node + "'");
  for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_(i) += rate * direction(i);
  project();
}

}  // namespace helmholtz
