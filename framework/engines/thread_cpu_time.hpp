#pragma once
// The processor time the calling thread has used, in seconds: what the work estimates
// (estimate_exact_cost, estimate_sampled_seconds) time their slices with, so that an estimate
// does not grow with whatever else the machine is running at that moment.
#include <ctime>

namespace helmholtz {

inline double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

}  // namespace helmholtz
