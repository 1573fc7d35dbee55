#pragma once
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "framework/cli/arguments.hpp"

namespace helmholtz::cli {

struct Command {
  CommandSpec spec;
  // Writes results to `out` and progress to `err`; returns the exit status. Errors are thrown.
  std::function<int(const Arguments&, std::ostream& out, std::ostream& err)> run;
  // Whether it splits its work over the ranks of an MPI job (job.hpp); a command that does not
  // is refused in a job of several ranks.
  bool distributed = false;
};

// One function per subcommand, each in its own file.
Command check_command();
Command sample_command();
Command exact_command();
Command train_command();
Command evaluate_command();
Command data_command();
Command render_command();
Command probe_command();
Command init_command();
Command export_command();

// Every subcommand, in the order --help lists them.
std::vector<Command> all_commands();

// Throws Error "could not write the output (reason)" once `out` has failed (a closed pipe, a
// full disk): a command writing a long stream calls it after each block, so that it stops
// instead of drawing what can no longer be written. `error` is the errno of the failed
// write, 0 if unknown; `also` is added to the message ("; labels.txt not written").
void check_output(const std::ostream& out, int error, const std::string& also = "");

// The whole program: parses argv, runs the command, turns errors into messages on `err`
// and an exit status (0 ok, 1 error in the input or the run, 2 wrong usage).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace helmholtz::cli
