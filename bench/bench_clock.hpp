#pragma once
// Timing helpers shared by the benchmarks.
#include <chrono>
#include <ctime>

namespace helmholtz::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the whole process (every thread): compared with wall time, it tells how many
// cores a run really had on a machine shared with other work.
inline double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

}  // namespace helmholtz::bench
