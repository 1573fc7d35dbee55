#pragma once
// The bars problem (Hinton, Dayan, Frey & Neal 1995; Dayan & Zemel 1995): a size x size image
// made by first choosing vertical or horizontal (vertical with probability
// vertical_probability), then turning on each bar of that orientation independently with
// probability bar_probability. Images are written row by row: size * size units.
#include <cstddef>

#include "framework/datasets/dataset.hpp"
#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace helmholtz::datasets {

struct BarsOptions {
  std::size_t size = 4;
  double bar_probability = 0.2;
  double vertical_probability = 0.5;
};

// Draws one image into `pattern` (size * size entries).
void bars_pattern(Rng& rng, double* pattern, const BarsOptions& options = {});

// patterns x (size * size), each row drawn by bars_pattern.
Matrix bars(std::size_t patterns, Rng& rng, const BarsOptions& options = {});

// The exact distribution of bars images: the 2^(size + 1) choices of orientation and bars,
// merged where they make the same image (no bars, and every bar, look the same either way).
// Throws Error for size > 20.
DataDistribution bars_distribution(const BarsOptions& options = {});

}  // namespace helmholtz::datasets
