#pragma once
// The built-in distributions (sigmoid, noisy-or, odds-sum), and model-file reading with
// them. The framework names no plugin; programs that want the built-in ones use this.
#include <string>

#include "framework/io/model_file.hpp"
#include "framework/registry.hpp"

namespace helmholtz {

// Registers every plugin listed in plugins/builtin.def, and sigmoid as the default
// recognition distribution (Dayan et al. 1995 use logistic recognition units).
void register_builtin_plugins(Registry& registry);

// A registry holding the built-in plugins, made once.
const Registry& builtin_registry();

// read_model / parse_model with the built-in plugins.
inline Network read_model(const std::string& file) { return read_model(file, builtin_registry()); }
inline Network parse_model(const std::string& text, const std::string& file) {
  return parse_model(text, file, builtin_registry());
}

}  // namespace helmholtz
