#pragma once
// Ctrl-C handling for long commands: the first SIGINT (or SIGTERM, which a batch system or
// `kill` sends) sets a flag that engines poll between batches, so they stop cleanly (and
// training can save what it has); a second one exits at once.
#include <atomic>

namespace helmholtz::cli {

// Installs the handler (once) and returns the flag it sets.
const std::atomic<bool>& interrupt_flag();

// Exit status of a command stopped by a signal: 128 + its number, as a shell reports a process
// the signal killed (130 for SIGINT, 143 for SIGTERM).
int interrupted_status();

}  // namespace helmholtz::cli
