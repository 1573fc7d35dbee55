#include "framework/cli/model_argument.hpp"

#include "framework/io/model_file.hpp"
#include "framework/plugin_library.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {

Option plugin_option() {
  Option option{"--plugin", "", "LIB", "load the distributions of a plugin library (.so); may be repeated"};
  option.repeatable = true;
  return option;
}

Registry command_registry(const Arguments& args) {
  Registry registry = builtin_registry();
  for (const auto& library : args.all("--plugin")) load_plugin_library(library, registry);
  return registry;
}

Network read_model(const Arguments& args, const std::string& file) {
  return helmholtz::read_model(file, command_registry(args));
}

}  // namespace helmholtz::cli
