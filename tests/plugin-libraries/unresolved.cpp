// A library that needs a function no loaded library defines (a missing dependency): refused
// when it is loaded, not when the function is first called.
#include "framework/plugin_library.hpp"

extern "C" int missing_dependency_function(int);

namespace {
std::unique_ptr<helmholtz::Distribution> make_nothing(helmholtz::NodeShape) { return nullptr; }
}  // namespace

HELMHOLTZ_PLUGIN_LIBRARY(registry) {
  if (missing_dependency_function(1) != 0) registry.add("unresolved", make_nothing);
}
