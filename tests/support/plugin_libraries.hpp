#pragma once
// The plugin libraries that tests/plugin-libraries/CMakeLists.txt builds for the loader's tests
// (HELMHOLTZ_TEST_PLUGINS is a compile definition of every test): the probit example, and one
// library for each way a library can be wrong.
#include <string>

namespace helmholtz {

inline const std::string test_plugin_folder = HELMHOLTZ_TEST_PLUGINS;

// The built library lib<name>.so: "probit", "clashing", "other_version", "no_registration",
// "throwing", "empty", "unresolved".
inline std::string test_plugin_library(const std::string& name) { return test_plugin_folder + "/lib" + name + ".so"; }

}  // namespace helmholtz
