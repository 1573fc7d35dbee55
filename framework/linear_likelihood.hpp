#pragma once
// An optional capability of a distribution, asked for with dynamic_cast and never required:
// its log-probability splits into a part linear in the parents' states and a residual that
// depends on the parents only through the firing log-probabilities,
//   log P(s | x) = offset(s) + slope(s) . x + sum_j (s_j ? on_residual_j(x) : off_residual_j(x)).
// Exact enumeration uses it for an observed node whose parents are all hidden: offset and
// slope are computed once per data pattern; in Gray-code order a flip of hidden unit k moves
// every pattern's linear part by +-slope_k, and the residuals are computed once per
// configuration and shared by all patterns, so the work per (pattern, configuration) is O(1)
// (plus, for a state-dependent residual, one term per unit that is on in the pattern).
// A plugin without it still works through the generic path (a product over all units).
//
//   sigmoid   log P = s . a - sum_j softplus(a_j), a = b + W x: offset = s . b,
//             slope = W^T s, residual log P(off_j) = -softplus(a_j) whatever s_j.
//   noisy-or  log P(off_j) = log1p(-b_j) + sum_k x_k log1p(-W_jk) is linear: offset and
//             slope sum it over the units that are off; the residual is log P(on_j) for a
//             unit that is on, and 0 (or -inf under an active certain cause) for one off.
//
// Parent units are numbered as the columns of the parents' layout (NodeShape::parents side
// by side). A residual of -inf (an impossible state) is exact: offset and slope stay finite.
#include <cstddef>

namespace helmholtz {

class LinearLikelihood {
 public:
  virtual ~LinearLikelihood() = default;

  // For the states s of the node's units (one pattern): offset(s), and slope(s) for every
  // parent unit.
  virtual void linear_terms(const double* states, double& offset, double* slope) const = 0;
  // false: on_residual_j = off_residual_j for every unit (only off_residual is written and
  // read), so the residual is one number per configuration, the same for every pattern.
  virtual bool residual_depends_on_state() const = 0;
  // The residuals of every unit from its firing log-probabilities (log_firing_probabilities
  // or log_firing_from_statistics at the same parents). on_residual may be null when the
  // residual does not depend on the state.
  virtual void residuals(const double* log_on, const double* log_off, double* on_residual,
                         double* off_residual) const = 0;

  // Optional, for a plugin that also has IncrementalStatistics and a residual that does not
  // depend on the state: the residual summed over the units straight from the statistics,
  // sparing the per-unit firing log-probabilities (sigmoid: -sum_j softplus(a_j), one exp
  // per unit and one log per call). Exact enumeration calls it once per configuration.
  virtual bool sums_residual_from_statistics() const { return false; }
  virtual double residual_sum_from_statistics(const double* /*stats*/) const { return 0.0; }
};

}  // namespace helmholtz
