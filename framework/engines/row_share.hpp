#pragma once
// A batch that is one part of a larger one: in data-parallel training each rank holds some
// rows of the minibatch (docs/distributed.md). The samplers draw node by node, row by row
// across the whole batch; given a RowShare they skip the numbers the rows before and after
// the part would take, so that every row gets the very numbers it gets in the whole batch,
// and the generator ends where the whole batch leaves it. The draws are then the same
// whatever the number of ranks, and the same as in one process.
#include <cstddef>

#include "framework/random.hpp"

namespace helmholtz {

struct RowShare {
  std::size_t before = 0;  // rows of the whole batch before this part
  std::size_t after = 0;   // and after it
  RowShare times(std::size_t replicas) const { return {before * replicas, after * replicas}; }
};

// Skips the numbers of `rows` rows of `per_row` draws each. (Boost's discard generates and
// drops them, about a nanosecond each: the cost of the draws, not of the work on the rows.)
inline void skip_rows(Rng& rng, std::size_t rows, std::size_t per_row) {
  if (rows != 0) rng.discard(static_cast<boost::uintmax_t>(rows) * per_row);
}

}  // namespace helmholtz
