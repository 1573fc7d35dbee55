#pragma once
// Model files named on the command line, read with the built-in distributions and those of
// every plugin library given with --plugin (an option of every command that reads a model).
#include <string>

#include "framework/cli/arguments.hpp"
#include "framework/graph/network.hpp"
#include "framework/registry.hpp"

namespace helmholtz::cli {

// The option itself, added to each command that reads a model by all_commands().
Option plugin_option();

// The built-in distributions plus those of the --plugin libraries (paths relative to the
// working directory). Throws Error naming a library that cannot be loaded.
Registry command_registry(const Arguments& args);

// read_model with command_registry(args); the model file's own `plugins:` add to it.
Network read_model(const Arguments& args, const std::string& file);

}  // namespace helmholtz::cli
