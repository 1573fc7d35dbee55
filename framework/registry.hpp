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
  // Throws Error if the name is taken. `origin` says where the distribution comes from ("built
  // in", a plugin library's file), for the message of a later clash.
  void add(const std::string& name, DistributionFactory factory, const std::string& origin = "");
  // Adds every distribution of `other`, or none if one of their names is taken here.
  void add_all(const Registry& other, const std::string& origin);
  // Where a registered distribution comes from ("" if its adder did not say).
  std::string origin(const std::string& name) const;
  bool contains(const std::string& name) const { return factories_.count(name) != 0; }
  std::vector<std::string> names() const;
  // Throws Error if the name is unknown; parameters come zeroed, call initialise() or read().
  std::unique_ptr<Distribution> create(const std::string& name, NodeShape shape) const;

  // The plugin of a hidden node's recognition distribution when a model file declares no
  // recognition network (every generative edge reversed). Must be registered.
  void set_default_recognition(const std::string& name);
  const std::string& default_recognition() const;
  bool has_default_recognition() const { return !default_recognition_.empty(); }

  // The plugin libraries loaded into this registry (framework/plugin_library.hpp), by their
  // canonical paths, so that a library named twice is loaded once.
  bool has_library(const std::string& canonical_path) const;
  void note_library(const std::string& canonical_path) { libraries_.push_back(canonical_path); }

 private:
  struct Entry {
    DistributionFactory factory;
    std::string origin;
  };
  std::map<std::string, Entry> factories_;
  std::vector<std::string> libraries_;
  std::string default_recognition_;
};

}  // namespace helmholtz
