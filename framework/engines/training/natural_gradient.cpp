#include "framework/engines/training/natural_gradient.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace helmholtz {
namespace {

// Solves A x = b in place (b becomes x) for a symmetric positive-definite m x m matrix A
// (row-major, overwritten by its Cholesky factor L, A = L L^T, in the lower triangle).
// A non-finite A or b gives a non-finite x, which the trainer stops on as divergence.
void cholesky_solve(double* a, double* b, std::size_t m) {
  for (std::size_t i = 0; i < m; ++i) {
    double* row = a + i * m;
    for (std::size_t j = 0; j <= i; ++j) {
      const double* other = a + j * m;
      double sum = row[j];
      for (std::size_t k = 0; k < j; ++k) sum -= row[k] * other[k];
      row[j] = i == j ? std::sqrt(sum) : sum / other[j];
    }
  }
  for (std::size_t i = 0; i < m; ++i) {  // L y = b
    const double* row = a + i * m;
    double sum = b[i];
    for (std::size_t k = 0; k < i; ++k) sum -= row[k] * b[k];
    b[i] = sum / row[i];
  }
  for (std::size_t i = m; i-- > 0;) {  // L^T x = y
    double sum = b[i];
    for (std::size_t k = i + 1; k < m; ++k) sum -= a[k * m + i] * b[k];
    b[i] = sum / a[i * m + i];
  }
}

}  // namespace

NaturalGradient::NaturalGradient(const Network& network, const DirectedModel& model, double damping,
                                 double weight_decay, std::string_view algorithm)
    : model_(model), damping_(damping), weight_decay_(weight_decay), nodes_(model.conditionals.size()),
      parents_(model.conditionals.size()), workspace_(model.conditionals.size()),
      direction_(Vector::from_shape({model.parameters.size()})) {
  if (!(damping > 0.0) || !std::isfinite(damping))
    throw Error(std::string(algorithm) + ": the damping must be a number > 0, not " + format_number(damping));
  const std::string direction = &model == &network.generative ? "generative" : "recognition";
  const std::vector<bool> fixed = model.fixed_mask();
  std::size_t largest = 0;
  for (std::size_t node = 0; node < model.conditionals.size(); ++node) {
    const Distribution* distribution = model.conditionals[node].distribution.get();
    if (!distribution) continue;
    const std::size_t offset = model.offsets[node];
    const auto is_free = [&](std::size_t i) { return !fixed[offset + i]; };
    std::size_t free_count = 0;
    for (std::size_t i = 0; i < distribution->parameter_count(); ++i) free_count += is_free(i);
    if (free_count == 0) continue;  // not trained: no Fisher blocks needed
    NodeFisher& n = nodes_[node];
    n.fisher = dynamic_cast<const FisherBlocks*>(distribution);
    if (!n.fisher) {
      n.computed = std::make_unique<FisherFromGradients>(*distribution);
      n.fisher = n.computed.get();
      notes_.push_back(std::string(algorithm) + ": " + direction + "." + network.nodes[node].name + " (" +
                       std::string(distribution->kind()) +
                       ") has no Fisher blocks of its own; they are computed from its gradients (exact, slower)");
    }
    n.size = n.fisher->fisher_block_size();
    const std::size_t units = distribution->shape().units;
    n.blocks.assign(units * n.size * n.size, 0.0);
    std::vector<std::size_t> indices(n.size);
    for (std::size_t j = 0; j < units; ++j) {
      n.fisher->fisher_block_indices(j, indices.data());
      Unit unit{free_position_.size(), 0};
      for (std::size_t row = 0; row < n.size; ++row) {
        if (!is_free(indices[row])) continue;
        free_position_.push_back(row);
        free_index_.push_back(offset + indices[row]);
        ++unit.free_count;
      }
      n.units.push_back(unit);
    }
    largest = std::max(largest, n.size);
  }
  system_.resize(largest * largest);
  solution_.resize(largest);
}

void NaturalGradient::compute_fisher(const NodeStates& states, const Vector& weights) {
  accumulate(states, weights, nullptr);
}

void NaturalGradient::accumulate(const NodeStates& states, const Vector& weights, DirectionLearner* learner) {
  const std::size_t patterns = weights.size();
  if (learner) learner->zero_gradient();
  for (std::size_t node = 0; node < nodes_.size(); ++node) {
    NodeFisher& n = nodes_[node];
    if (!n.fisher) continue;  // nothing of it is trained: its direction is 0 whatever its gradient
    const Conditional& conditional = model_.conditionals[node];
    gather_parents(conditional, states, patterns, parents_[node]);
    if (learner)
      conditional.distribution->accumulate_gradient(parents_[node], states[node], weights, learner->node_gradient(node),
                                                    workspace_[node]);
    std::fill(n.blocks.begin(), n.blocks.end(), 0.0);
    n.fisher->accumulate_fisher_blocks(parents_[node], weights, n.blocks.data(), workspace_[node]);
  }
}

void NaturalGradient::solve(const Vector& gradient, Vector& direction) {
  ensure_shape(direction, model_.parameters.size());
  direction.fill(0.0);
  for (const NodeFisher& n : nodes_) {
    for (std::size_t j = 0; j < n.units.size(); ++j) {
      const double* block = n.blocks.data() + j * n.size * n.size;
      const std::size_t m = n.units[j].free_count;
      const std::size_t* position = free_position_.data() + n.units[j].first_free;
      const std::size_t* index = free_index_.data() + n.units[j].first_free;
      for (std::size_t a = 0; a < m; ++a) {
        for (std::size_t b = 0; b < m; ++b) system_[a * m + b] = block[position[a] * n.size + position[b]];
        system_[a * m + a] += damping_;
        solution_[a] = gradient(index[a]);
      }
      cholesky_solve(system_.data(), solution_.data(), m);
      for (std::size_t a = 0; a < m; ++a) direction(index[a]) = solution_[a];
    }
  }
}

const double* NaturalGradient::fisher_block(std::size_t node, std::size_t unit) const {
  const NodeFisher& n = nodes_[node];
  return n.fisher ? n.blocks.data() + unit * n.size * n.size : nullptr;
}

void NaturalGradient::sum_over_ranks(DirectionLearner& learner) {
  if (lower_.empty()) {  // the first step: sized once
    std::size_t size = 0;
    for (const NodeFisher& n : nodes_) size += n.units.size() * n.size * (n.size + 1) / 2;
    lower_.resize(size);
  }
  double* packed = lower_.data();
  for (const NodeFisher& n : nodes_)
    for (std::size_t j = 0; j < n.units.size(); ++j) {
      const double* block = n.blocks.data() + j * n.size * n.size;
      for (std::size_t a = 0; a < n.size; ++a)
        for (std::size_t b = 0; b <= a; ++b) *packed++ = block[a * n.size + b];
    }
  learner.sum_gradient(lower_);
  const double* summed = lower_.data();
  for (NodeFisher& n : nodes_)
    for (std::size_t j = 0; j < n.units.size(); ++j) {
      double* block = n.blocks.data() + j * n.size * n.size;
      for (std::size_t a = 0; a < n.size; ++a)
        for (std::size_t b = 0; b <= a; ++b) block[a * n.size + b] = block[b * n.size + a] = *summed++;
    }
}

void NaturalGradient::step(DirectionLearner& learner, const NodeStates& states, const Vector& weights,
                           double rate_factor) {
  accumulate(states, weights, &learner);
  if (learner.ranks()) sum_over_ranks(learner);
  learner.coordinates().add_weight_decay(weight_decay_, &learner.gradient());
  solve(learner.gradient(), direction_);
  learner.step_along(direction_, rate_factor);
}

}  // namespace helmholtz
