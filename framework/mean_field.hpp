#pragma once
// An optional capability of a distribution, asked for with dynamic_cast: its rule in the
// deterministic (mean-field) Helmholtz machine (Dayan, Hinton, Neal & Zemel 1995, sections
// 3-4 and appendices A-B), where each unit carries a probability instead of a sampled state
// and a node's probabilities are a deterministic function of its parents' probabilities m.
// The deterministic algorithm differentiates its cost F through these functions by a
// backward pass, so a plugin supplies the function and its vector-Jacobian products.
//
// Everything is in log space, like log_firing_probabilities: log_on = log p_j(m) and
// log_off = log(1 - p_j(m)), so that saturated units give exact 0 and -inf, never NaN.
#include <span>

#include "framework/distribution.hpp"

namespace helmholtz {

class MeanField {
 public:
  virtual ~MeanField() = default;
  // log_on(n, j) = log p_j(means_n), log_off(n, j) = log(1 - p_j(means_n)): the plugin's
  // mean-field rule at parent probabilities `means` (patterns x parent units, each in [0, 1]).
  // A rule that puts the means into the plugin's own statistic (sigmoid, noisy-or) agrees with
  // log_firing_probabilities at binary means; a rule may also be an approximation that does
  // so only in part (odds-sum's product form: where at most one cause is active).
  virtual void mean_field(const Matrix& means, Matrix& log_on, Matrix& log_off) const = 0;
  // The backward pass: given upstream derivatives d_on = dF/dlog_on and d_off = dF/dlog_off
  // (patterns x units), gradient += dF/dtheta (natural parameters, this node's slice) and
  // mean_gradient = dF/dmeans (patterns x parent units, overwritten). `work` is scratch.
  virtual void mean_field_backward(const Matrix& means, const Matrix& d_on, const Matrix& d_off,
                                   std::span<double> gradient, Matrix& mean_gradient, Workspace& work) const = 0;
};

}  // namespace helmholtz
