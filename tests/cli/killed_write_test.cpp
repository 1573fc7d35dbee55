// SIGKILL during the write of an output leaves the previous file intact (issue 13), on the
// built program. An output is written to a temporary file `NAME.tmp-XXXXXX` beside it and
// renamed over NAME once complete (framework/io/atomic_file.hpp), so a program killed at any
// moment leaves NAME either as it was or whole and new, never partial; what a kill can leave
// is its temporary file, which the next run ignores.
//
// Each round overwrites an existing file ("previous\n") and is killed at a moment drawn at
// random after the new contents have started on their way (a temporary file beside NAME
// that is not empty, or NAME itself changed, as it would be if the program wrote in place).
// Then NAME must be "previous\n" or exactly what an uninterrupted run writes, and the only
// other files are temporary ones. Two writers are covered: data --labels, streamed to its
// file for about a second, and train --output, a 13 MB model written in one piece and
// flushed to disk. The kills that cut a write are counted; for the streamed labels every
// round should, and the test requires at least one, so that it cannot pass by killing too
// late. A program that wrote in place would leave NAME partial in those rounds and fail.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/cli_run.hpp"

namespace fs = std::filesystem;

namespace helmholtz {
namespace {

const std::string previous = "previous\n";

struct Folder {
  fs::path path;
  explicit Folder(const std::string& name) {
    path = fs::temp_directory_path() / ("helmholtz-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

bool is_temporary_of(const std::string& name, const std::string& destination) {
  const std::string prefix = destination + ".tmp-";
  return name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0;
}

// Temporary files of `destination` (a file name in `folder`) there now.
std::vector<fs::path> temporaries(const fs::path& folder, const std::string& destination) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(folder))
    if (is_temporary_of(entry.path().filename().string(), destination)) out.push_back(entry.path());
  return out;
}

std::vector<std::string> names_in(const fs::path& folder) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(folder)) out.push_back(entry.path().filename().string());
  return out;
}

// Waits until the new contents of `file` are on their way (a temporary file beside it that is
// not empty, or `file` no longer "previous\n") or the program has ended.
void wait_for_writing(const Child& child, const fs::path& file) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (child.running() && std::chrono::steady_clock::now() < limit) {
    std::error_code ignored;
    for (const fs::path& temporary : temporaries(file.parent_path(), file.filename().string()))
      if (fs::file_size(temporary, ignored) > 0 && !ignored) return;
    if (fs::file_size(file, ignored) != previous.size() || slurp(file.string()) != previous) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

struct Rounds {
  int cut = 0;       // killed while writing: NAME as it was, the temporary file left
  int complete = 0;  // killed after the rename (or ended first): NAME whole and new
};

// Runs `args`, which write `file`, `rounds` times over "previous\n", killing each run at a
// random moment up to `max_delay` after its writing started; `expected` is what an
// uninterrupted run writes.
Rounds kill_while_writing(const std::vector<std::string>& args, const fs::path& file, const std::string& expected,
                          int rounds, std::chrono::milliseconds max_delay) {
  std::mt19937 random(12345);  // the same moments every time the test runs
  std::uniform_int_distribution<long> delay_us(0, static_cast<long>(max_delay.count()) * 1000);
  Rounds result;
  const std::vector<std::string> others = names_in(file.parent_path());  // NAME and the inputs
  for (int round = 0; round < rounds; ++round) {
    CAPTURE(round);
    std::ofstream(file) << previous;
    ChildOptions options;
    options.stdout_file = "/dev/null";
    Child child(args, options);
    wait_for_writing(child, file);
    // Round 0 kills at once: a write is surely under way.
    std::this_thread::sleep_for(std::chrono::microseconds(round == 0 ? 0 : delay_us(random)));
    child.send(SIGKILL);
    const ChildExit exit = child.wait_for(std::chrono::seconds(30));
    REQUIRE(exit.finished);
    const std::string now = slurp(file.string());
    const bool intact = now == previous, whole = now == expected;
    CHECK_MESSAGE((intact || whole), "after SIGKILL, " << file << " holds " << now.size() << " bytes, neither the "
                                                       << previous.size() << " of the file before nor the "
                                                       << expected.size() << " of the new one");
    const std::vector<fs::path> left = temporaries(file.parent_path(), file.filename().string());
    if (intact && !left.empty()) ++result.cut;
    if (whole) ++result.complete;
    CHECK(left.size() <= 1);
    CHECK(names_in(file.parent_path()).size() == others.size() + left.size());  // nothing else new
    for (const fs::path& temporary : left) fs::remove(temporary);
  }
  return result;
}

}  // namespace

TEST_CASE("SIGKILL while data --labels streams its labels leaves the previous labels file intact") {
  Folder folder("killed-labels");
  const fs::path labels = folder.file("shifter.labels");
  const std::vector<std::string> args = {"data", "shifter", "-n", "3000000", "--seed", "1", "--labels", labels.string()};
  {
    ChildOptions options;
    options.stdout_file = "/dev/null";
    Child child(args, options);
    const ChildExit exit = child.wait_for(std::chrono::seconds(120));
    REQUIRE(exit.finished);
    REQUIRE(exit.status == 0);
  }
  const std::string expected = slurp(labels.string());
  REQUIRE(expected.size() > 6000000);  // a label a line
  const Rounds r = kill_while_writing(args, labels, expected, 8, std::chrono::milliseconds(300));
  MESSAGE("data --labels: " << r.cut << " of 8 kills cut the write, " << r.complete << " came after it");
  CHECK(r.cut >= 1);
  // The next run is not disturbed by what a killed one left.
  ChildOptions options;
  options.stdout_file = "/dev/null";
  Child again(args, options);
  CHECK(again.wait_for(std::chrono::seconds(120)).status == 0);
  CHECK(slurp(labels.string()) == expected);
}

TEST_CASE("SIGKILL while train writes a large model leaves the previous model file intact") {
  Folder folder("killed-train");
  const std::string model = folder.file("wide.yaml"), data = folder.file("one.data");
  std::ofstream(model) << "seed: 3\n"
                          "nodes:\n"
                          "  - {name: h, type: binary, size: 200}\n"
                          "  - {name: d, type: binary, size: 1500, observed: true}\n"
                          "generative:\n"
                          "  h: {distribution: sigmoid}\n"
                          "  d: {distribution: sigmoid, parents: [h]}\n";
  std::ofstream(data) << std::string(1500, '0') << "\n";
  const fs::path output = folder.file("trained.yaml");
  const std::vector<std::string> args = {"train", model, "--data", data, "--epochs", "1", "--seed", "1",
                                         "--quiet", "--output", output.string()};
  {
    ChildOptions options;
    options.stdout_file = "/dev/null";
    Child child(args, options);
    REQUIRE(child.wait_for(std::chrono::seconds(120)).status == 0);
  }
  const std::string expected = slurp(output.string());
  REQUIRE(expected.size() > 10000000);
  // The write takes some milliseconds, the flush to disk some more: kill within them.
  const Rounds r = kill_while_writing(args, output, expected, 6, std::chrono::milliseconds(5));
  MESSAGE("train --output: " << r.cut << " of 6 kills cut the write, " << r.complete << " came after it");
}

}  // namespace helmholtz
