#pragma once
// Shared base for plugins parameterised by one bias per unit and one weight matrix per
// parent (weights[parent] has a row per unit of the node and a column per unit of that
// parent). The plugin says what its two blocks may hold and how they start and learn; this
// base declares them and supplies the affine statistic and its gradient. Parameters are
// laid out as [bias (units) | W (units x parent_units)], where W holds the parents' blocks
// side by side in the order of NodeShape::parents.
#include <optional>
#include <span>

#include "framework/distribution.hpp"

namespace helmholtz {

// What a plugin says about one of its blocks.
struct BlockSpec {
  ParameterRange valid = ParameterRange::real();
  // Where a learning step may leave the values; defaults to `valid`. A plugin may keep
  // learning away from values that make some data impossible (log 0).
  std::optional<ParameterRange> learning;
  InitialRange initial{0.0, 0.0};
  Reparameterisation learn_as = Reparameterisation::identity;
};

class WeightedDistribution : public Distribution {
 public:
  WeightedDistribution(NodeShape shape, const BlockSpec& bias, const BlockSpec& weights);

  std::size_t units() const { return shape_.units; }
  std::size_t parent_units() const { return parent_units_; }
  double bias(std::size_t j) const { return parameter(j); }
  double weight(std::size_t j, std::size_t k) const { return parameter(units() + j * parent_units_ + k); }
  const double* bias_data() const { return parameter_data(); }
  const double* weight_data() const { return parameter_data() + units(); }
  double* bias_gradient(std::span<double> gradient) const { return gradient.data(); }
  double* weight_gradient(std::span<double> gradient) const { return gradient.data() + units(); }
  // The weights of every unit from parent unit k, what an incremental update reads when
  // parent unit k flips: unit j's weight is weights_from(k)[j * parent_units()]. (Strided
  // rather than a transposed copy, which every learning step would have to rebuild.)
  const double* weights_from(std::size_t k) const { return weight_data() + k; }

 protected:
  // out(n, j) = b_j + sum_k W_jk x_nk: the linear statistic most plugins start from.
  void affine(const Matrix& parents, Matrix& out) const;
  // gradient(bias) += column sums of weights(n) deltas(n, .); gradient(W) += deltas^T diag(weights)
  // parents. `deltas` may be scaled in place by the weights.
  void accumulate_affine_gradient(const Matrix& parents, Matrix& deltas, const Vector& weights,
                                  std::span<double> gradient) const;
  // The same two in single precision, from single_parameters() (sgemm).
  void affine_single(const MatrixF& parents, MatrixF& out) const;
  void accumulate_affine_gradient_single(const MatrixF& parents, MatrixF& deltas, const VectorF& weights,
                                         std::span<float> gradient) const;
  // The backward pass of the affine statistic at parent means m (mean-field rules), given
  // deltas = dF/da: gradient += [column sums of deltas | deltas^T m], mean_gradient = deltas W.
  void accumulate_affine_backward(const Matrix& means, const Matrix& deltas, std::span<double> gradient,
                                  Matrix& mean_gradient) const;

 private:
  const float* single_or_throw() const;
  std::size_t parent_units_;
};

}  // namespace helmholtz
