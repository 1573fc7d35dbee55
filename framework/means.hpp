#pragma once
// The means the program prints of per-pattern numbers: a plain sum in pattern order, so that
// the command line and the Python module give the same last digit.
#include <cmath>
#include <limits>

#include "framework/matrix.hpp"

namespace helmholtz {

// The mean of every value (0 for none); -inf if any is -inf.
inline double plain_mean(const Vector& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.size() ? sum / static_cast<double>(v.size()) : 0.0;
}

// The mean over the values that are defined (NaN marks an undefined one: the KL gap of an
// impossible pattern); NaN when none is.
inline double mean_of_defined(const Vector& v) {
  double sum = 0;
  std::size_t count = 0;
  for (double x : v)
    if (!std::isnan(x)) {
      sum += x;
      ++count;
    }
  return count ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace helmholtz
