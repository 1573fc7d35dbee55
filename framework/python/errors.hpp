#pragma once
// The C++ errors as Python exceptions, with the same message text:
//   helmholtz::Error       -> helmholtz.Error (an Exception)
//   helmholtz::InputError  -> helmholtz.InputError (a helmholtz.Error and a ValueError), with
//                             the place as attributes: file, line, column, field, reason
//   helmholtz::Interrupted -> KeyboardInterrupt
// Bad arguments of a Python call (a wrong shape, an unknown option) are InputErrors too.
#include <string>

#include <pybind11/pybind11.h>

#include "framework/error.hpp"

namespace helmholtz::python {

namespace py = pybind11;

// Throws an InputError about an argument of a call; the message names the argument itself.
[[noreturn]] void fail_argument(const std::string& message);

// Text from C++ (messages quote the user's files, which need not be UTF-8) as a Python str.
py::str text(const std::string& s);

}  // namespace helmholtz::python
