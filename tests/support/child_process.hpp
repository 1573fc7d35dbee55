#pragma once
// The built program (HELMHOLTZ_BINARY) as a child process, for the tests that need a real
// process: signals, closed pipes, memory limits. Its stdout is a pipe the test reads (or
// closes), or a file; its stderr a file read back by err().
#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "tests/support/cli_run.hpp"

namespace helmholtz {

// AddressSanitizer reserves terabytes of address space for its shadow memory, so a program
// built with it cannot start under an address-space limit: the limit is then left out.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool address_space_limits = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool address_space_limits = false;
#else
inline constexpr bool address_space_limits = true;
#endif
#else
inline constexpr bool address_space_limits = true;
#endif

struct ChildOptions {
  std::optional<std::string> stdout_file;       // stdout to this file; a pipe otherwise
  std::optional<std::uint64_t> address_space;   // RLIMIT_AS of the child, bytes (if address_space_limits)
  bool ignore_sigpipe = false;                  // a closed pipe is then EPIPE, not SIGPIPE
};

struct ChildExit {
  bool finished = false;  // false: still running at the limit, then killed
  int status = -1;        // exit status if it exited
  int signal = 0;         // the signal that ended it, if one did
  double seconds = 0;     // from the call of wait_for
};

class Child {
 public:
  Child(const std::vector<std::string>& args, const ChildOptions& options = {}) {
    static int count = 0;
    err_file_ = std::filesystem::temp_directory_path() /
                ("helmholtz-child-" + std::to_string(::getpid()) + "-" + std::to_string(count++) + ".err");
    int out_pipe[2] = {-1, -1};
    if (!options.stdout_file) REQUIRE(::pipe(out_pipe) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      if (options.address_space && address_space_limits) {
        const rlimit limit{*options.address_space, *options.address_space};
        ::setrlimit(RLIMIT_AS, &limit);
      }
      std::signal(SIGPIPE, options.ignore_sigpipe ? SIG_IGN : SIG_DFL);
      const int out = options.stdout_file ? ::open(options.stdout_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)
                                          : out_pipe[1];
      const int err = ::open(err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int in = ::open("/dev/null", O_RDONLY);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (!options.stdout_file) ::close(out_pipe[0]);
      std::vector<char*> argv;
      std::string binary = HELMHOLTZ_BINARY;
      argv.push_back(binary.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    if (!options.stdout_file) {
      ::close(out_pipe[1]);
      out_ = out_pipe[0];
    }
  }
  ~Child() {
    close_stdout();
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    std::filesystem::remove(err_file_, ignored);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  // Up to `bytes` of stdout: fewer only if the program closes it first.
  std::string read_stdout(std::size_t bytes) {
    std::string text(bytes, '\0');
    std::size_t got = 0;
    while (got < bytes) {
      const ssize_t n = ::read(out_, text.data() + got, bytes - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    return text;
  }
  void close_stdout() {
    if (out_ >= 0) ::close(out_);
    out_ = -1;
  }

  void send(int signal) const { ::kill(pid_, signal); }

  // Whether the program has not ended yet (it is left to wait_for to collect).
  bool running() const {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
  }

  // Waits at most `limit` for the program to end; past it, kills it (finished = false).
  ChildExit wait_for(std::chrono::duration<double> limit) {
    const auto start = std::chrono::steady_clock::now();
    ChildExit result;
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) break;
      if (std::chrono::steady_clock::now() - start > limit) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        reaped_ = true;
        return result;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    reaped_ = true;
    result.finished = true;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(status)) result.status = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
  }

  // What the program wrote on stderr (complete once it has ended).
  std::string err() const { return slurp(err_file_.string()); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  std::filesystem::path err_file_;
};

}  // namespace helmholtz
