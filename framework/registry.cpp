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

void Registry::set_default_recognition(const std::string& name) {
  if (!contains(name)) throw Error("the default recognition distribution '" + name + "' is not registered");
  default_recognition_ = name;
}

const std::string& Registry::default_recognition() const {
  if (default_recognition_.empty())
    throw Error("this registry names no default recognition distribution; declare a recognition network");
  return default_recognition_;
}

}  // namespace helmholtz
