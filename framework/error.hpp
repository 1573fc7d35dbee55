#pragma once
// Every mistake in a user's input is reported with one message shape:
//   models/x.yaml, line 14, column 9: generative.data (noisy-or): weights[mid][2][0] is 1.3,
//   but must be in [0, 1]
// Errors are exceptions, caught once at the command-line boundary.
#include <sstream>
#include <stdexcept>
#include <string>

namespace helmholtz {

// A user-facing error: a bad model, bad data, a bad option or a refused request.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A long computation stopped because the user asked it to (Ctrl-C).
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

// Where in an input file something is: line and column are 1-based (0 = unknown).
struct Where {
  std::string file;
  int line = 0;
  int column = 0;
  std::string field;  // e.g. "generative.data (noisy-or)"

  Where with_field(std::string f) const { return Where{file, line, column, std::move(f)}; }
};

std::string describe(const Where& where, const std::string& message);

class InputError : public Error {
 public:
  InputError(const Where& where, const std::string& message)
      : Error(describe(where, message)), where_(where), message_(message) {}
  const Where& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  Where where_;
  std::string message_;
};

[[noreturn]] inline void fail(const Where& where, const std::string& message) {
  throw InputError(where, message);
}

// Formats a number the way a user would type it back (shortest round-trip form).
std::string format_number(double x);

}  // namespace helmholtz
