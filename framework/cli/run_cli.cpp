#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <new>
#include <string>

#include "framework/cli/command.hpp"
#include "framework/cli/interrupt.hpp"
#include "framework/cli/job.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/io/data_file.hpp"
#include "framework/version.hpp"

namespace helmholtz::cli {

std::vector<Command> all_commands() {
  std::vector<Command> commands = {check_command(),  sample_command(), exact_command(), train_command(),
                                   evaluate_command(), data_command(), render_command(), probe_command(),
                                   init_command(),   export_command()};
  // Every command that reads a model file may load plugin libraries for it.
  for (auto& command : commands)
    if (command.spec.name != "data") command.spec.options.push_back(plugin_option());
  return commands;
}

namespace {

std::string program_help(const std::vector<Command>& commands) {
  std::string out =
      "usage: helmholtz COMMAND [ARGS...]\n\n"
      "Helmholtz machines: belief networks of binary stochastic units with a generative\n"
      "and a recognition model (Dayan, Hinton, Neal & Zemel 1995).\n\ncommands:\n";
  for (const auto& c : commands) {
    std::string name = "  " + c.spec.name;
    name.resize(12, ' ');
    out += name + c.spec.summary + "\n";
  }
  return out + "\nRun 'helmholtz COMMAND --help' for the options of a command.\n";
}

std::string output_failure(int error) {
  return "could not write the output" + (error != 0 ? std::string(" (") + std::strerror(error) + ")" : std::string());
}

// A full disk, a closed pipe or a failed device shows only as a failed output stream: a
// command whose output was not all written must not exit 0 as if it had been.
int checked_output(const std::string& command, int status, std::ostream& out, std::ostream& err) {
  errno = 0;
  out.flush();
  if (out) return status;
  err << "helmholtz " << command << ": " << output_failure(errno) << "\n";
  return status == 0 ? 1 : status;
}

}  // namespace

void check_output(const std::ostream& out, int error, const std::string& also) {
  if (!out) throw Error(output_failure(error) + also);
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const auto commands = all_commands();
  if (args.empty()) {
    err << program_help(commands);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out << program_help(commands);
    return 0;
  }
  if (args[0] == "--version") {
    const std::string mpi = mpi_library();
    out << "helmholtz " << version << "\n"
        << "MPI: " << (mpi.empty() ? "none (built without; docs/distributed.md)" : mpi) << "\n";
    return 0;
  }
  for (const auto& command : commands) {
    if (command.spec.name != args[0]) continue;
    // The outcome, reported by conclude_job: on err in one process; agreed by the ranks of a job.
    int status = 0;
    std::string message;
    try {
      const Arguments arguments(command.spec, std::vector<std::string>(args.begin() + 1, args.end()));
      if (arguments.help_requested()) {
        out << help_text(command.spec);
        status = checked_output(command.spec.name, 0, out, err);
      } else {
        if (job_ranks() > 1 && !command.distributed)
          throw UsageError("helmholtz " + command.spec.name + " does not split its work over the " +
                           std::to_string(job_ranks()) +
                           " processes of an MPI job (exact, evaluate and train --batch-size do): run it without "
                           "mpirun");
        // mpirun gives standard input to rank 0 alone: the other ranks would read nothing.
        if (job_ranks() > 1 && std::find(args.begin() + 1, args.end(), std::string(standard_input)) != args.end())
          throw UsageError("helmholtz " + command.spec.name +
                           ": standard input (-) reaches only rank 0 of an MPI job; give the data as a file that "
                           "every rank can read");
        status = checked_output(command.spec.name, command.run(arguments, out, err), out, err);
      }
    } catch (const JobStopped& stopped) {
      return stopped.status;  // another rank's error, already agreed on and printed
    } catch (const Interrupted&) {
      message = "helmholtz " + command.spec.name + ": interrupted";
      status = interrupted_status();
    } catch (const UsageError& e) {
      message = e.what();
      status = 2;
    } catch (const Error& e) {
      message = "helmholtz " + command.spec.name + ": " + e.what();
      status = 1;
    } catch (const std::bad_alloc&) {
      message = "helmholtz " + command.spec.name + ": out of memory";
      status = 1;
    } catch (const std::exception& e) {
      message = "helmholtz " + command.spec.name + ": internal error: " + e.what();
      status = 1;
    }
    return conclude_job(status, message, err);
  }
  err << "helmholtz: unknown command '" << args[0] << "'\n\n" << program_help(commands);
  return 2;
}

}  // namespace helmholtz::cli
