#include "framework/python/arrays.hpp"

#include <algorithm>
#include <cstring>

#include "framework/io/data_file.hpp"
#include "framework/python/errors.hpp"

namespace helmholtz::python {
namespace {

std::string type_name(py::handle value) { return py::str(py::type::handle_of(value).attr("__name__")); }

}  // namespace

std::optional<std::string> path_argument(py::handle value) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  const py::module_ os = py::module_::import("os");
  if (py::isinstance(value, os.attr("PathLike"))) {
    const py::object path = os.attr("fspath")(value);
    if (py::isinstance<py::str>(path)) return path.cast<std::string>();
    return os.attr("fsdecode")(path).cast<std::string>();
  }
  return std::nullopt;
}

Patterns patterns_argument(py::handle value, std::size_t width, const std::string& what) {
  if (const auto file = path_argument(value)) {
    Patterns out;
    out.file = *file;
    const py::gil_scoped_release no_gil;  // a large file takes a while
    out.bytes = read_patterns(*file, width);
    return out;
  }
  return Patterns{patterns_from_array(value, width, what), {}};
}

ByteMatrix patterns_from_array(py::handle value, std::size_t width, const std::string& what) {
  if (!py::isinstance<py::array>(value))
    fail_argument(what + " is a " + type_name(value) +
                  ", but must be a numpy array of 0/1 patterns (uint8 or bool, one row per pattern and a column "
                  "per visible unit) or the name of a data file");
  const auto array = py::reinterpret_borrow<py::array>(value);
  if (array.ndim() != 2)
    fail_argument(what + " is a " + std::to_string(array.ndim()) +
                  "-D array, but must be 2-D: one row per pattern, one column per visible unit" +
                  (array.ndim() == 1 ? " (one pattern p is p.reshape(1, -1))" : ""));
  const py::dtype dtype = array.dtype();
  const bool bytes = dtype.itemsize() == 1 && (dtype.kind() == 'u' || dtype.kind() == 'b');
  if (!bytes)
    fail_argument(what + " has dtype " + dtype.attr("name").cast<std::string>() +
                  ", but must be uint8 or bool (states 0 and 1); convert 0/1 values with " + what +
                  ".astype(numpy.uint8)");
  const std::size_t rows = static_cast<std::size_t>(array.shape(0));
  const std::size_t columns = static_cast<std::size_t>(array.shape(1));
  if (columns != width)
    fail_argument(what + " has " + std::to_string(columns) + " columns, but the network has " + std::to_string(width) +
                  " visible units");
  ByteMatrix out = ByteMatrix::from_shape({rows, columns});
  const auto* base = static_cast<const std::uint8_t*>(array.data());
  const py::ssize_t row_stride = array.strides(0), column_stride = array.strides(1);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < columns; ++c) {
      const std::uint8_t x = base[static_cast<py::ssize_t>(r) * row_stride + static_cast<py::ssize_t>(c) * column_stride];
      if (x > 1)
        fail_argument(what + "[" + std::to_string(r) + ", " + std::to_string(c) + "] is " + std::to_string(x) +
                      ", but must be 0 or 1");
      out(r, c) = x;
    }
  return out;
}

std::uint64_t seed_argument(py::handle value, const std::string& what) {
  const std::string allowed = ", but must be a whole number from 0 to 18446744073709551615";
  if (!py::isinstance<py::int_>(value) || py::isinstance<py::bool_>(value))
    fail_argument(what + " is a " + type_name(value) + allowed);
  const unsigned long long seed = PyLong_AsUnsignedLongLong(value.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    fail_argument(what + " is " + py::repr(value).cast<std::string>() + allowed);
  }
  return seed;
}

std::uint64_t count_argument(py::handle value, const std::string& what, std::uint64_t minimum) {
  const std::string allowed = ", but must be a whole number >= " + std::to_string(minimum);
  if (!py::isinstance<py::int_>(value) || py::isinstance<py::bool_>(value))
    fail_argument(what + " is a " + type_name(value) + allowed);
  const unsigned long long count = PyLong_AsUnsignedLongLong(value.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    fail_argument(what + " is " + py::repr(value).cast<std::string>() + allowed);
  }
  if (count < minimum) fail_argument(what + " is " + std::to_string(count) + allowed);
  return count;
}

py::array_t<std::uint8_t> to_numpy(ByteMatrix patterns) {
  auto* owned = new ByteMatrix(std::move(patterns));
  const py::capsule free_when_done(owned, [](void* p) { delete static_cast<ByteMatrix*>(p); });
  return py::array_t<std::uint8_t>({owned->shape(0), owned->shape(1)}, owned->data(), free_when_done);
}

py::array_t<std::uint8_t> bits_to_numpy(const Matrix& bits) {
  py::array_t<std::uint8_t> out({bits.shape(0), bits.shape(1)});
  std::transform(bits.begin(), bits.end(), out.mutable_data(), [](double x) { return static_cast<std::uint8_t>(x != 0.0); });
  return out;
}

py::array_t<double> to_numpy(const Vector& v) {
  py::array_t<double> out(v.size());
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

py::array_t<double> to_numpy(const Matrix& m) {
  py::array_t<double> out({m.shape(0), m.shape(1)});
  std::copy(m.begin(), m.end(), out.mutable_data());
  return out;
}

}  // namespace helmholtz::python
