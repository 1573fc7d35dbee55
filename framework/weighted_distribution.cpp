#include "framework/weighted_distribution.hpp"

#include <algorithm>

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

bool uniform_weights(const Vector& weights, double& common) {
  if (weights.size() == 0) {
    common = 0.0;
    return true;
  }
  common = weights(0);
  for (double w : weights)
    if (w != common) return false;
  return true;
}

void WeightedDistribution::affine(const Matrix& parents, Matrix& out) const {
  const std::size_t n = parents.shape(0);
  ensure_shape(out, n, units());
  multiply_by_transpose(parents, weight_data(), units(), out);
  const double* b = bias_data();
  for (std::size_t r = 0; r < n; ++r) {
    double* row = &out(r, 0);
    for (std::size_t j = 0; j < units(); ++j) row[j] += b[j];
  }
}

void WeightedDistribution::accumulate_affine_gradient(const Matrix& parents, Matrix& deltas, const Vector& weights,
                                                      std::span<double> gradient) const {
  if (weights.size() != deltas.shape(0))
    throw Error("accumulate_gradient: " + std::to_string(weights.size()) + " pattern weights for " +
                std::to_string(deltas.shape(0)) + " patterns of node '" + shape_.node + "'");
  double scale = 1.0;
  if (!uniform_weights(weights, scale)) {
    // Each pattern's deltas times its weight, then the products with scale 1.
    for (std::size_t r = 0; r < deltas.shape(0); ++r)
      for (std::size_t j = 0; j < units(); ++j) deltas(r, j) *= weights(r);
    scale = 1.0;
  }
  double* gb = bias_gradient(gradient);
  for (std::size_t r = 0; r < deltas.shape(0); ++r)
    for (std::size_t j = 0; j < units(); ++j) gb[j] += scale * deltas(r, j);
  accumulate_outer(deltas, parents, scale, weight_gradient(gradient));
}

const float* WeightedDistribution::single_or_throw() const {
  const float* single = single_parameters();
  if (!single)
    throw Error("node '" + shape_.node + "': a single-precision call before its network enabled single precision");
  return single;
}

void WeightedDistribution::affine_single(const MatrixF& parents, MatrixF& out) const {
  const float* b = single_or_throw();
  const std::size_t n = parents.shape(0);
  ensure_shape(out, n, units());
  multiply_by_transpose(parents, b + units(), units(), out);
  for (std::size_t r = 0; r < n; ++r) {
    float* row = &out(r, 0);
    for (std::size_t j = 0; j < units(); ++j) row[j] += b[j];
  }
}

void WeightedDistribution::accumulate_affine_gradient_single(const MatrixF& parents, MatrixF& deltas,
                                                             const VectorF& weights, std::span<float> gradient) const {
  if (weights.size() != deltas.shape(0))
    throw Error("accumulate_gradient: " + std::to_string(weights.size()) + " pattern weights for " +
                std::to_string(deltas.shape(0)) + " patterns of node '" + shape_.node + "'");
  float scale = weights.size() ? weights(0) : 0.0f;
  if (std::any_of(weights.begin(), weights.end(), [scale](float w) { return w != scale; })) {
    for (std::size_t r = 0; r < deltas.shape(0); ++r)
      for (std::size_t j = 0; j < units(); ++j) deltas(r, j) *= weights(r);
    scale = 1.0f;
  }
  float* gb = gradient.data();
  for (std::size_t r = 0; r < deltas.shape(0); ++r)
    for (std::size_t j = 0; j < units(); ++j) gb[j] += scale * deltas(r, j);
  accumulate_outer(deltas, parents, scale, gradient.data() + units());
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
