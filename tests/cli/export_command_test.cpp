// `helmholtz export --format uai`: the files it writes (the library's text, the chosen pattern
// as evidence), what it prints, its errors, and the whole check of docs/exporting.md run as a
// user runs it: export, then toulbar2's log Z against `helmholtz exact`.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "framework/io/uai_file.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/run_program.hpp"
#include "tests/support/scratch_folder.hpp"

namespace helmholtz {
namespace {

const std::string tiny_model = HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml";

// Three patterns of models/tiny.yaml's 4 observed units.
const char* const three_patterns = "0010\n0110\n1111\n";

// A model whose node `v` has 24 parent units: a table of 2^25 entries.
const char* const wide_model =
    "nodes:\n  - {name: top, type: binary, size: 24}\n  - {name: v, type: binary, size: 1, observed: true}\n"
    "generative:\n  top: {distribution: sigmoid}\n  v: {distribution: sigmoid, parents: [top]}\n";

}  // namespace

TEST_CASE("export --format uai: the network's UAI text, pattern I of the data as evidence, and each node's variables") {
  const ScratchFolder folder;
  const std::string data = folder.write("three.data", three_patterns);
  const std::string out = folder.file("tiny.uai");
  const Run r = run({"export", tiny_model, "--format", "uai", "--evidence", data, "--pattern", "1", "-o", out});
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  CHECK(slurp(out) == uai_model(read_model(tiny_model)));
  // data is declared last: its units are variables 5-8; pattern 1 is 0110.
  CHECK(slurp(out + ".evid") == "4\n5 0\n6 1\n7 1\n8 0\n");
  CHECK(r.out == out + ": a Bayes net of 9 binary variables, one table P(unit | parent units) each\n"
                       "  variables 0-1  top, units 0-1\n"
                       "  variables 2-4  mid, units 0-2\n"
                       "  variables 5-8  data, units 0-3 (observed)\n" +
                     out + ".evid: pattern 1 of " + data + " observed on 4 variables\n");
  // --pattern defaults to 0, the first; --output is -o's long name.
  REQUIRE(run({"export", tiny_model, "--format", "uai", "--evidence", data, "--output", out}).status == 0);
  CHECK(slurp(out + ".evid") == "4\n5 0\n6 0\n7 1\n8 0\n");
}

TEST_CASE("export without --evidence writes the network alone") {
  const ScratchFolder folder;
  const Run r = run({"export", tiny_model, "--format", "uai", "-o", folder.file("tiny.uai")});
  REQUIRE(r.status == 0);
  CHECK(folder.names() == std::vector<std::string>{"tiny.uai"});
  CHECK(slurp(folder.file("tiny.uai")).rfind("BAYES\n9\n", 0) == 0);
  CHECK(!contains(r.out, ".evid"));
}

TEST_CASE("export: a table over --max-table-entries is refused before anything is written, naming the node, its "
          "parent units and the table's size") {
  const ScratchFolder folder;
  const std::string wide = folder.write("wide.yaml", wide_model);
  const Run r = run({"export", wide, "--format", "uai", "-o", folder.file("wide.uai")});
  CHECK(r.status == 1);
  CHECK(r.err ==
        "helmholtz export: node 'v' has 24 parent units, so its table would hold 2^25 = 33554432 entries, more than "
        "the limit of 16777216 entries per table (raise it with --max-table-entries N)\n");
  const Run small = run({"export", tiny_model, "--format", "uai", "--max-table-entries", "8", "-o",
                         folder.file("tiny.uai")});
  CHECK(small.status == 1);
  CHECK(small.err ==
        "helmholtz export: node 'data' has 3 parent units, so each of its 4 tables (one per unit) would hold 2^4 = 16 "
        "entries, more than the limit of 8 entries per table (raise it with --max-table-entries N)\n");
  CHECK(folder.names() == std::vector<std::string>{"wide.yaml"});
  CHECK(run({"export", tiny_model, "--format", "uai", "--max-table-entries", "16", "-o", folder.file("tiny.uai")})
            .status == 0);
}

TEST_CASE("export: --pattern beyond the data is refused, naming the file and how many patterns it has") {
  const ScratchFolder folder;
  const std::string data = folder.write("three.data", three_patterns);
  const Run r = run({"export", tiny_model, "--format", "uai", "--evidence", data, "--pattern", "3", "-o",
                     folder.file("tiny.uai")});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz export: --pattern is 3, but " + data +
                     " has 3 patterns (--pattern 0 to 2, the first is 0)\n");
  CHECK(folder.names() == std::vector<std::string>{"three.data"});
  const Run negative = run({"export", tiny_model, "--format", "uai", "--evidence", data, "--pattern", "-1", "-o",
                            folder.file("tiny.uai")});
  CHECK(negative.status == 2);
  CHECK(negative.err == "helmholtz export: --pattern is '-1', but must be a whole number >= 0\n");
  const Run alone = run({"export", tiny_model, "--format", "uai", "--pattern", "0", "-o", folder.file("tiny.uai")});
  CHECK(alone.status == 2);
  CHECK(alone.err == "helmholtz export: --pattern chooses a pattern of the --evidence file; give --evidence DATA\n");
}

TEST_CASE("export: evidence of the wrong width is refused with the data reader's message") {
  const ScratchFolder folder;
  const std::string data = folder.write("narrow.data", "001\n");
  const Run r = run({"export", tiny_model, "--format", "uai", "--evidence", data, "-o", folder.file("tiny.uai")});
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz export: " + data + ", line 1: pattern has 3 units, but the observed nodes have 4\n");
  CHECK(folder.names() == std::vector<std::string>{"narrow.data"});
}

TEST_CASE("export: usage errors exit 2 with a clear message") {
  const ScratchFolder folder;
  const std::string out = folder.file("tiny.uai");
  Run r = run({"export", tiny_model, "--format", "bif", "-o", out});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz export: unknown format 'bif' (available: uai)\n");
  r = run({"export", tiny_model, "-o", out});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz export: missing --format (available: uai)\n");
  r = run({"export", tiny_model, "--format", "uai"});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz export: missing --output (see helmholtz export --help)\n");
  r = run({"export", "--format", "uai", "-o", out});
  CHECK(r.status == 2);
  CHECK(contains(r.err, "helmholtz export: missing MODEL"));
  r = run({"export", tiny_model, "--format", "uai", "--max-table-entries", "1", "-o", out});
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz export: --max-table-entries is '1', but must be a whole number >= 2\n");
  CHECK(folder.names().empty());
  // An output it cannot write: refused before the model is read.
  r = run({"export", "no-such-model.yaml", "--format", "uai", "-o", folder.file("missing/tiny.uai")});
  CHECK(r.status == 1);
  CHECK(contains(r.err, "cannot write '" + folder.file("missing/tiny.uai") + "'"));
}

TEST_CASE("export: Ctrl-C stops a long export at once, exit status 130, and leaves no file behind") {
  const ScratchFolder folder;
  // One unit under 23 parent units: a table of 2^24 entries, 321 MB and a second or more of work.
  const std::string model = folder.write(
      "wide.yaml", "nodes:\n  - {name: top, type: binary, size: 23}\n  - {name: v, type: binary, size: 1, observed: true}\n"
                   "generative:\n  top: {distribution: sigmoid}\n  v: {distribution: sigmoid, parents: [top]}\n");
  ChildOptions options;
  options.stdout_file = "/dev/null";
  Child child({"export", model, "--format", "uai", "-o", folder.file("wide.uai")}, options);
  // The writing has begun once the temporary file beside wide.uai holds something (the one
  // check_writable makes and removes at once stays empty).
  auto writing = [&] {
    for (const auto& entry : std::filesystem::directory_iterator(folder.path)) {
      if (entry.path().filename().string().rfind("wide.uai.tmp-", 0) != 0) continue;
      std::error_code gone;  // that one may be removed while the folder is listed
      const auto bytes = std::filesystem::file_size(entry, gone);
      if (!gone && bytes > 0) return true;
    }
    return false;
  };
  const auto start = std::chrono::steady_clock::now();
  while (!writing() && child.running() && std::chrono::steady_clock::now() - start < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(writing());
  child.send(SIGINT);
  const ChildExit exit = child.wait_for(std::chrono::seconds(5));
  REQUIRE(exit.finished);
  CHECK(exit.status == 130);  // the whole export takes seconds, and would exit 0
  CHECK(child.err() == "helmholtz export: interrupted\n");
  CHECK(folder.names() == std::vector<std::string>{"wide.yaml"});
}

TEST_CASE("export then toulbar2, as docs/exporting.md runs them: log Z is helmholtz exact's log p(d)") {
  const char* path = std::getenv("PATH");
  std::string toulbar2;
  std::istringstream folders(path ? path : "");
  for (std::string folder; std::getline(folders, folder, ':') && toulbar2.empty();)
    if (::access((folder + "/toulbar2").c_str(), X_OK) == 0) toulbar2 = folder + "/toulbar2";
  if (toulbar2.empty())
    FAIL("toulbar2 is not on PATH (Debian's package toulbar2, which .ci/install-dependencies installs)");
  const ScratchFolder folder;
  std::filesystem::copy_file(tiny_model, folder.path / "tiny.yaml");
  folder.write("five.data", run_helmholtz({"sample", "tiny.yaml", "-n", "5", "--seed", "1"}, folder.path).out);
  const ProgramRun exact = run_helmholtz({"exact", "tiny.yaml", "--data", "five.data"}, folder.path);
  REQUIRE(exact.status == 0);
  for (int pattern = 0; pattern < 5; ++pattern) {
    CAPTURE(pattern);
    const ProgramRun exported = run_helmholtz(
        {"export", "tiny.yaml", "--format", "uai", "--evidence", "five.data", "--pattern", std::to_string(pattern),
         "-o", "tiny.uai"},
        folder.path);
    REQUIRE(exported.status == 0);
    const ProgramRun z = detail::run_in(folder.path, {toulbar2, "tiny.uai", "tiny.uai.evid", "-logz"});
    REQUIRE(z.status == 0);
    std::smatch printed;
    REQUIRE(std::regex_search(z.out, printed, std::regex(R"((\S+) <= Log\(Z\) <= \S+)")));
    // exact's table: a row per pattern, "  N  BITS  LOG_P".
    std::smatch row;
    const std::regex row_pattern("\\n +" + std::to_string(pattern + 1) + " +[01]+ +(-?[0-9.]+)");
    REQUIRE(std::regex_search(exact.out, row, row_pattern));
    // toulbar2 prints log Z to 3 decimals; uai_file_test.cpp bounds the rest of its error.
    CHECK(std::abs(std::stod(printed[1]) - std::stod(row[1])) <= 0.0005 + 1e-6);
  }
}

}  // namespace helmholtz
