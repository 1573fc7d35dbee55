#pragma once
// One random generator type for the whole project, always passed in explicitly: the same
// seed gives the same samples on every platform (Boost.Random's distributions, unlike
// the standard library's, are specified to the bit).
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cstdint>

namespace helmholtz {

using Rng = boost::random::mt19937_64;

inline Rng make_rng(std::uint64_t seed) { return Rng(seed); }

// Uniform on [0, 1): a unit with firing probability p is on iff uniform01(rng) < p, so that
// p = 0 never fires and p = 1 always does.
inline double uniform01(Rng& rng) {
  return boost::random::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace helmholtz
