#pragma once
// Shared base for plugins parameterised by one bias per unit and one weight matrix per
// parent (weights[parent] has a row per unit of the node and a column per unit of that
// parent). It owns the parameter layout, reading and writing them as YAML, range checks,
// projection and random initialisation; a plugin built on it supplies only its maths and
// its ranges. Parameters are laid out as [bias (units) | W (units x parent_units)], where W
// holds the parents' blocks side by side in the order of NodeShape::parents.
#include <string>

#include "framework/distribution.hpp"

namespace helmholtz {

// A closed interval [lower, upper]; infinite ends mean unbounded (values stay finite).
struct ParameterRange {
  double lower;
  double upper;
  bool contains(double x) const;
  double clamp(double x) const;
  std::string describe() const;  // "in [0, 1]", ">= 0", "finite"
};

// Initial values are drawn uniformly from [lower, upper].
struct InitialRange {
  double lower;
  double upper;
};

class WeightedDistribution : public Distribution {
 public:
  explicit WeightedDistribution(NodeShape shape);

  std::size_t units() const { return shape_.units; }
  std::size_t parent_units() const { return parent_units_; }
  double bias(std::size_t j) const { return parameters_(j); }
  double weight(std::size_t j, std::size_t k) const { return parameters_(units() + j * parent_units_ + k); }
  const double* bias_data() const { return parameters_.data(); }
  const double* weight_data() const { return parameters_.data() + units(); }
  double* bias_gradient(Vector& gradient) const { return gradient.data(); }
  double* weight_gradient(Vector& gradient) const { return gradient.data() + units(); }
  // The weights of every unit from parent unit k, what an incremental update reads when
  // parent unit k flips: unit j's weight is weights_from(k)[j * parent_units()]. (Strided
  // rather than a transposed copy, which every learning step would have to rebuild.)
  const double* weights_from(std::size_t k) const { return weight_data() + k; }

  std::string parameter_name(std::size_t i) const override;
  void validate(const Where& where) const override;

  void initialise(Rng& rng) override;
  std::vector<std::string> parameter_keys() const override { return {"bias", "weights"}; }
  void read(const YAML::Node& entry, const Where& where) override;
  void write(YAML::Emitter& out) const override;

 protected:
  virtual ParameterRange bias_range() const = 0;
  virtual ParameterRange weight_range() const = 0;
  // Where project() puts parameters after a learning step: by default the valid ranges, but
  // a plugin may keep learning away from values that make some data impossible (log 0).
  virtual ParameterRange learning_bias_range() const { return bias_range(); }
  virtual ParameterRange learning_weight_range() const { return weight_range(); }
  virtual InitialRange initial_bias() const = 0;
  virtual InitialRange initial_weight() const = 0;

  // out(n, j) = b_j + sum_k W_jk x_nk: the linear statistic most plugins start from.
  void affine(const Matrix& parents, Matrix& out) const;
  // gradient(bias) += scale * column sums of deltas; gradient(W) += scale * deltas^T parents.
  void accumulate_affine_gradient(const Matrix& parents, const Matrix& deltas, double scale,
                                  Vector& gradient) const;

 private:
  ParameterRange range_of(std::size_t i) const;
  void project_into_range() override;
  std::size_t parent_units_;
};

}  // namespace helmholtz
