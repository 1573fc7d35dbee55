#pragma once
// Ctrl-C handling for long commands: the first SIGINT sets a flag that engines poll between
// batches, so they stop cleanly (and training can save what it has); a second one exits.
#include <atomic>

namespace helmholtz::cli {

// Installs the handler (once) and returns the flag it sets.
const std::atomic<bool>& interrupt_flag();

// Exit status of a command stopped by Ctrl-C (128 + SIGINT).
inline constexpr int interrupted_status = 130;

}  // namespace helmholtz::cli
