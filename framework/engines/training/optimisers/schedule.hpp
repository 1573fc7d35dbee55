#pragma once
// Learning-rate schedules: the factor the base rate is multiplied by in epoch t (t = number
// of epochs completed before this one, counting those of a resumed run):
//   constant     1
//   inverse      1 / (1 + decay t)          (the 1/t decay of stochastic approximation)
//   exponential  exp(-decay t)
// Both decaying schedules start at 1 with slope -decay.
#include <cstddef>
#include <string>
#include <vector>

namespace helmholtz {

class Schedule {
 public:
  // Throws Error naming the allowed schedules if `name` is not one of them.
  Schedule(const std::string& name, double decay);
  double factor(std::size_t epochs_completed) const;
  static std::vector<std::string> names();

 private:
  enum class Kind { constant, inverse, exponential } kind_;
  double decay_;
};

}  // namespace helmholtz
