// The probit distribution as a plugin library: the whole registration.
#include "framework/plugin_library.hpp"

namespace helmholtz::example {
std::unique_ptr<Distribution> make_probit(NodeShape shape);  // probit.cpp
}

HELMHOLTZ_PLUGIN_LIBRARY(registry) { registry.add("probit", helmholtz::example::make_probit); }
