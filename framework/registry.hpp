#pragma once
// Plugins are created by the name used in model files ("sigmoid", "noisy-or", ...). The
// registry is an ordinary value, filled once by register_builtin_plugins(); a program
// that adds its own distributions registers them on its own registry.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/distribution.hpp"

namespace helmholtz {

using DistributionFactory = std::function<std::unique_ptr<Distribution>(NodeShape)>;

class Registry {
 public:
  void add(const std::string& name, DistributionFactory factory);
  bool contains(const std::string& name) const { return factories_.count(name) != 0; }
  std::vector<std::string> names() const;
  // Throws Error if the name is unknown; parameters come zeroed, call initialise() or read().
  std::unique_ptr<Distribution> create(const std::string& name, NodeShape shape) const;

 private:
  std::map<std::string, DistributionFactory> factories_;
};

// Registers every plugin listed in plugins/builtin.def.
void register_builtin_plugins(Registry& registry);

// A registry holding the built-in plugins, made once.
const Registry& builtin_registry();

}  // namespace helmholtz
