#include "framework/cli/interrupt.hpp"

#include <csignal>
#include <unistd.h>

namespace helmholtz::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  if (interrupted.exchange(true)) _exit(interrupted_status);  // second Ctrl-C: leave now
}

}  // namespace

const std::atomic<bool>& interrupt_flag() {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    return true;
  }();
  (void)installed;
  return interrupted;
}

}  // namespace helmholtz::cli
