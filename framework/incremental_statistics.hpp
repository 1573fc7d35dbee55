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
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

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

  // False when switching a parent off may leave statistics that have lost their digits: a
  // sum of terms of one sign that span more orders of magnitude than a double keeps (odds of
  // 1e100 and 2, a leak of 1e-300 beside a cause of 0.5), where subtracting the large term
  // leaves the rounding of the small ones, or 0, and a probability of 1e-300 would become an
  // exact 0. Exact enumeration then recomputes the node from the parents that are on, by
  // additions alone, whenever one of them switches off. Default true.
  virtual bool switching_off_keeps_digits() const { return true; }
};

// The magnitudes of the non-zero terms of one unit's sum, for switching_off_keeps_digits:
// within a factor of `widest` of each other, a subtraction loses at most log2(widest) bits
// (16 of the 53 a double holds, for an error under 1e-11 relative).
struct TermMagnitudes {
  static constexpr double widest = 65536.0;
  double smallest = std::numeric_limits<double>::infinity();
  double largest = 0.0;
  void add(double term) {
    const double size = std::abs(term);
    if (size == 0.0 || !std::isfinite(size)) return;  // absent, or counted exactly apart
    smallest = std::min(smallest, size);
    largest = std::max(largest, size);
  }
  bool narrow() const { return !(largest > widest * smallest); }
};

}  // namespace helmholtz
