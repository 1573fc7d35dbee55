// A library whose registration fails: the error is reported with the library's name.
#include "framework/error.hpp"
#include "framework/plugin_library.hpp"

HELMHOLTZ_PLUGIN_LIBRARY(registry) {
  (void)registry;
  throw helmholtz::Error("this library needs PROBIT_TABLES to be set");
}
