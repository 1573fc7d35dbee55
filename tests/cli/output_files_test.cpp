// Every file a command writes (train --output and --log, render -o, data --labels and
// --planted) is refused before any work when it cannot be written, on the built program:
// given commands that would otherwise run for minutes (100,000 epochs, 10^12 patterns, 10^8
// fantasies), each ends within seconds with exit status 1, nothing on stdout, and the
// message `helmholtz COMMAND: cannot write 'NAME': reason`. The destinations fail for root
// too: an empty name, a directory, a folder that does not exist, a path through a regular
// file. And a run stopped by Ctrl-C or SIGTERM while it writes leaves the previous file
// intact and no temporary file beside it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/scratch_folder.hpp"

namespace fs = std::filesystem;

namespace helmholtz {
namespace {

using Folder = ScratchFolder;

struct Destination {
  std::string name, reason;
};

std::vector<Destination> unwritable(const Folder& folder) {
  std::ofstream(folder.file("regular")) << "a file, not a folder\n";
  fs::create_directories(folder.path / "a-folder");
  return {{"", "No such file or directory"},
          {folder.file("a-folder"), "Is a directory"},
          {folder.file("missing/out"), "No such file or directory"},
          {folder.file("regular/out"), "Not a directory"}};
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) {
    if (!out.empty()) out += ' ';
    out += '\'';
    out += a;
    out += '\'';
  }
  return out;
}

}  // namespace

TEST_CASE("every output file that cannot be written is refused before any work") {
  Folder folder;
  const std::string bars = std::string(HELMHOLTZ_SOURCE_DIR) + "/models/bars.yaml";
  const std::string data = folder.file("bars.data");
  {
    std::ofstream out(data);
    for (int i = 0; i < 2000; ++i) out << (i % 2 ? "1111000000000000\n" : "1000100010001000\n");
  }
  const std::string good = folder.file("good.out");
  const std::string long_training = "100000";  // epochs: minutes
  const std::string huge = "1000000000000";    // patterns
  for (const Destination& d : unwritable(folder)) {
    const std::vector<std::vector<std::string>> commands = {
        {"train", bars, "--data", data, "--seed", "1", "--epochs", long_training, "--output", d.name},
        {"train", bars, "--data", data, "--seed", "1", "--epochs", long_training, "--output", good, "--log", d.name},
        {"render", "fantasies", bars, "-n", "100000000", "-o", d.name},
        {"data", "shifter", "-n", huge, "--seed", "1", "--labels", d.name},
        {"data", "assemblies", "-n", huge, "--seed", "1", "--planted", d.name},
    };
    for (const auto& args : commands) {
      CAPTURE(joined(args));
      Child child(args);
      const std::string out = child.read_stdout(1);  // until the program closes stdout
      const ChildExit exit = child.wait_for(std::chrono::seconds(20));
      REQUIRE(exit.finished);
      CHECK(exit.seconds < 10);
      CHECK(exit.status == 1);
      CHECK(out.empty());
      CHECK(child.err() == "helmholtz " + args[0] + ": cannot write '" + d.name + "': " + d.reason + "\n");
      CHECK_FALSE(fs::exists(good));
    }
  }
}

TEST_CASE("Ctrl-C or SIGTERM while data --labels writes stops it, the previous labels intact and nothing left") {
  Folder folder;
  const std::string labels = folder.file("shifter.labels");
  for (const int signal : {SIGINT, SIGTERM}) {
    CAPTURE(signal);
    std::ofstream(labels) << "previous\n";
    ChildOptions options;
    options.stdout_file = "/dev/null";
    Child child({"data", "shifter", "-n", "1000000000000", "--seed", "1", "--labels", labels}, options);
    // Until the labels are on their way: the temporary file beside them is not empty.
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool writing = false;
    while (!writing && child.running() && std::chrono::steady_clock::now() < limit) {
      for (const auto& entry : fs::directory_iterator(folder.path))
        writing = writing || (entry.path().filename().string().rfind("shifter.labels.tmp-", 0) == 0 &&
                              fs::file_size(entry.path()) > 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(writing);
    child.send(signal);
    const ChildExit exit = child.wait_for(std::chrono::seconds(10));
    REQUIRE(exit.finished);
    CHECK(exit.seconds < 2);
    CHECK(exit.status == 128 + signal);
    CHECK(child.err() == "helmholtz data: interrupted\n");
    CHECK(slurp(labels) == "previous\n");
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder.path)) names.push_back(entry.path().filename().string());
    CHECK(names == std::vector<std::string>{"shifter.labels"});
  }
}

}  // namespace helmholtz
