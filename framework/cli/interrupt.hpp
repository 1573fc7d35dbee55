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

// A closed pipe on stdout (`helmholtz data ... | head`) kills the program with SIGPIPE, as it
// does `yes | head`: silent, and right for a command whose only output is the stream. A
// command that also writes files calls this first, so that the closed pipe is instead a
// failed write it reports, after removing the temporary files it would have put in place.
void take_closed_pipe_as_write_error();

}  // namespace helmholtz::cli
