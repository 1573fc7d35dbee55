#pragma once
// After training: every parameter in a block the model file fixed must be bit for bit what
// it was (checked here, one CHECK each); the counts let a test check that the fixed ones
// were all seen and that the others did learn.
#include <bit>
#include <cstdint>

#include <doctest/doctest.h>

#include "framework/graph/network.hpp"

namespace helmholtz::testing {

struct FixedBlocksOutcome {
  std::size_t kept = 0;   // fixed parameters, all unchanged
  std::size_t moved = 0;  // free parameters that changed
};

inline FixedBlocksOutcome check_fixed_blocks(const Network& trained, const Network& original) {
  FixedBlocksOutcome out;
  for (auto [after, before] : {std::pair{&trained.generative, &original.generative},
                               std::pair{&trained.recognition, &original.recognition}}) {
    const std::vector<bool> fixed = after->fixed_mask();
    for (std::size_t i = 0; i < fixed.size(); ++i) {
      const bool same =
          std::bit_cast<std::uint64_t>(after->parameters(i)) == std::bit_cast<std::uint64_t>(before->parameters(i));
      if (fixed[i]) {
        CHECK(same);
        ++out.kept;
      } else if (!same) {
        ++out.moved;
      }
    }
  }
  return out;
}

}  // namespace helmholtz::testing
