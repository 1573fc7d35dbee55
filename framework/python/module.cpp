// The Python module `helmholtz` (docs/python.md). Compiled for the plainest x86-64, whatever
// the rest is (CMakeLists.txt), so that an older processor gets an ImportError saying why, not
// SIGILL: nothing here runs the libraries' code before the check.
#include <string>

#include <pybind11/pybind11.h>

#include "framework/processor.hpp"

namespace helmholtz::python {
void define_module(pybind11::module_& module);  // bindings.cpp
}

PYBIND11_MODULE(helmholtz, module) {
  if (const std::string mismatch = helmholtz::processor_mismatch(); !mismatch.empty())
    throw pybind11::import_error("helmholtz: " + mismatch);
  helmholtz::python::define_module(module);
}
