#pragma once
// One random generator type for the whole project, always passed in explicitly: the same
// seed gives the same samples on every platform (the generator and the conversions below
// are specified to the bit, unlike the standard library's distributions).
#include <boost/random/mersenne_twister.hpp>
#include <cstdint>

namespace helmholtz {

using Rng = boost::random::mt19937_64;

inline Rng make_rng(std::uint64_t seed) { return Rng(seed); }

// SplitMix64's finaliser: a seed for stream `index` of a computation seeded with `seed`, so
// that nearby (seed, index) pairs give unrelated streams. Work split into numbered pieces
// (epochs, blocks of patterns) draws each piece from its own stream, and so gives the same
// numbers however the pieces are scheduled.
inline std::uint64_t split_mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
inline std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t index) { return split_mix(seed ^ split_mix(index)); }

// Uniform on [0, 1), a multiple of 2^-53 from the top 53 bits of one draw: a unit with
// firing probability p is on iff uniform01(rng) < p, so that p = 0 never fires and p = 1
// always does. (Through a signed integer, so that the conversion is one instruction.)
inline double uniform01(Rng& rng) {
  return static_cast<double>(static_cast<std::int64_t>(rng() >> 11)) * 0x1.0p-53;
}

}  // namespace helmholtz
