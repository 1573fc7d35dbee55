#pragma once
// The shifter problem (Dayan, Hinton, Neal & Zemel 1995, Fig. 1): four rows of 8 pixels.
// The bottom row is random, each pixel on with probability 0.2; the top row is a copy of it
// shifted one pixel left or right (equiprobably) with wraparound; the two middle rows copy
// the outer rows (row 2 = row 1, row 3 = row 4), which makes the shift easier to find.
// Patterns are written row by row from the top: 32 units.
#include <cstddef>
#include <vector>

#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace helmholtz::datasets {

struct ShifterOptions {
  std::size_t width = 8;
  double on_probability = 0.2;
};

// Draws one pattern into `pattern` (4 * width entries); returns whether the row was shifted right.
bool shifter_pattern(Rng& rng, double* pattern, const ShifterOptions& options = {});

// patterns x (4 * width), each row drawn by shifter_pattern; shifted_right[n] tells the
// direction of pattern n.
Matrix shifter(std::size_t patterns, Rng& rng, std::vector<bool>& shifted_right, const ShifterOptions& options = {});

}  // namespace helmholtz::datasets
