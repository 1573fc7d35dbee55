#include "framework/io/json_writer.hpp"

#include <cmath>
#include <cstdio>

#include "framework/error.hpp"

namespace helmholtz {

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ << ", ";
    first_.back() = false;
  }
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ << '{';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ << '}';
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ << '[';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ << ']';
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(const std::string& name) {
  separate();
  out_ << json_quote(name) << ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(double x) {
  separate();
  if (std::isfinite(x)) {
    std::string text = format_number(x);
    // Keep floats recognisable as floats to JSON readers ("1.0", not "1").
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";
    out_ << text;
  } else {
    out_ << "null";
  }
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t x) {
  separate();
  out_ << x;
  return *this;
}

JsonWriter& JsonWriter::value(const std::string& s) {
  separate();
  out_ << json_quote(s);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  separate();
  out_ << (b ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::value(const Vector& v) {
  begin_array();
  for (double x : v) value(x);
  return end_array();
}

JsonWriter& JsonWriter::value(const Matrix& m) {
  begin_array();
  for (std::size_t r = 0; r < m.shape(0); ++r) {
    begin_array();
    for (std::size_t c = 0; c < m.shape(1); ++c) value(m(r, c));
    end_array();
  }
  return end_array();
}

void JsonWriter::finish() { out_ << '\n'; }

}  // namespace helmholtz
