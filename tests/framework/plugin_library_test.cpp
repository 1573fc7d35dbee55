// Plugin libraries loaded at run time (framework/plugin_library.hpp): the probit example as a
// library gives the same numbers as compiled in, a model file names libraries relative to
// itself, and each way a library can be wrong is refused with a message naming it, leaving the
// registry as it was. The libraries are built by tests/plugin-libraries/CMakeLists.txt.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "framework/engines/exact_inference.hpp"
#include "framework/error.hpp"
#include "framework/io/model_file.hpp"
#include "framework/plugin_library.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/plugin_libraries.hpp"
#include "tests/support/run_program.hpp"

#include "tests/package/probit.cpp"

namespace helmholtz {
namespace {

const std::string probit_model = R"(name: probit-library
seed: 4
nodes:
  - {name: cause, type: binary, size: 3}
  - {name: data, type: binary, size: 4, observed: true}
generative:
  cause: {distribution: probit, bias: [0.3, -0.8, 1.1]}
  data: {distribution: probit, parents: [cause], bias: [0.2, -0.4, 0, 0.7],
         weights: {cause: [[1, -2, 0.5], [0.5, 0.5, -1], [-1, 3, 2], [0.1, 0.2, -0.3]]}}
)";

Matrix all_patterns_of_four() {
  Matrix data = xt::zeros<double>({std::size_t{16}, std::size_t{4}});
  for (std::size_t n = 0; n < 16; ++n)
    for (std::size_t j = 0; j < 4; ++j) data(n, j) = static_cast<double>((n >> j) & 1u);
  return data;
}

// The message of the Error that `load` throws, and a check that it left the registry alone.
template <class Load>
std::string refusal(Load load) {
  Registry registry;
  register_builtin_plugins(registry);
  const auto names_before = registry.names();
  std::string message;
  try {
    load(registry);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(registry.names() == names_before);
  return message;
}

}  // namespace

TEST_CASE("plugin library: probit loaded from a library gives the log p(d) of probit compiled in, bit for bit") {
  Registry loaded;
  register_builtin_plugins(loaded);
  load_plugin_library(test_plugin_library("probit"), loaded);
  CHECK(loaded.contains("probit"));
  CHECK(loaded.origin("probit") == test_plugin_library("probit"));
  CHECK(loaded.origin("sigmoid") == "built in");

  Registry compiled_in;
  register_builtin_plugins(compiled_in);
  compiled_in.add("probit", example::make_probit);

  const Matrix data = all_patterns_of_four();
  const ExactResult from_library = exact_inference(parse_model(probit_model, "probit.yaml", loaded), data);
  const ExactResult from_program = exact_inference(parse_model(probit_model, "probit.yaml", compiled_in), data);
  REQUIRE(from_library.log_likelihood.size() == 16);
  double total = 0;
  for (std::size_t n = 0; n < 16; ++n) {
    CHECK(from_library.log_likelihood(n) == from_program.log_likelihood(n));
    total += std::exp(from_library.log_likelihood(n));
  }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-12));  // a distribution over the 16 patterns
}

TEST_CASE("plugin library: a model file's plugins: are relative to the file, and written relative to the new file") {
  namespace fs = std::filesystem;
  ScratchFolder folder;
  fs::create_directories(folder.path / "models" / "trained");
  fs::create_directories(folder.path / "lib");
  fs::copy_file(test_plugin_library("probit"), folder.path / "lib" / "libprobit.so");
  const std::string model = folder.write("models/probit.yaml", "plugins: [../lib/libprobit.so]\n" + probit_model);

  const Network network = read_model(model);  // the built-in registry, extended by the file
  REQUIRE(network.plugin_libraries.size() == 1);
  CHECK(network.plugin_libraries[0] == (folder.path / "lib" / "libprobit.so").lexically_normal().string());
  CHECK(network.generative.conditionals[1].distribution->kind() == "probit");
  CHECK_FALSE(builtin_registry().contains("probit"));  // the file's libraries stay its own

  // Written one folder deeper, the library is named from there; read back, the same network.
  const std::string trained = (folder.path / "models" / "trained" / "copy.yaml").string();
  write_model(network, trained);
  const std::string text = detail::whole_file(trained);
  CHECK(text.find("plugins:\n  - ../../lib/libprobit.so\n") != std::string::npos);
  const Network copy = read_model(trained);
  CHECK(model_to_yaml(copy) == model_to_yaml(network));
  CHECK(model_to_yaml(network).find("  - " + network.plugin_libraries[0] + "\n") != std::string::npos);

  // Moved together with its library, the file still finds it.
  fs::rename(folder.path / "models", folder.path / "moved");
  CHECK_NOTHROW(read_model((folder.path / "moved" / "probit.yaml").string()));
}

TEST_CASE("plugin library: a library named twice (by the file and the registry) is loaded once") {
  Registry registry;
  register_builtin_plugins(registry);
  load_plugin_library(test_plugin_library("probit"), registry);
  load_plugin_library(test_plugin_library("probit"), registry);  // skipped, no clash with itself
  ScratchFolder folder;
  const std::string model = folder.write("probit.yaml", "plugins: [" + test_plugin_library("probit") + "]\n" + probit_model);
  CHECK(read_model(model, registry).nodes.size() == 2);
}

TEST_CASE("plugin library: each wrong library is refused with a message naming it, the registry unchanged") {
  const auto load = [](const std::string& file) { return [file](Registry& r) { load_plugin_library(file, r); }; };
  const std::string version = helmholtz::version;

  CHECK(refusal(load(test_plugin_folder + "/libmissing.so")) ==
        "plugin library " + test_plugin_folder + "/libmissing.so does not exist");
  CHECK(refusal(load(test_plugin_folder)) == "plugin library " + test_plugin_folder + " is a directory, not a shared library");
  CHECK(refusal(load(test_plugin_library("no_registration"))) ==
        "plugin library " + test_plugin_library("no_registration") +
            " is not a helmholtz plugin: it defines no helmholtz_plugin_version (declare its distributions with "
            "HELMHOLTZ_PLUGIN_LIBRARY from framework/plugin_library.hpp; see docs/writing-a-plugin.md)");
  CHECK(refusal(load(test_plugin_library("other_version"))) == "plugin library " + test_plugin_library("other_version") +
                                                       " was built against helmholtz 0.0.9, this is helmholtz " +
                                                       version + "; rebuild it against this version");
  CHECK(refusal(load(test_plugin_library("clashing"))) ==
        "plugin library " + test_plugin_library("clashing") +
            " registers the distribution 'sigmoid', which is already registered (built in); rename it");
  CHECK(refusal(load(test_plugin_library("throwing"))) == "plugin library " + test_plugin_library("throwing") +
                                                  " failed to register its distributions: this library needs "
                                                  "PROBIT_TABLES to be set");
  CHECK(refusal(load(test_plugin_library("empty"))) == "plugin library " + test_plugin_library("empty") + " registers no distribution");
  const std::string unresolved = refusal(load(test_plugin_library("unresolved")));
  CHECK(unresolved.rfind("plugin library " + test_plugin_library("unresolved") + " cannot be loaded: ", 0) == 0);
  CHECK(unresolved.find("undefined symbol: missing_dependency_function") != std::string::npos);

  // Not a shared library at all.
  ScratchFolder folder;
  const std::string text_file = folder.write("libtext.so", "not a library\n");
  const std::string not_elf = refusal(load(text_file));
  CHECK(not_elf.rfind("plugin library " + text_file + " cannot be loaded: ", 0) == 0);

  // A second library registering a name the first one took: both named.
  Registry registry;
  register_builtin_plugins(registry);
  load_plugin_library(test_plugin_library("probit"), registry);
  ScratchFolder copy_folder;
  const std::string copy = copy_folder.file("libprobit-copy.so");
  std::filesystem::copy_file(test_plugin_library("probit"), copy);
  try {
    load_plugin_library(copy, registry);
    FAIL("a second probit was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "plugin library " + copy +
                                       " registers the distribution 'probit', which is already registered (" +
                                       test_plugin_library("probit") + "); rename it");
  }
}

TEST_CASE("plugin library: a model file's bad plugins: entry is refused at its line, naming the library") {
  ScratchFolder folder;
  const auto message = [&](const std::string& head) {
    const std::string file = folder.write("model.yaml", head + probit_model);
    try {
      read_model(file);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string file = folder.file("model.yaml");
  CHECK(message("plugins: [libnothere.so]\n") == file + ", line 1, column 11: plugins[0]: plugin library " +
                                                     folder.file("libnothere.so") + " does not exist");
  CHECK(message("plugins:\n  - " + test_plugin_library("probit") + "\n  - " + test_plugin_library("clashing") + "\n") ==
        file + ", line 3, column 5: plugins[1]: plugin library " + test_plugin_library("clashing") +
            " registers the distribution 'sigmoid', which is already registered (built in); rename it");
  CHECK(message("plugins: libprobit.so\n") ==
        file + ", line 1, column 10: plugins is 'libprobit.so', but must be a list");
  CHECK(message("plugins: ['']\n") == file + ", line 1, column 11: plugins[0]: the entry is '', but must be a name");
  // Where libraries may not be loaded (the fuzzer's reader), a plugins: entry is refused unread.
  Limits no_libraries;
  no_libraries.load_plugin_libraries = false;
  try {
    parse_model("plugins: [" + test_plugin_library("probit") + "]\n" + probit_model, "model.yaml", builtin_registry(), no_libraries);
    FAIL("a library was loaded");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "model.yaml, line 1, column 10: plugins: plugin libraries are not loaded here");
  }
  // Without the library, probit is unknown.
  CHECK(message("").find("unknown distribution 'probit'") != std::string::npos);
}

TEST_CASE("plugin library: registries are values, and loading into one leaves the others as they were") {
  Registry first, second;
  register_builtin_plugins(first);
  register_builtin_plugins(second);
  load_plugin_library(test_plugin_library("probit"), first);
  CHECK(first.contains("probit"));
  CHECK_FALSE(second.contains("probit"));
  CHECK_FALSE(builtin_registry().contains("probit"));
  CHECK_NOTHROW(load_plugin_library(test_plugin_library("probit"), second));  // its own load, no clash
}

}  // namespace helmholtz
