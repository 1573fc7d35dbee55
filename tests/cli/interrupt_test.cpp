// Ctrl-C: the built program, started on long work, must stop within moments of SIGINT,
// exit with status 130 and say so; training must leave a loadable model with the
// parameters reached so far.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "plugins/builtin.hpp"
#include "framework/io/model_file.hpp"

namespace fs = std::filesystem;

namespace {

struct Finished {
  int status = -1;  // exit status, or -1 if it had to be killed
  double seconds_after_signal = 0;
  std::string err;
};

// Runs the program with stdout to /dev/null and stderr to a file, sends `signal` (SIGINT by
// default) after `delay`, and waits at most `limit` for it to finish.
Finished interrupt_after(const std::vector<std::string>& args, std::chrono::milliseconds delay,
                         std::chrono::seconds limit, int signal = SIGINT) {
  const fs::path err_file = fs::temp_directory_path() / ("helmholtz-interrupt-" + std::to_string(::getpid()) + ".err");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const int out = ::open("/dev/null", O_WRONLY);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    std::string binary = HELMHOLTZ_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  std::this_thread::sleep_for(delay);
  ::kill(child, signal);
  const auto sent = std::chrono::steady_clock::now();
  Finished result;
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - sent > limit) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      fs::remove(err_file);
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.seconds_after_signal = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  std::ostringstream text;
  text << in.rdbuf();
  result.err = text.str();
  fs::remove(err_file);
  return result;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path path = fs::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("Ctrl-C stops exact enumeration of 2^28 configurations within a second, exit status 130") {
  const std::string model = write_temp("wide.yaml", R"(
nodes:
  - {name: h, type: binary, size: 28}
  - {name: d, type: binary, size: 8, observed: true}
generative:
  h: {distribution: sigmoid}
  d: {distribution: sigmoid, parents: [h]}
)");
  const std::string data = write_temp("wide.data", "01010101\n11110000\n");
  const Finished f = interrupt_after({"exact", model, "--data", data}, std::chrono::milliseconds(500), std::chrono::seconds(5));
  CHECK(f.status == 130);
  CHECK(f.seconds_after_signal < 1.0);
  CHECK(f.err.find("interrupted") != std::string::npos);
  fs::remove(model);
  fs::remove(data);
}

TEST_CASE("Ctrl-C during training writes the parameters reached so far, exit status 130") {
  const std::string model = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/bars.yaml";
  std::string patterns;
  for (int i = 0; i < 2000; ++i) patterns += i % 2 ? "1111000000000000\n" : "1000100010001000\n";
  const std::string data = write_temp("bars.data", patterns);
  const fs::path output = fs::temp_directory_path() / (std::to_string(::getpid()) + "-trained.yaml");
  fs::remove(output);
  const Finished f = interrupt_after({"train", model, "--data", data, "--epochs", "100000", "--seed", "1", "--output",
                                      output.string()},
                                     std::chrono::milliseconds(500), std::chrono::seconds(5));
  CHECK(f.status == 130);
  CHECK(f.seconds_after_signal < 1.0);
  CHECK(f.err.find("parameters reached so far") != std::string::npos);
  REQUIRE(fs::exists(output));
  const helmholtz::Network trained = helmholtz::read_model(output.string());
  const helmholtz::Network initial = helmholtz::read_model(model);
  CHECK(trained.generative.conditionals[2].distribution->parameters() !=
        initial.generative.conditionals[2].distribution->parameters());
  // The record says the run was cut short, so that --resume can say it will not be exact.
  REQUIRE(trained.training);
  CHECK(trained.training->interrupted);
  fs::remove(output);
  fs::remove(data);
}

TEST_CASE("SIGTERM during training writes the parameters reached so far, exit status 143") {
  const std::string model = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/bars.yaml";
  std::string patterns;
  for (int i = 0; i < 2000; ++i) patterns += i % 2 ? "1111000000000000\n" : "1000100010001000\n";
  const std::string data = write_temp("bars-term.data", patterns);
  const fs::path output = fs::temp_directory_path() / (std::to_string(::getpid()) + "-terminated.yaml");
  fs::remove(output);
  const Finished f = interrupt_after({"train", model, "--data", data, "--epochs", "100000", "--seed", "1", "--output",
                                      output.string()},
                                     std::chrono::milliseconds(500), std::chrono::seconds(5), SIGTERM);
  CHECK(f.status == 143);
  CHECK(f.seconds_after_signal < 1.0);
  CHECK(f.err.find("parameters reached so far") != std::string::npos);
  REQUIRE(fs::exists(output));
  const helmholtz::Network trained = helmholtz::read_model(output.string());
  REQUIRE(trained.training);
  CHECK(trained.training->interrupted);
  fs::remove(output);
  fs::remove(data);
}
