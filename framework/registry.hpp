#pragma once
// Plugins are created by the name used in model files. The registry is an ordinary value:
// plugins/builtin.hpp fills one with the built-in distributions, and a program that adds
// its own registers them on its own registry. The framework itself names no plugin.
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

  // The plugin of a hidden node's recognition distribution when a model file declares no
  // recognition network (every generative edge reversed). Must be registered.
  void set_default_recognition(const std::string& name);
  const std::string& default_recognition() const;
  bool has_default_recognition() const { return !default_recognition_.empty(); }

 private:
  std::map<std::string, DistributionFactory> factories_;
  std::string default_recognition_;
};

}  // namespace helmholtz
