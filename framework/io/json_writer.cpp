#include "framework/io/json_writer.hpp"

#include <cmath>
#include <ostream>
#include <string>

#include "framework/error.hpp"

namespace helmholtz {

Json json_array(const Vector& values) { return Json(std::vector<double>(values.begin(), values.end())); }

Json json_array(const Matrix& rows) {
  Json out = Json::array();
  for (std::size_t r = 0; r < rows.shape(0); ++r) {
    const double* row = rows.data() + r * rows.shape(1);  // row-major
    out.push_back(std::vector<double>(row, row + rows.shape(1)));
  }
  return out;
}

namespace {

void write(std::ostream& out, const Json& value) {
  if (value.is_structured()) {
    const bool object = value.is_object();
    out << (object ? '{' : '[');
    for (auto item = value.begin(); item != value.end(); ++item) {
      if (item != value.begin()) out << ", ";
      if (object) out << Json(item.key()).dump(-1, ' ', false, Json::error_handler_t::replace) << ": ";
      write(out, *item);
    }
    out << (object ? '}' : ']');
  } else if (value.is_number_float()) {
    // std::to_chars, not nlohmann's Grisu2, which writes one digit more than the shortest
    // round-trip form for some doubles (0.06% of random ones).
    const double x = value.get<double>();
    std::string text = format_number(x);
    if (!std::isfinite(x)) text = "null";
    else if (text.find_first_of(".eE") == std::string::npos) text += ".0";
    out << text;
  } else {
    out << value.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

void write_json(std::ostream& out, const Json& value) {
  write(out, value);
  out << '\n';
}

}  // namespace helmholtz
