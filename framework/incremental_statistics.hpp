#pragma once
// An optional capability of a distribution, asked for with dynamic_cast and never required:
// sufficient statistics of its units that change by a fixed amount when one parent unit
// switches on or off. Exact enumeration visits hidden configurations in Gray-code order,
// where one hidden unit flips at a time, so with this capability a child node is updated
// in O(units) per flip instead of being recomputed from all of its parents. A plugin
// without it still works through the generic (slower) path.
//
// Statistics are stored per unit, statistics_per_unit() numbers each: stats[j * per + i].
// Parent units are numbered as the columns of the parents' layout (NodeShape::parents side
// by side). Parent states are binary, so "switch on" and "switch off" are the only moves.
#include <cstddef>

namespace helmholtz {

class IncrementalStatistics {
 public:
  virtual ~IncrementalStatistics() = default;

  virtual std::size_t statistics_per_unit() const = 0;
  // The statistics of every unit when all parent units are off.
  virtual void statistics_with_parents_off(double* stats) const = 0;
  // Parent unit k has switched on (on = true) or off. Implementations should keep exact
  // counts of anything that makes a probability exactly 0 or 1, so that rounding in a long
  // run of additions and subtractions can never turn an exact 0 into a tiny number.
  virtual void switch_parent(double* stats, std::size_t parent_unit, bool on) const = 0;
  // log P(s_j = 1) and log P(s_j = 0) of every unit, from its statistics.
  virtual void log_firing_from_statistics(const double* stats, double* log_on, double* log_off) const = 0;

  // switch_parent, and whether every unit's statistics kept their digits: false when a
  // subtraction cancelled most of a sum of terms of one sign (odds of 1.96 + 1e100 - 1e100,
  // where the 1.96 is lost and 0 remains; a noisy-or leak of 1e-300 after a cause of
  // 1 - 2^-53 switched off), so that a probability of 1e-300 would become an exact 0. The
  // caller then recomputes the statistics from the parents that are on, by additions alone
  // (statistics_with_parents_off, then switch_parent for each). Default: switch_parent, true.
  virtual bool switch_parent_keeping_digits(double* stats, std::size_t parent_unit, bool on) const {
    switch_parent(stats, parent_unit, on);
    return true;
  }
};

}  // namespace helmholtz
