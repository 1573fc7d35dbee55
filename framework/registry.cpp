#include "framework/registry.hpp"

namespace helmholtz {

void Registry::add(const std::string& name, DistributionFactory factory) {
  if (!factories_.emplace(name, std::move(factory)).second)
    throw Error("a distribution named '" + name + "' is already registered");
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

std::unique_ptr<Distribution> Registry::create(const std::string& name, NodeShape shape) const {
  const auto found = factories_.find(name);
  if (found == factories_.end()) throw Error("unknown distribution '" + name + "'");
  return found->second(std::move(shape));
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
