#include "framework/cli/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace helmholtz::cli {

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char text[32];
  if (s >= 3600) std::snprintf(text, sizeof text, "%ldh %02ldm", s / 3600, s % 3600 / 60);
  else if (s >= 60) std::snprintf(text, sizeof text, "%ldm %02lds", s / 60, s % 60);
  else std::snprintf(text, sizeof text, "%lds", s);
  return text;
}

Progress::Progress(std::ostream& err, std::string what, bool quiet)
    : err_(err), what_(std::move(what)), quiet_(quiet),
      terminal_(&err == &std::cerr && ::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void Progress::update(double fraction) {
  if (quiet_ || !(fraction > 0.0)) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (elapsed < 1.0) return;
  const double left = elapsed * (1.0 - fraction) / fraction;
  const int percent = static_cast<int>(std::floor(100.0 * std::min(fraction, 1.0)));
  const std::string line =
      what_ + ": " + std::to_string(percent) + "% done, about " + format_duration(left) + " left";
  if (terminal_) {
    err_ << "\r" << line << "\x1b[K" << std::flush;
    shown_ = true;
    return;
  }
  const int tenth = static_cast<int>(std::floor(10.0 * std::min(fraction, 1.0)));
  if (tenth <= last_tenth_) return;
  last_tenth_ = tenth;
  err_ << line << "\n" << std::flush;
}

void Progress::finish() {
  if (terminal_ && shown_) err_ << "\r\x1b[K" << std::flush;
  shown_ = false;
}

}  // namespace helmholtz::cli
