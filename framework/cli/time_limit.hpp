#pragma once
// --max-seconds S, the time limit of `exact` and `evaluate`: their work is estimated before it
// starts, by timing a slice of it (estimate_exact_cost, estimate_sampled_seconds), and work
// estimated to take longer than S is refused (docs/limits.md). This replaces a limit on the
// count of hidden units alone, which said nothing of the patterns or of the network's width.
#include <string>

#include "framework/cli/arguments.hpp"
#include "framework/engines/exact_inference.hpp"

namespace helmholtz::cli {

// Ten minutes: long enough that nothing a user means to run is refused (with progress and the
// time left on stderr), short enough that a network a few hidden units too big for
// enumeration is refused at once instead of running for days.
inline constexpr double default_max_seconds = 600;

// The option, its help beginning with `action` ("refuse an enumeration").
Option max_seconds_option(const std::string& action);
// The value of --max-seconds (a number > 0), or default_max_seconds.
double max_seconds(const Arguments& args, const std::string& command);

// "0.25 s", "42 s", "12 minutes", "3.1 hours", "45 days", "2.3e+07 years".
std::string duration(double seconds);

// What an exact enumeration is estimated to cost, for messages: "2^30 = 1073741824 hidden
// configurations x 50 patterns would take about 3.2 hours on 2 threads".
std::string describe_exact_cost(const ExactCost& cost);

}  // namespace helmholtz::cli
