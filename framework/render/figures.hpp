#pragma once
// The figures of `helmholtz render`: grids of binary patterns (data beside fantasies, as in
// Fig. 1B of Dayan, Hinton, Neal & Zemel 1995) and weight diagrams in the style of their
// Fig. 4 (one small image per unit of the upper layer, laid out in the lower layer's shape;
// a square per weight, white positive, black negative, its area proportional to the
// magnitude, the largest magnitude quoted). Generic over plugins: a weight block is any
// block with the per-unit-and-parent layout.
#include <string>
#include <vector>

#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"
#include "framework/render/image.hpp"

namespace helmholtz::render {

struct Shape {
  std::size_t rows = 1, columns = 1;
  std::size_t size() const { return rows * columns; }
};

// "8x8" (rows x columns); throws Error for anything else.
Shape parse_shape(const std::string& text);
// The same, and throws Error unless it has exactly `units` cells.
Shape parse_shape(const std::string& text, std::size_t units);
// The most nearly square rows x columns with exactly `units` cells (rows <= columns).
Shape default_shape(std::size_t units);

// Patterns (one per row, 0 or not) as a grid of `grid_columns` small images of `shape`, each
// cell `cell` pixels (on: black, off: white), under a title.
Image pattern_grid(const Matrix& patterns, Shape shape, std::size_t grid_columns, const std::string& title,
                   int cell = 4);

// Two figures side by side, their tops aligned.
Image beside(const Image& left, const Image& right, long gap = 16);
// Figures one above the other, their left edges aligned.
Image stacked(const std::vector<Image>& images, long gap = 12);

enum class Direction { generative, recognition };

// Every weight block of the direction, one panel per (node, parent node) pair; `lower_shape`
// lays out a lower layer of that many units (otherwise default_shape). Throws Error when the
// direction has no weights.
Image weight_diagrams(const Network& network, Direction direction, const std::string& lower_shape, int cell = 8);

}  // namespace helmholtz::render
