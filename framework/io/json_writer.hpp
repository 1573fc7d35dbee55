#pragma once
// A minimal streaming JSON writer for the command line's --json output: numbers in their
// shortest round-trip form, non-finite numbers as null (JSON has no infinity).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "framework/matrix.hpp"

namespace helmholtz {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  ~JsonWriter() = default;

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& name);
  JsonWriter& value(double x);
  JsonWriter& value(std::uint64_t x);
  JsonWriter& value(const std::string& s);
  JsonWriter& value(bool b);
  JsonWriter& value(const Vector& v);
  JsonWriter& value(const Matrix& m);  // a list of rows
  // Ends the document with a newline.
  void finish();

 private:
  void separate();
  std::ostream& out_;
  std::vector<bool> first_;  // per open container: nothing written yet
  bool after_key_ = false;
};

std::string json_quote(const std::string& s);

}  // namespace helmholtz
