#pragma once
// The parts of the module, one file each: errors.cpp, network.cpp (loading, saving, structure,
// parameters), engines.cpp (data, sampling, exact inference, evaluation), training.cpp; and
// long_work.hpp (the GIL, Ctrl-C), network_handle.hpp (a network's uses), arrays.hpp (numpy).
#include <pybind11/pybind11.h>

#include "framework/python/network_handle.hpp"

namespace helmholtz::python {

namespace py = pybind11;
using NetworkClass = py::class_<NetworkHandle, Handle>;

// The whole module (bindings.cpp), from module.cpp once the processor is checked.
void define_module(py::module_& module);

void bind_errors(py::module_& module);
void bind_network(py::module_& module, NetworkClass& network);
void bind_engines(py::module_& module, NetworkClass& network);
void bind_training(py::module_& module, NetworkClass& network);

}  // namespace helmholtz::python
