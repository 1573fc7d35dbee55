#include "framework/cli/interrupt.hpp"

#include <csignal>
#include <unistd.h>

namespace helmholtz::cli {
namespace {

std::atomic<bool> interrupted{false};
std::atomic<int> received{SIGINT};  // the first signal's number

extern "C" void on_interrupt(int signal) {
  if (interrupted.load()) _exit(128 + received.load());  // a second one: leave now
  received.store(signal);  // before the flag, so that whoever sees the flag sees the signal
  interrupted.store(true);
}

}  // namespace

const std::atomic<bool>& interrupt_flag() {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    return true;
  }();
  (void)installed;
  return interrupted;
}

int interrupted_status() { return 128 + received.load(); }

void take_closed_pipe_as_write_error() { std::signal(SIGPIPE, SIG_IGN); }

}  // namespace helmholtz::cli
