#pragma once
// One random generator type for the whole project, always passed in explicitly: the same
// seed gives the same samples on every platform (the generator and the conversions below
// are specified to the bit, unlike the standard library's distributions).
#include <boost/random/mersenne_twister.hpp>
#include <cstdint>

namespace helmholtz {

using Rng = boost::random::mt19937_64;

inline Rng make_rng(std::uint64_t seed) { return Rng(seed); }

// Uniform on [0, 1), a multiple of 2^-53 from the top 53 bits of one draw: a unit with
// firing probability p is on iff uniform01(rng) < p, so that p = 0 never fires and p = 1
// always does. (Through a signed integer, so that the conversion is one instruction.)
inline double uniform01(Rng& rng) {
  return static_cast<double>(static_cast<std::int64_t>(rng() >> 11)) * 0x1.0p-53;
}

}  // namespace helmholtz
