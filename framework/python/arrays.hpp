#pragma once
// Between numpy and the framework: patterns (0/1 as uint8 or bool, one row per pattern, one
// column per visible unit), numbers (float64), and the checks of the arguments that carry them.
#include <cstdint>
#include <optional>
#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "framework/matrix.hpp"

namespace helmholtz::python {

namespace py = pybind11;

// Patterns given to a call: a numpy array of 0/1, or the name of a data file (a str or an
// os.PathLike), read as `helmholtz` reads --data. `what` names the argument in messages.
struct Patterns {
  ByteMatrix bytes;
  std::string file;  // as given; empty for an array
};
Patterns patterns_argument(py::handle value, std::size_t width, const std::string& what);
// The same for an array only.
ByteMatrix patterns_from_array(py::handle value, std::size_t width, const std::string& what);

// A str or os.PathLike as a file name, or nothing for any other object.
std::optional<std::string> path_argument(py::handle value);

// Whole numbers and seeds, refused with a message naming the argument when out of range.
std::uint64_t seed_argument(py::handle value, const std::string& what);
std::uint64_t count_argument(py::handle value, const std::string& what, std::uint64_t minimum);

// Copies into new numpy arrays (made with the GIL held).
py::array_t<std::uint8_t> to_numpy(ByteMatrix patterns);  // moved in, not copied
py::array_t<std::uint8_t> bits_to_numpy(const Matrix& bits);
py::array_t<double> to_numpy(const Vector& v);
py::array_t<double> to_numpy(const Matrix& m);

// Marks an array read-only (the parameters: a copy, which writing to would not change them).
template <class Array>
Array read_only(Array array) {
  array.attr("setflags")(py::arg("write") = false);
  return array;
}

}  // namespace helmholtz::python
