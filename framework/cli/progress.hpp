#pragma once
// Progress of long work on stderr, with the time left estimated from the rate so far: on a
// terminal one line rewritten in place; otherwise (a log file, a pipe, a test) a plain line
// at each tenth of the work; nothing when quiet. Short work (under a second) shows nothing.
#include <chrono>
#include <ostream>
#include <string>

namespace helmholtz::cli {

class Progress {
 public:
  // `what` names the work, e.g. "exact: 2^25 configurations x 1000 patterns".
  Progress(std::ostream& err, std::string what, bool quiet);
  void update(double fraction);
  // Ends the display (clears the rewritten line on a terminal).
  void finish();

 private:
  std::ostream& err_;
  std::string what_;
  bool quiet_, terminal_;
  bool shown_ = false;
  int last_tenth_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// "1h 02m", "3m 20s", "42s".
std::string format_duration(double seconds);

}  // namespace helmholtz::cli
