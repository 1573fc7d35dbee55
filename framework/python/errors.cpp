#include "framework/python/errors.hpp"

#include "framework/python/bindings.hpp"

namespace helmholtz::python {
namespace {

// The exception types, made once when the module is imported and never changed.
PyObject* error_type = nullptr;
PyObject* input_error_type = nullptr;

py::object none_if(bool empty, py::object value) { return empty ? py::none() : std::move(value); }

void raise_input_error(const InputError& e) {
  py::object error = py::reinterpret_borrow<py::object>(input_error_type)(text(e.what()));
  const Where& where = e.where();
  error.attr("file") = none_if(where.file.empty(), text(where.file));
  error.attr("line") = none_if(where.line <= 0, py::int_(where.line));
  error.attr("column") = none_if(where.column <= 0, py::int_(where.column));
  error.attr("field") = none_if(where.field.empty(), text(where.field));
  error.attr("reason") = text(e.message());
  PyErr_SetObject(input_error_type, error.ptr());
}

}  // namespace

py::str text(const std::string& s) {
  PyObject* decoded = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!decoded) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(decoded);
}

void fail_argument(const std::string& message) { throw InputError(Where{}, message); }

void bind_errors(py::module_& module) {
  error_type = PyErr_NewExceptionWithDoc(
      "helmholtz.Error",
      "A mistake in a model or data file, a bad argument, or a request the framework refuses.\n\n"
      "str(error) is the message the command line prints after 'helmholtz COMMAND: '.",
      PyExc_Exception, nullptr);
  if (!error_type) throw py::error_already_set();
  const py::tuple bases = py::make_tuple(py::handle(error_type), py::handle(PyExc_ValueError));
  input_error_type = PyErr_NewExceptionWithDoc(
      "helmholtz.InputError",
      "A mistake in the user's input: a model or data file, or an argument. Also a ValueError.\n\n"
      "Attributes: file, line, column (where in a file, or None), field (the entry, e.g.\n"
      "'generative.data (noisy-or)', or None) and reason (the message without the place).",
      bases.ptr(), nullptr);
  if (!input_error_type) throw py::error_already_set();
  module.add_object("Error", py::handle(error_type));
  module.add_object("InputError", py::handle(input_error_type));

  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    } catch (const InputError& e) {
      raise_input_error(e);
    } catch (const Error& e) {
      PyErr_SetObject(error_type, text(e.what()).ptr());
    }
  });
}

}  // namespace helmholtz::python
