#include "framework/error.hpp"

#include <charconv>
#include <cmath>

namespace helmholtz {

std::string describe(const Where& where, const std::string& message) {
  std::ostringstream out;
  if (!where.file.empty()) {
    out << where.file;
    if (where.line > 0) {
      out << ", line " << where.line;
      if (where.column > 0) out << ", column " << where.column;
    }
    out << ": ";
  }
  if (!where.field.empty()) out << where.field << ": ";
  out << message;
  return out.str();
}

std::string format_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, result.ptr);
}

}  // namespace helmholtz
