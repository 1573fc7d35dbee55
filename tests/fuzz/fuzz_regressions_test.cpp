// The fuzzers' findings, kept: every input in tests/fuzz/regressions/<target>/ once crashed,
// hung or leaked in the fuzzer of that target, and is replayed here through the same entry point
// (tests/fuzz/fuzz_entry_points.hpp), which must now refuse it with the Error listed below,
// word for word. The seeds of the fuzzers (tests/fuzz/seeds/, and the shipped models and data)
// go through the entry points too, each accepted or refused with an Error.
// Facts checked:
//   each regression input gives exactly its listed message (file, line, column and text), in a
//   child process with a time limit (and a memory limit outside the sanitizer builds);
//   every file in tests/fuzz/regressions/ has an entry, and every entry a file;
//   every seed is accepted (and then passes the entry point's consistency checks: a model reads
//   back from what is written the same, bit for bit) or refused with an Error.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_entry_points.hpp"

// clang says whether AddressSanitizer is on with __has_feature, GCC with __SANITIZE_ADDRESS__.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HELMHOLTZ_HAS_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef HELMHOLTZ_HAS_ADDRESS_SANITIZER
#define HELMHOLTZ_HAS_ADDRESS_SANITIZER 0
#endif

namespace helmholtz {
namespace {

namespace fs = std::filesystem;

const fs::path fuzz_dir = fs::path(HELMHOLTZ_SOURCE_DIR) / "tests" / "fuzz";

const std::map<std::string, std::function<void(std::string_view)>> entry_points = {
    {"model_file", fuzz::model_file},
    {"data_file", fuzz::data_file},
    {"spike_file", fuzz::spike_file},
    {"arguments", fuzz::arguments}};

struct Finding {
  std::string target;   // the fuzzer, and the folder of tests/fuzz/regressions/
  std::string input;    // the file in that folder
  std::string message;  // the Error it must now give
};

// What each input did before its fix is in tests/fuzz/README.md.
const std::vector<Finding> findings = {
    {"model_file", "stray-comma-hang",
     "fuzz.yaml, line 1, column 1: not valid YAML: unexpected ',' (commas separate the entries of [...] and {...})"},
    {"model_file", "comma-after-flow-list-hang",
     "fuzz.yaml, line 1, column 4: not valid YAML: unexpected ',' (commas separate the entries of [...] and {...})"},
};

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The message of the Error the entry point gives, or why there is none.
std::string outcome(const std::string& target, const std::string& input) {
  try {
    entry_points.at(target)(input);
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not an Error: ") + e.what();
  }
  return "accepted";
}

// outcome(), in a child process stopped after `seconds` and, outside the sanitizer builds (whose
// shadow memory needs the address space), held to 2 GB: an input that once hung, taking memory
// all the while, fails the test if the fault comes back, instead of taking the machine with it.
std::string bounded_outcome(const std::string& target, const std::string& input, unsigned seconds = 10) {
  int channel[2];
  REQUIRE(::pipe(channel) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(channel[0]);
    ::alarm(seconds);
#if !defined(__SANITIZE_ADDRESS__) && !HELMHOLTZ_HAS_ADDRESS_SANITIZER
    const rlimit memory{std::size_t{2} << 30, std::size_t{2} << 30};
    ::setrlimit(RLIMIT_AS, &memory);
#endif
    const std::string result = outcome(target, input);
    for (std::size_t written = 0; written < result.size();) {
      const ssize_t n = ::write(channel[1], result.data() + written, result.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::_exit(0);  // no exit handlers, no leak check: the parent's run is the test
  }
  ::close(channel[1]);
  std::string result;
  char buffer[4096];
  for (ssize_t n; (n = ::read(channel[0], buffer, sizeof buffer)) > 0;) result.append(buffer, static_cast<std::size_t>(n));
  ::close(channel[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) +
           (WTERMSIG(status) == SIGALRM ? " (still running after " + std::to_string(seconds) + " s)" : "");
  return result;
}

void check_findings_of(const std::string& target) {
  for (const Finding& finding : findings) {
    if (finding.target != target) continue;
    const fs::path file = fuzz_dir / "regressions" / target / finding.input;
    INFO(file.string());
    REQUIRE(fs::exists(file));
    CHECK(bounded_outcome(target, slurp(file)) == finding.message);
  }
}

TEST_CASE("fuzz findings of the model-file reader are refused with their messages") { check_findings_of("model_file"); }
TEST_CASE("fuzz findings of the data-file reader are refused with their messages") { check_findings_of("data_file"); }
TEST_CASE("fuzz findings of the spike-file reader are refused with their messages") { check_findings_of("spike_file"); }
TEST_CASE("fuzz findings of the command-line parser are refused with their messages") { check_findings_of("arguments"); }

TEST_CASE("every fuzz regression input has a listed finding") {
  std::set<std::string> listed, present;
  for (const Finding& finding : findings) listed.insert(finding.target + "/" + finding.input);
  for (const auto& [target, run] : entry_points) {
    const fs::path folder = fuzz_dir / "regressions" / target;
    if (!fs::is_directory(folder)) continue;
    for (const auto& entry : fs::directory_iterator(folder)) present.insert(target + "/" + entry.path().filename().string());
  }
  CHECK(present == listed);
}

// Accepted or refused with an Error: anything else (another exception, a failed consistency
// check) is a fault.
void check_seed(const std::string& target, const std::string& input, const std::string& name) {
  INFO(target << " seed " << name);
  const std::string result = outcome(target, input);
  CHECK(result.rfind("not an Error: ", 0) != 0);
}

TEST_CASE("every committed fuzz seed is accepted or refused with an Error") {
  std::size_t seeds = 0;
  for (const auto& [target, run] : entry_points) {
    const fs::path folder = fuzz_dir / "seeds" / target;
    REQUIRE(fs::is_directory(folder));
    for (const auto& entry : fs::directory_iterator(folder)) {
      check_seed(target, slurp(entry.path()), entry.path().filename().string());
      ++seeds;
    }
  }
  CHECK(seeds > 0);
}

TEST_CASE("every shipped model passes the model-file fuzzer's checks (read, written, read back, sampled)") {
  const fs::path models = fs::path(HELMHOLTZ_SOURCE_DIR) / "models";
  std::size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(models)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    CHECK(outcome("model_file", slurp(entry.path())) == "accepted");
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("every shipped data file passes the data-file fuzzer's checks at its width") {
  // The entry point reads the width from the first byte: 1 + its value.
  const std::map<std::string, std::size_t> widths = {{"digits9-train.data", 64}, {"digits9-test.data", 64},
                                                     {"spikes-assemblies.data", 16}};
  for (const auto& [name, width] : widths) {
    INFO(name);
    std::string input(1, static_cast<char>(width - 1));
    input += slurp(fs::path(HELMHOLTZ_SOURCE_DIR) / "models" / "data" / name);
    CHECK(outcome("data_file", input) == "accepted");
  }
}

}  // namespace
}  // namespace helmholtz
