#pragma once
// Distributions compiled outside the project, into a shared library that is loaded at run time:
// a model file names it (`plugins: [libprobit.so]`, relative to the model file) or the command
// line does (`helmholtz ... --plugin libprobit.so`). The library says what it adds with
//
//   HELMHOLTZ_PLUGIN_LIBRARY(registry) {
//     registry.add("probit", make_probit);
//   }
//
// and is built with helmholtz_add_plugin() of the CMake package (docs/writing-a-plugin.md).
// The macro also records the version of helmholtz the library was built against: the interface
// is C++ classes, so a library is loaded only by the very version it was built for.
#include <string>

#include "framework/registry.hpp"
#include "framework/version.hpp"

#define HELMHOLTZ_PLUGIN_LIBRARY(registry)                                                    \
  extern "C" __attribute__((visibility("default"))) const char* helmholtz_plugin_version() { \
    return HELMHOLTZ_VERSION;                                                                 \
  }                                                                                           \
  extern "C" __attribute__((visibility("default"))) void helmholtz_register_plugins(          \
      ::helmholtz::Registry& registry)

namespace helmholtz {

// Loads the plugin library `file` and adds its distributions to `registry`, each with the
// library's path as its origin. A library already loaded into `registry` is skipped. Throws
// Error, naming the file, when it does not exist, cannot be loaded (not a shared library, a
// symbol missing, built against another version's framework library), lacks the registration
// function or version of HELMHOLTZ_PLUGIN_LIBRARY, was built against another version, or adds a
// name that is already registered; then `registry` is unchanged. A loaded library stays loaded
// until the process ends: the distributions it makes may be anywhere in the program.
void load_plugin_library(const std::string& file, Registry& registry);

}  // namespace helmholtz
