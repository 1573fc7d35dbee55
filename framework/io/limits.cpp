#include "framework/io/limits.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "framework/error.hpp"

namespace helmholtz {

std::string how_to_raise(const char* variable) {
  return std::string("raise it with ") + variable + "=N; see docs/limits.md";
}

std::uint64_t limit_from_environment(const char* variable, std::uint64_t fallback) {
  const char* set = std::getenv(variable);
  if (!set) return fallback;
  const std::string_view text(set);
  const char* begin = text.data();
  const char* end = begin + text.size();
  std::uint64_t value = 0;
  if (const auto parsed = std::from_chars(begin, end, value); !text.empty() && parsed.ec == std::errc() && parsed.ptr == end) {
    if (value >= 1) return value;
  } else {
    // 2e8 and 2.5e8 are easier to type right than 250000000.
    double number = 0;
    const auto real = std::from_chars(begin, end, number);
    if (!text.empty() && real.ec == std::errc() && real.ptr == end && std::isfinite(number) && number >= 1 &&
        number == std::floor(number) && number < 0x1p64)
      return static_cast<std::uint64_t>(number);
  }
  throw Error(std::string("the environment variable ") + variable + " is '" + std::string(text) +
              "', but must be a whole number >= 1 (like 200000000 or 2e8)");
}

Limits Limits::from_environment() {
  Limits limits;
  limits.max_parameters = limit_from_environment(max_parameters_variable, limits.max_parameters);
  limits.max_model_bytes = limit_from_environment(max_model_bytes_variable, limits.max_model_bytes);
  limits.max_data_values = limit_from_environment(max_data_values_variable, limits.max_data_values);
  return limits;
}

}  // namespace helmholtz
