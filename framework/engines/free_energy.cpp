#include "framework/engines/free_energy.hpp"

#include <algorithm>
#include <cmath>

#include "framework/engines/recognition.hpp"
#include "framework/numerics.hpp"

namespace helmholtz {
namespace {

// Patterns handled together, to bound memory on large data sets.
constexpr std::size_t pattern_block = 4096;

Matrix rows(const Matrix& data, std::size_t first, std::size_t count) {
  Matrix out = Matrix::from_shape({count, data.shape(1)});
  std::copy(data.data() + first * data.shape(1), data.data() + (first + count) * data.shape(1), out.data());
  return out;
}

}  // namespace

SampledEstimates sampled_estimates(const Network& network, const Matrix& data, std::size_t samples, Rng& rng,
                                   const std::atomic<bool>* interrupt) {
  if (samples == 0) throw Error("the number of samples must be at least 1");
  const std::size_t patterns = data.shape(0);
  SampledEstimates out{Vector::from_shape({patterns}), Vector::from_shape({patterns})};
  RecognitionSampler recognition(network);
  Vector log_q, log_p, node_log_p, bound_sum, log_weight_sum;
  Matrix parents;
  Workspace workspace;
  for (std::size_t first = 0; first < patterns; first += pattern_block) {
    const std::size_t count = std::min(pattern_block, patterns - first);
    const Matrix block = rows(data, first, count);
    bound_sum = xt::zeros<double>({count});
    log_weight_sum = Vector::from_shape({count});
    log_weight_sum.fill(-numerics::infinity);
    for (std::size_t s = 0; s < samples; ++s) {
      if (interrupt && interrupt->load(std::memory_order_relaxed)) throw Interrupted();
      const NodeStates& states = recognition.sample(block, rng, log_q);
      generative_log_joint(network, states, log_p, parents, node_log_p, workspace);
      for (std::size_t n = 0; n < count; ++n) {
        const double log_weight = log_p(n) - log_q(n);  // log q > -inf: h was drawn from Q
        bound_sum(n) += log_weight;
        log_weight_sum(n) = numerics::log_add_exp(log_weight_sum(n), log_weight);
      }
    }
    const double k = static_cast<double>(samples);
    for (std::size_t n = 0; n < count; ++n) {
      out.sampled_bound(first + n) = bound_sum(n) / k;
      out.importance_log_likelihood(first + n) = log_weight_sum(n) - std::log(k);
    }
  }
  return out;
}

Vector exact_bound(const Network& network, const Matrix& data, const ExactOptions& options) {
  ExactOptions with_bound = options;
  with_bound.free_energy_bound = true;
  return exact_inference(network, data, with_bound).free_energy_bound;
}

}  // namespace helmholtz
