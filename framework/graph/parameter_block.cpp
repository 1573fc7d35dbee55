#include "framework/graph/parameter_block.hpp"

#include <algorithm>
#include <cmath>

#include "framework/error.hpp"

namespace helmholtz {

bool ParameterRange::contains(double x) const { return std::isfinite(x) && x >= lower && x <= upper; }

double ParameterRange::clamp(double x) const {
  // Unbounded ends still keep values finite.
  const double lowest = std::max(lower, -std::numeric_limits<double>::max());
  const double highest = std::min(upper, std::numeric_limits<double>::max());
  if (std::isnan(x)) return std::clamp(0.0, lowest, highest);
  return std::clamp(x, lowest, highest);
}

std::string ParameterRange::describe() const {
  const bool low = std::isfinite(lower), high = std::isfinite(upper);
  if (low && high) return "in [" + format_number(lower) + ", " + format_number(upper) + "]";
  if (low) return ">= " + format_number(lower);
  if (high) return "<= " + format_number(upper);
  return "finite";
}

double to_learning(Reparameterisation r, double theta) {
  switch (r) {
    case Reparameterisation::identity: return theta;
    case Reparameterisation::log: return std::log(theta);
    case Reparameterisation::log_hazard: return std::log(-std::log1p(-theta));
  }
  return theta;
}

double to_natural(Reparameterisation r, double v) {
  switch (r) {
    case Reparameterisation::identity: return v;
    case Reparameterisation::log: return std::exp(v);
    case Reparameterisation::log_hazard: return -std::expm1(-std::exp(v));
  }
  return v;
}

double natural_derivative(Reparameterisation r, double v, double theta) {
  switch (r) {
    case Reparameterisation::identity: return 1.0;
    case Reparameterisation::log: return theta;
    case Reparameterisation::log_hazard: return std::exp(v) * (1.0 - theta);  // u e^{-u}, u = e^v
  }
  return 1.0;
}

const char* describe(Reparameterisation r) {
  switch (r) {
    case Reparameterisation::identity: return "identity";
    case Reparameterisation::log: return "log";
    case Reparameterisation::log_hazard: return "log-hazard";
  }
  return "?";
}

}  // namespace helmholtz
