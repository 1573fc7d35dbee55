#pragma once
// Numbers compared to the bit, for facts that say "bit for bit": 0.0 and -0.0 differ, and a
// NaN equals only the same NaN.
#include <bit>
#include <cstdint>

#include "framework/graph/network.hpp"

namespace helmholtz::testing {

inline bool same_bits(const Vector& x, const Vector& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::bit_cast<std::uint64_t>(x(i)) != std::bit_cast<std::uint64_t>(y(i))) return false;
  return true;
}

// Both directions' parameters.
inline bool same_parameters(const Network& a, const Network& b) {
  return same_bits(a.generative.parameters, b.generative.parameters) &&
         same_bits(a.recognition.parameters, b.recognition.parameters);
}

}  // namespace helmholtz::testing
