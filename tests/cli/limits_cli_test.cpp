// Limits on the command line (docs/limits.md): `exact` and `evaluate` estimate their work
// before starting it and refuse (or, for evaluate's exact values, skip) what would take longer
// than --max-seconds; the readers' limits are set by environment variables that every command
// honours. The time estimate is checked against work whose size is beyond doubt: 32
// configurations (well under a second), 2^40 (days on any machine) and 2^63 (not countable).
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "framework/io/limits.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/scratch_folder.hpp"

namespace helmholtz {
namespace {

const std::string tiny_model = HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml";

using ScratchDirectory = ScratchFolder;

class ScopedVariable {
 public:
  ScopedVariable(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedVariable() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// 50 patterns of the tiny model, as the conformance script makes them.
std::string tiny_data(const ScratchDirectory& scratch) {
  const Run r = run({"sample", tiny_model, "-n", "50", "--seed", "1"});
  REQUIRE(r.status == 0);
  return scratch.write("d50.data", r.out);
}

// H hidden units above 4 observed ones, and 3 patterns of those.
std::string wide_model(const ScratchDirectory& scratch, int hidden) {
  return scratch.write("h" + std::to_string(hidden) + ".yaml",
                       "nodes:\n  - {name: h, type: binary, size: " + std::to_string(hidden) +
                           "}\n  - {name: v, type: binary, size: 4, observed: true}\n"
                           "generative:\n  h: {distribution: sigmoid}\n  v: {distribution: sigmoid, parents: [h]}\n");
}

TEST_CASE("exact --max-seconds 1: the tiny model (2^5 configurations x 50 patterns) runs") {
  ScratchDirectory scratch;
  const std::string data = tiny_data(scratch);
  const Run r = run({"exact", tiny_model, "--data", data, "--max-seconds", "1", "--json"});
  CHECK(r.status == 0);
  CHECK(contains(r.out, "\"hidden_configurations\": 32"));
  // And through the built program, as the conformance script runs it.
  const std::string command = std::string("'") + HELMHOLTZ_BINARY + "' exact '" + tiny_model + "' --data '" + data +
                              "' --max-seconds 1 > /dev/null";
  const int raw = std::system(command.c_str());
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 0);
}

TEST_CASE("exact --max-seconds: an enumeration estimated to take longer is refused before it starts, with the estimate") {
  ScratchDirectory scratch;
  const std::string data = tiny_data(scratch);
  const Run r = run({"exact", tiny_model, "--data", data, "--max-seconds", "1e-9"});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  INFO(r.err);
  CHECK(r.err.rfind("helmholtz exact: exact enumeration of 2^5 = 32 hidden configurations x 50 patterns would take about ", 0) == 0);
  CHECK(contains(r.err, " s on 1 thread (timed on the first 32 configurations), more than --max-seconds 1e-09; give a "
                        "larger --max-seconds to run it anyway\n"));
  // --all-patterns and --kl-from are estimated as well.
  CHECK(contains(run({"exact", tiny_model, "--all-patterns", "--max-seconds", "1e-9"}).err, "x 16 patterns would take about"));
  const std::string bars = scratch.write("bars.yaml", "nodes:\n  - {name: h, type: binary, size: 8}\n"
                                                      "  - {name: image, type: binary, size: 16, observed: true}\n"
                                                      "generative:\n  h: {distribution: sigmoid}\n"
                                                      "  image: {distribution: sigmoid, parents: [h]}\n");
  CHECK(contains(run({"exact", bars, "--kl-from", "bars", "--max-seconds", "1e-9"}).err, "more than --max-seconds 1e-09"));
}

TEST_CASE("exact: 2^40 configurations are refused at the default limit of 600 s, at once") {
  ScratchDirectory scratch;
  const std::string model = wide_model(scratch, 40);
  const std::string data = scratch.write("three.data", "0000\n0101\n1111\n");
  const auto start = std::chrono::steady_clock::now();
  const Run r = run({"exact", model, "--data", data});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.status == 1);
  INFO(r.err);
  CHECK(contains(r.err, "exact enumeration of 2^40 = 1099511627776 hidden configurations x 3 patterns would take about "));
  CHECK(contains(r.err, "more than --max-seconds 600; give a larger --max-seconds to run it anyway"));
  CHECK(seconds < 10);  // a slice of the work, not the work (some 50 ms on an idle machine)
}

TEST_CASE("exact: more than 62 hidden units are refused before the data file is even opened") {
  ScratchDirectory scratch;
  const Run r = run({"exact", wide_model(scratch, 63), "--data", (scratch.path / "missing.data").string()});
  CHECK(r.status == 1);
  CHECK(contains(r.err, "this network has H = 63 hidden units (2^63 = 9223372036854775808 configurations), above the limit "
                        "of 62\n"));
}

TEST_CASE("--max-seconds must be a number of seconds > 0") {
  ScratchDirectory scratch;
  const std::string data = tiny_data(scratch);
  for (const std::string command : {"exact", "evaluate"})
    for (const std::string value : {"0", "-1", "x"}) {
      CAPTURE(command);
      CAPTURE(value);
      const Run r = run({command, tiny_model, "--data", data, "--max-seconds=" + value});
      CHECK(r.status == 2);
      CHECK(contains(r.err, "helmholtz " + command + ": --max-seconds is '" + value + "', but must be a number"));
    }
}

TEST_CASE("exact and evaluate --help list --max-seconds and its default") {
  for (const std::string command : {"exact", "evaluate"}) {
    const Run r = run({command, "--help"});
    CHECK(contains(r.out, "--max-seconds S"));
    CHECK(contains(r.out, "seconds (default 600)"));
    CHECK(!contains(r.out, "--max-hidden-units"));
  }
}

TEST_CASE("evaluate --max-seconds: sampling estimated over the limit is refused") {
  ScratchDirectory scratch;
  const Run r = run({"evaluate", tiny_model, "--data", tiny_data(scratch), "--max-seconds", "1e-9"});
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("helmholtz evaluate: the sampled estimates, 100 samples x 50 patterns, would take about ", 0) == 0);
  CHECK(contains(r.err, "more than --max-seconds 1e-09; give a larger --max-seconds, or fewer --samples\n"));
}

TEST_CASE("evaluate: exact values that would not fit in --max-seconds are skipped, and the output says why") {
  ScratchDirectory scratch;
  const std::string data = scratch.write("three.data", "0000\n0101\n1111\n");
  const Run json = run({"evaluate", wide_model(scratch, 40), "--data", data, "--samples", "5", "--json"});
  CHECK(json.status == 0);
  INFO(json.out);
  CHECK(contains(json.out, "\"exact_skipped\": \"2^40 = 1099511627776 hidden configurations x 3 patterns would take about "));
  CHECK(contains(json.out, "more than --max-seconds 600 with the sampling; give a larger --max-seconds to compute them\""));
  CHECK(contains(json.out, "\"sampled_bound\""));
  CHECK(!contains(json.out, "exact_log_likelihood"));
  const Run table = run({"evaluate", wide_model(scratch, 63), "--data", data, "--samples", "5"});
  CHECK(table.status == 0);
  CHECK(contains(table.out, "; exact values skipped (63 hidden units, more than the 62 whose 2^H configurations can be "
                            "counted)\n"));
  const Run asked = run({"evaluate", tiny_model, "--data", data, "--no-exact"});
  CHECK(contains(asked.out, "; exact values skipped (--no-exact)\n"));
  // Within the limit, the exact values are there and nothing is skipped.
  const Run tiny = run({"evaluate", tiny_model, "--data", data, "--max-seconds", "1", "--json"});
  CHECK(tiny.status == 0);
  CHECK(contains(tiny.out, "\"exact_log_likelihood\""));
  CHECK(!contains(tiny.out, "exact_skipped"));
}

TEST_CASE("the readers' limits apply to every command through the environment") {
  ScratchDirectory scratch;
  const std::string data = tiny_data(scratch);
  {
    // tiny has 27 generative and 23 recognition parameters.
    const ScopedVariable parameters(max_parameters_variable, "49");
    const Run r = run({"check", tiny_model});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "more than the limit of 49 parameters for the whole network, generative and recognition "
                          "(raise it with HELMHOLTZ_MAX_PARAMETERS=N; see docs/limits.md)\n"));
    CHECK(run({"sample", tiny_model, "-n", "1", "--seed", "1"}).status == 1);
  }
  {
    const ScopedVariable parameters(max_parameters_variable, "50");
    CHECK(run({"check", tiny_model}).status == 0);
  }
  {
    const ScopedVariable values(max_data_values_variable, "199");  // 50 patterns of 4 units are 200
    const Run r = run({"exact", tiny_model, "--data", data});
    CHECK(r.status == 1);
    CHECK(contains(r.err, data + ", line 50: the data pass the limit of 199 values (patterns x units) here, after 49 "
                                 "patterns of 4 units (raise it with HELMHOLTZ_MAX_DATA_VALUES=N; see docs/limits.md)\n"));
  }
  {
    const ScopedVariable bytes(max_model_bytes_variable, "100");
    const Run r = run({"check", tiny_model});
    CHECK(r.status == 1);
    CHECK(contains(r.err, "more than the limit of 100 (raise it with HELMHOLTZ_MAX_MODEL_BYTES=N; see docs/limits.md)\n"));
  }
  {
    const ScopedVariable wrong(max_parameters_variable, "lots");
    const Run r = run({"check", tiny_model});
    CHECK(r.status == 1);
    CHECK(r.err == "helmholtz check: the environment variable HELMHOLTZ_MAX_PARAMETERS is 'lots', but must be a whole "
                   "number >= 1 (like 200000000 or 2e8)\n");
  }
}

TEST_CASE("sample: a wide network is drawn in smaller batches, the same for every run") {
  // 10,000 observed units: a batch of 1024 patterns would hold 10 million units per matrix;
  // the batches shrink to 419 patterns, and the output stays a function of the seed alone.
  ScratchDirectory scratch;
  const std::string model = scratch.write(
      "wide.yaml", "nodes:\n  - {name: v, type: binary, size: 10000, observed: true}\ngenerative:\n  v: {distribution: sigmoid}\n");
  const Run a = run({"sample", model, "-n", "900", "--seed", "4"});
  const Run b = run({"sample", model, "-n", "900", "--seed", "4"});
  CHECK(a.status == 0);
  CHECK(a.out == b.out);
  CHECK(a.out.size() == 900 * 10001);
}

}  // namespace
}  // namespace helmholtz
