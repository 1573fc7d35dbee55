// What HELMHOLTZ_PLUGIN_LIBRARY gives a library built against another version of helmholtz
// (whose framework library happened to load): refused by its recorded version.
#include "framework/registry.hpp"

namespace {
std::unique_ptr<helmholtz::Distribution> make_nothing(helmholtz::NodeShape) { return nullptr; }
}  // namespace

extern "C" __attribute__((visibility("default"))) const char* helmholtz_plugin_version() { return "0.0.9"; }
extern "C" __attribute__((visibility("default"))) void helmholtz_register_plugins(helmholtz::Registry& registry) {
  registry.add("older", make_nothing);
}
