// Generators stream (issue 13): `helmholtz data NAME -n N` and `helmholtz sample -n N` write
// patterns as they draw them, so that an N far beyond memory (10^12 patterns of 32 units
// would be 256 TB as doubles) starts at once in bounded memory, as `yes | head` does. Checked
// on the built program under an address-space limit (256 MB for data, 1 GB for sample, whose
// matrix products reserve OpenBLAS buffers of 128 MB a thread): the first 100 KB arrive
// within seconds and are the first 100 KB of a small run with the same seed (the k-th
// pattern does not depend on N), and closing the pipe ends the program promptly: killed by
// SIGPIPE by default, or, with SIGPIPE ignored, exit status 1 saying the output could not
// be written.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;

namespace helmholtz {
namespace {

const std::string huge = "1000000000000";  // 10^12
const std::string tiny_model = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/tiny.yaml";

// The first `bytes` of the program's stdout for `args` run to the end (N small).
std::string first_bytes_of_small_run(const std::vector<std::string>& args, std::size_t bytes) {
  const Run r = run(args);
  REQUIRE(r.status == 0);
  REQUIRE(r.out.size() >= bytes);
  return r.out.substr(0, bytes);
}

struct Generator {
  std::vector<std::string> args;  // without -n
  std::size_t bytes;              // read from the huge run, all within the small run's output
  std::uint64_t memory_limit;     // bytes of address space
};

constexpr std::uint64_t megabyte = 1 << 20;

std::vector<Generator> generators() {
  return {{{"data", "shifter", "--seed", "7"}, 100000, 256 * megabyte},
          {{"data", "bars", "--seed", "3", "--size", "6"}, 100000, 256 * megabyte},
          {{"data", "assemblies", "--seed", "5", "--unassigned-channels", "4"}, 100000, 256 * megabyte},
          // sample draws in batches of 1024: its first 1024 lines do not depend on N.
          {{"sample", tiny_model, "--seed", "2"}, 1024 * 5, 1024 * megabyte}};
}

std::vector<std::string> with_n(std::vector<std::string> args, const std::string& n) {
  args.push_back("-n");
  args.push_back(n);
  return args;
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

TEST_CASE("data and sample with -n 10^12 start at once in bounded memory, and a closed pipe ends them by SIGPIPE") {
  for (const Generator& g : generators()) {
    CAPTURE(joined(g.args));
    const std::string expected = first_bytes_of_small_run(with_n(g.args, "5000"), g.bytes);
    ChildOptions options;
    options.address_space = g.memory_limit;
    Child child(with_n(g.args, huge), options);
    const auto start = std::chrono::steady_clock::now();
    const std::string got = child.read_stdout(g.bytes);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(got == expected);
    CHECK(seconds < 10.0);
    child.close_stdout();
    const ChildExit exit = child.wait_for(std::chrono::seconds(10));
    REQUIRE(exit.finished);
    CHECK(exit.signal == SIGPIPE);  // as `yes | head`: no message, no out of memory
    CHECK(child.err().empty());
  }
}

TEST_CASE("with SIGPIPE ignored, data and sample stop at the closed pipe with exit status 1 and say why") {
  for (const Generator& g : generators()) {
    CAPTURE(joined(g.args));
    ChildOptions options;
    options.address_space = g.memory_limit;
    options.ignore_sigpipe = true;
    Child child(with_n(g.args, huge), options);
    CHECK(child.read_stdout(g.bytes).size() == g.bytes);
    child.close_stdout();
    const ChildExit exit = child.wait_for(std::chrono::seconds(10));
    REQUIRE(exit.finished);
    CHECK(exit.status == 1);
    CHECK(child.err() == "helmholtz " + g.args[0] + ": could not write the output (Broken pipe)\n");
  }
}

TEST_CASE("data --labels streams its labels too, and a closed pipe leaves neither labels nor a temporary file") {
  const fs::path folder = fs::temp_directory_path() / ("helmholtz-streaming-" + std::to_string(::getpid()));
  fs::create_directories(folder);
  const std::string labels = (folder / "shifter.labels").string();
  {
    ChildOptions options;
    options.address_space = 256 * megabyte;
    Child child({"data", "shifter", "-n", huge, "--seed", "1", "--labels", labels}, options);
    CHECK(child.read_stdout(100000).size() == 100000);
    child.close_stdout();
    const ChildExit exit = child.wait_for(std::chrono::seconds(10));
    REQUIRE(exit.finished);
    // With a file to put in place, the closed pipe is a failed write: the temporary labels go.
    CHECK(exit.status == 1);
    CHECK(child.err() == "helmholtz data: could not write the output (Broken pipe); " + labels + " not written\n");
  }
  CHECK(fs::is_empty(folder));
  fs::remove_all(folder);
}

}  // namespace helmholtz
