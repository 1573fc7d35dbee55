#include "framework/fisher_from_gradients.hpp"

#include <cmath>

namespace helmholtz {

FisherFromGradients::FisherFromGradients(const Distribution& distribution) : distribution_(distribution) {
  const NodeShape& shape = distribution.shape();
  const std::size_t columns = shape.parent_units();
  for (const ParameterBlock& b : distribution.blocks()) per_unit_ += b.layout == BlockLayout::per_unit ? 1 : columns;
  indices_.reserve(shape.units * per_unit_);
  for (std::size_t j = 0; j < shape.units; ++j)
    for (const ParameterBlock& b : distribution.blocks()) {
      if (b.layout == BlockLayout::per_unit) {
        indices_.push_back(b.offset + j);
        continue;
      }
      for (std::size_t k = 0; k < columns; ++k) indices_.push_back(b.offset + j * columns + k);
    }
  parent_row_ = Matrix::from_shape({1, columns});
  on_ = Matrix::from_shape({1, shape.units});
  on_.fill(1.0);
  off_ = Matrix::from_shape({1, shape.units});
  off_.fill(0.0);
  one_ = Vector::from_shape({1});
  one_(0) = 1.0;
  gradient_on_ = Vector::from_shape({distribution.parameter_count()});
  gradient_off_ = Vector::from_shape({distribution.parameter_count()});
}

void FisherFromGradients::fisher_block_indices(std::size_t unit, std::size_t* indices) const {
  std::copy(indices_.begin() + static_cast<std::ptrdiff_t>(unit * per_unit_),
            indices_.begin() + static_cast<std::ptrdiff_t>((unit + 1) * per_unit_), indices);
}

void FisherFromGradients::accumulate_fisher_blocks(const Matrix& parents, const Vector& weights, double* blocks,
                                                   Workspace& work) const {
  const std::size_t units = distribution_.shape().units, columns = parents.shape(1), m = per_unit_;
  const std::span<double> on(gradient_on_.data(), gradient_on_.size());
  const std::span<double> off(gradient_off_.data(), gradient_off_.size());
  for (std::size_t n = 0; n < parents.shape(0); ++n) {
    if (weights(n) == 0.0) continue;
    std::copy(parents.data() + n * columns, parents.data() + (n + 1) * columns, parent_row_.data());
    distribution_.log_firing_probabilities(parent_row_, log_on_, log_off_);
    gradient_on_.fill(0.0);
    gradient_off_.fill(0.0);
    distribution_.accumulate_gradient(parent_row_, on_, one_, on, work);
    distribution_.accumulate_gradient(parent_row_, off_, one_, off, work);
    for (std::size_t j = 0; j < units; ++j) {
      const double p_on = weights(n) * std::exp(log_on_(0, j)), p_off = weights(n) * std::exp(log_off_(0, j));
      const std::size_t* index = indices_.data() + j * m;
      double* block = blocks + j * m * m;
      for (std::size_t a = 0; a < m; ++a) {
        const double on_a = p_on * gradient_on_(index[a]), off_a = p_off * gradient_off_(index[a]);
        double* row = block + a * m;
        for (std::size_t b = 0; b < m; ++b) row[b] += on_a * gradient_on_(index[b]) + off_a * gradient_off_(index[b]);
      }
    }
  }
}

}  // namespace helmholtz
