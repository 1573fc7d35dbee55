#include "framework/engines/training/optimisers/schedule.hpp"

#include <cmath>

#include "framework/error.hpp"

namespace helmholtz {

Schedule::Schedule(const std::string& name, double decay) : decay_(decay) {
  if (name == "constant") kind_ = Kind::constant;
  else if (name == "inverse") kind_ = Kind::inverse;
  else if (name == "exponential") kind_ = Kind::exponential;
  else throw Error("unknown schedule '" + name + "' (available: constant, inverse, exponential)");
  if (!(decay >= 0.0) || !std::isfinite(decay)) throw Error("the decay of the schedule must be a number >= 0");
}

double Schedule::factor(std::size_t epochs_completed) const {
  const double t = static_cast<double>(epochs_completed);
  switch (kind_) {
    case Kind::constant: return 1.0;
    case Kind::inverse: return 1.0 / (1.0 + decay_ * t);
    case Kind::exponential: return std::exp(-decay_ * t);
  }
  return 1.0;
}

std::vector<std::string> Schedule::names() { return {"constant", "inverse", "exponential"}; }

}  // namespace helmholtz
