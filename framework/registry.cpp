#include "framework/registry.hpp"

#include <algorithm>

namespace helmholtz {

void Registry::add(const std::string& name, DistributionFactory factory, const std::string& origin) {
  if (contains(name)) {
    const std::string taken = this->origin(name);
    throw Error("a distribution named '" + name + "' is already registered" + (taken.empty() ? "" : " (" + taken + ")"));
  }
  factories_.emplace(name, Entry{std::move(factory), origin});
}

void Registry::add_all(const Registry& other, const std::string& origin) {
  for (const auto& [name, entry] : other.factories_)
    if (contains(name)) add(name, entry.factory, origin);  // throws, naming both
  for (const auto& [name, entry] : other.factories_) add(name, entry.factory, origin);
}

std::string Registry::origin(const std::string& name) const {
  const auto found = factories_.find(name);
  return found == factories_.end() ? "" : found->second.origin;
}

bool Registry::has_library(const std::string& canonical_path) const {
  return std::find(libraries_.begin(), libraries_.end(), canonical_path) != libraries_.end();
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

std::unique_ptr<Distribution> Registry::create(const std::string& name, NodeShape shape) const {
  const auto found = factories_.find(name);
  if (found == factories_.end()) throw Error("unknown distribution '" + name + "'");
  return found->second.factory(std::move(shape));
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
