// Turns the list in builtin.def into declarations and registrations.
#include "plugins/builtin.hpp"

namespace helmholtz::plugins {
#define HELMHOLTZ_PLUGIN(name, factory) std::unique_ptr<Distribution> factory(NodeShape shape);
#include "plugins/builtin.def"
#undef HELMHOLTZ_PLUGIN
}  // namespace helmholtz::plugins

namespace helmholtz {

void register_builtin_plugins(Registry& registry) {
#define HELMHOLTZ_PLUGIN(name, factory) registry.add(name, plugins::factory, "built in");
#include "plugins/builtin.def"
#undef HELMHOLTZ_PLUGIN
  registry.set_default_recognition("sigmoid");
}

const Registry& builtin_registry() {
  static const Registry registry = [] {
    Registry r;
    register_builtin_plugins(r);
    return r;
  }();
  return registry;
}

}  // namespace helmholtz
