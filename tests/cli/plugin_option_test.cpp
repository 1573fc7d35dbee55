// `--plugin LIB` on the command line: every command that reads a model accepts it (repeated
// as often as needed), a model using the library's distribution then works, and a library that
// cannot be used stops the command with its message and exit status 1 before any work.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/plugin_libraries.hpp"
#include "tests/support/run_program.hpp"

namespace helmholtz {
namespace {

const std::string probit_model = R"(name: probit-cli
seed: 4
nodes:
  - {name: cause, type: binary, size: 2}
  - {name: data, type: binary, size: 3, observed: true}
generative:
  cause: {distribution: probit}
  data: {distribution: probit, parents: [cause]}
)";

}  // namespace

TEST_CASE("--plugin: each command that reads a model loads the library, and without it probit is unknown") {
  ScratchFolder folder;
  folder.write("probit.yaml", probit_model);
  folder.write("data.txt", "101\n010\n111\n");
  const std::string plugin = test_plugin_library("probit");
  const std::vector<std::vector<std::string>> commands = {
      {"check", "probit.yaml"},
      {"sample", "probit.yaml", "-n", "4", "--seed", "1"},
      {"exact", "probit.yaml", "--data", "data.txt"},
      {"evaluate", "probit.yaml", "--data", "data.txt", "--seed", "1"},
      {"train", "probit.yaml", "--data", "data.txt", "--seed", "1", "--epochs", "1", "--quiet", "-o", "out.yaml"},
  };
  for (auto args : commands) {
    INFO(args[0]);
    const ProgramRun without = run_helmholtz(args, folder.path);
    CHECK(without.status == 1);
    CHECK(without.err.find("unknown distribution 'probit'") != std::string::npos);
    args.insert(args.end(), {"--plugin", plugin});
    const ProgramRun with = run_helmholtz(args, folder.path);
    CHECK_MESSAGE(with.status == 0, with.err);
  }
  // Repeated: two libraries (the same one twice is loaded once).
  CHECK(run_helmholtz({"check", "probit.yaml", "--plugin", plugin, "--plugin", plugin}, folder.path).status == 0);
  CHECK(run_helmholtz({"sample", "--help"}, folder.path).out.find("--plugin LIB") != std::string::npos);
  const ProgramRun data = run_helmholtz({"data", "bars", "-n", "1", "--seed", "1", "--plugin", plugin}, folder.path);
  CHECK(data.status == 2);  // generators read no model
  CHECK(data.err.find("unknown option '--plugin'") != std::string::npos);
}

TEST_CASE("--plugin: a library that cannot be used stops the command with its message, exit status 1") {
  ScratchFolder folder;
  folder.write("probit.yaml", probit_model);
  const auto refused = [&](const std::string& file) {
    const ProgramRun run = run_helmholtz({"sample", "probit.yaml", "-n", "2", "--seed", "1", "--plugin", file}, folder.path);
    CHECK(run.status == 1);
    CHECK(run.out.empty());
    return run.err;
  };
  CHECK(refused("libnothere.so") == "helmholtz sample: plugin library libnothere.so does not exist\n");
  CHECK(refused(test_plugin_library("clashing")) ==
        "helmholtz sample: plugin library " + test_plugin_library("clashing") +
            " registers the distribution 'sigmoid', which is already registered (built in); rename it\n");
  CHECK(refused(test_plugin_library("other_version")).find("was built against helmholtz 0.0.9, this is helmholtz ") !=
        std::string::npos);
  CHECK(refused(test_plugin_library("no_registration")).find("is not a helmholtz plugin: it defines no helmholtz_plugin_version") !=
        std::string::npos);
}

}  // namespace helmholtz
