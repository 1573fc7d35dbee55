#include "framework/io/json_writer.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "framework/error.hpp"

namespace helmholtz {

namespace {

// The length of the valid UTF-8 sequence that starts at s[i] (1 to 4), or 0 if the bytes there
// are not one (a stray continuation byte, a truncated or overlong sequence, a surrogate, or a
// code point above U+10FFFF).
std::size_t utf8_sequence(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length;
  std::uint32_t point;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    point = (point << 6) | (byte(i + k) & 0x3F);
  }
  const bool overlong = (length == 3 && point < 0x800) || (length == 4 && point < 0x10000);
  if (overlong || (point >= 0xD800 && point <= 0xDFFF) || point > 0x10FFFF) return 0;
  return length;
}

}  // namespace

// JSON text is UTF-8: bytes that are not (a file name in another encoding, say) become U+FFFD,
// the replacement character, so that the output stays valid JSON.
std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t length = utf8_sequence(s, i);
      if (length == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(s, i, length);
        i += length - 1;
      }
      continue;
    }
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
