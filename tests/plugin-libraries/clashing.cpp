// Registers a distribution under a built-in's name: refused, naming both.
#include "framework/plugin_library.hpp"

namespace {
std::unique_ptr<helmholtz::Distribution> make_nothing(helmholtz::NodeShape) { return nullptr; }
}  // namespace

HELMHOLTZ_PLUGIN_LIBRARY(registry) { registry.add("sigmoid", make_nothing); }
