// A plugin library that registers nothing: surely a mistake, and refused as one.
#include "framework/plugin_library.hpp"

HELMHOLTZ_PLUGIN_LIBRARY(registry) { (void)registry; }
