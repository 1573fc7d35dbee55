#include "framework/weighted_distribution.hpp"

#include <algorithm>
#include <cmath>

#include "framework/linear_algebra.hpp"

namespace helmholtz {

namespace {

ParameterBlock make_block(std::string name, BlockLayout layout, const BlockSpec& spec) {
  ParameterBlock b;
  b.name = std::move(name);
  b.layout = layout;
  b.valid = spec.valid;
  b.learning = spec.learning.value_or(spec.valid);
  b.initial = spec.initial;
  b.learn_as = spec.learn_as;
  return b;
}

}  // namespace

WeightedDistribution::WeightedDistribution(NodeShape shape, const BlockSpec& bias, const BlockSpec& weights)
    : Distribution(std::move(shape)), parent_units_(shape_.parent_units()) {
  declare_parameters({make_block("bias", BlockLayout::per_unit, bias),
                      make_block("weights", BlockLayout::per_unit_and_parent, weights)});
}

namespace {

// The affine statistic and its gradient in either precision: T = double reads the
// parameters, T = float their single-precision copy.
template <class T>
void affine_of(const Tensor<T, 2>& parents, const T* parameters, std::size_t units, Tensor<T, 2>& out) {
  const std::size_t n = parents.shape(0);
  ensure_shape(out, n, units);
  multiply_by_transpose(parents, parameters + units, units, out);
  for (std::size_t r = 0; r < n; ++r) {
    T* row = out.data() + r * units;
    for (std::size_t j = 0; j < units; ++j) row[j] += parameters[j];
  }
}

// gradient(bias) += column sums of weights(n) deltas(n, .); gradient(W) += deltas^T diag(weights)
// parents (with one scale factor when every weight is the same).
template <class T>
void affine_gradient_of(const Tensor<T, 2>& parents, Tensor<T, 2>& deltas, const Tensor<T, 1>& weights,
                        std::size_t units, T* gradient, const std::string& node) {
  if (weights.size() != deltas.shape(0))
    throw Error("accumulate_gradient: " + std::to_string(weights.size()) + " pattern weights for " +
                std::to_string(deltas.shape(0)) + " patterns of node '" + node + "'");
  T scale = weights.size() ? weights(0) : T(0);
  if (std::any_of(weights.begin(), weights.end(), [scale](T w) { return w != scale; })) {
    // Each pattern's deltas times its weight, then the products with scale 1.
    for (std::size_t r = 0; r < deltas.shape(0); ++r)
      for (std::size_t j = 0; j < units; ++j) deltas(r, j) *= weights(r);
    scale = T(1);
  }
  for (std::size_t r = 0; r < deltas.shape(0); ++r)  // fused, as accumulate_outer's rank-one update
    for (std::size_t j = 0; j < units; ++j) gradient[j] = std::fma(scale, deltas(r, j), gradient[j]);
  accumulate_outer(deltas, parents, scale, gradient + units);
}

}  // namespace

void WeightedDistribution::affine(const Matrix& parents, Matrix& out) const {
  affine_of(parents, parameter_data(), units(), out);
}

void WeightedDistribution::accumulate_affine_gradient(const Matrix& parents, Matrix& deltas, const Vector& weights,
                                                      std::span<double> gradient) const {
  affine_gradient_of(parents, deltas, weights, units(), gradient.data(), shape_.node);
}

const float* WeightedDistribution::single_or_throw() const {
  const float* single = single_parameters();
  if (!single)
    throw Error("node '" + shape_.node + "': a single-precision call before its network enabled single precision");
  return single;
}

void WeightedDistribution::affine_single(const MatrixF& parents, MatrixF& out) const {
  affine_of(parents, single_or_throw(), units(), out);
}

void WeightedDistribution::accumulate_affine_gradient_single(const MatrixF& parents, MatrixF& deltas,
                                                             const VectorF& weights, std::span<float> gradient) const {
  affine_gradient_of(parents, deltas, weights, units(), gradient.data(), shape_.node);
}

}  // namespace helmholtz

namespace helmholtz {

void WeightedDistribution::accumulate_affine_backward(const Matrix& means, const Matrix& deltas,
                                                      std::span<double> gradient, Matrix& mean_gradient) const {
  const std::size_t patterns = means.shape(0);
  double* gb = bias_gradient(gradient);
  for (std::size_t n = 0; n < patterns; ++n)
    for (std::size_t j = 0; j < units(); ++j) gb[j] += deltas(n, j);
  accumulate_outer(deltas, means, 1.0, weight_gradient(gradient));
  ensure_shape(mean_gradient, patterns, parent_units());
  mean_gradient.fill(0.0);
  multiply_add(patterns, parent_units(), units(), deltas.data(), units(), weight_data(), parent_units(),
               mean_gradient.data(), parent_units());
}

}  // namespace helmholtz
