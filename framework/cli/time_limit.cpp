#include "framework/cli/time_limit.hpp"

#include <bit>
#include <cmath>
#include <cstdio>

namespace helmholtz::cli {

Option max_seconds_option(const std::string& action) {
  char fallback[32];
  std::snprintf(fallback, sizeof fallback, "%g", default_max_seconds);
  return {"--max-seconds", "", "S", action + " estimated to take longer than S seconds (default " + fallback + ")"};
}

double max_seconds(const Arguments& args, const std::string& command) {
  const double value = args.real_or("--max-seconds", default_max_seconds);
  if (!(value > 0))
    throw UsageError("helmholtz " + command + ": --max-seconds is '" + args.text("--max-seconds") +
                     "', but must be a number of seconds > 0");
  return value;
}

std::string duration(double seconds) {
  char text[64];
  auto show = [&](double value, const char* unit) {
    if (value >= 1e6) std::snprintf(text, sizeof text, "%.2g %s", value, unit);
    else std::snprintf(text, sizeof text, value < 10 ? "%.2g %s" : "%.0f %s", value, unit);
    return std::string(text);
  };
  if (seconds < 60) return show(seconds, "s");
  if (seconds < 3600) return show(seconds / 60, "minutes");
  if (seconds < 2 * 86400) return show(seconds / 3600, "hours");
  if (seconds < 2 * 365.25 * 86400) return show(seconds / 86400, "days");
  return show(seconds / (365.25 * 86400), "years");
}

std::string describe_exact_cost(const ExactCost& cost) {
  const unsigned h = static_cast<unsigned>(std::countr_zero(cost.configurations));
  return "2^" + std::to_string(h) + " = " + std::to_string(cost.configurations) + " hidden configurations x " +
         std::to_string(cost.patterns) + (cost.patterns == 1 ? " pattern" : " patterns") + " would take about " +
         duration(cost.seconds) + " on " +
         (cost.ranks > 1 ? std::to_string(cost.ranks) + " ranks x " : std::string()) + std::to_string(cost.threads) +
         (cost.threads == 1 ? " thread" : " threads") + (cost.ranks > 1 ? " each" : "") +
         " (timed on the first " + std::to_string(cost.timed_configurations) + " configurations)";
}

}  // namespace helmholtz::cli
