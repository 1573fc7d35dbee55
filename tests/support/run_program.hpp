#pragma once
// Running the built helmholtz program as a user does: in a working directory of the test's
// choosing (so that the file names it prints are the ones a document shows), with its
// standard output and error captured and its exit status returned. HELMHOLTZ_BINARY is a
// compile definition of every test (tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include "tests/support/scratch_folder.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace helmholtz {

struct ProgramRun {
  int status = -1;  // the exit status, or -1 if the program did not exit normally
  std::string out, err;
};

namespace detail {

inline std::string whole_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs argv[0] with argv in `directory`, stdin from /dev/null, with the environment
// variables `settings` ("NAME=VALUE") added to the test's own.
inline ProgramRun run_in(const std::filesystem::path& directory, const std::vector<std::string>& argv,
                         const std::vector<std::string>& settings = {}) {
  const ScratchFolder capture;
  const std::filesystem::path out_file = capture.path / "out", err_file = capture.path / "err";
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 ||
        ::chdir(directory.c_str()) != 0)
      ::_exit(127);
    for (const std::string& setting : settings) {
      const std::size_t equals = setting.find('=');
      if (equals == std::string::npos || ::setenv(setting.substr(0, equals).c_str(), setting.c_str() + equals + 1, 1) != 0)
        ::_exit(127);
    }
    std::vector<std::string> copy = argv;
    std::vector<char*> pointers;
    for (std::string& a : copy) pointers.push_back(a.data());
    pointers.push_back(nullptr);
    ::execv(pointers[0], pointers.data());
    ::_exit(127);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  ProgramRun run;
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = whole_file(out_file);
  run.err = whole_file(err_file);
  return run;
}

}  // namespace detail

// `helmholtz ARGS...` run in `directory`, with the environment variables `settings` added.
inline ProgramRun run_helmholtz(const std::vector<std::string>& args, const std::filesystem::path& directory,
                                const std::vector<std::string>& settings = {}) {
  std::vector<std::string> argv{HELMHOLTZ_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return detail::run_in(directory, argv, settings);
}

// A shell command line as a document shows it (`helmholtz sample m.yaml -n 5 > m.data`),
// run by /bin/sh in `directory` with `helmholtz` standing for the built program.
inline ProgramRun run_shell_line(const std::string& line, const std::filesystem::path& directory) {
  const std::string script = "helmholtz() { '" + std::string(HELMHOLTZ_BINARY) + "' \"$@\"; }\n" + line + "\n";
  return detail::run_in(directory, {"/bin/sh", "-c", script});
}

}  // namespace helmholtz
