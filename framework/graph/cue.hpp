#pragma once
// A cue for a hidden node (Ramos, Sa-Couto & Wichert, multi-level data representation):
// a coarse copy of an image-shaped observed node. The observed node's units are read as an
// image of rows x columns (row-major), the image is cut into cell_rows x cell_columns equal
// blocks, and cue unit (i, j), number i * cell_columns + j, is on iff the fraction of on
// pixels in block (i, j) is at least `threshold`. The cued node has one unit per cell.
// Early in training the wake phase may take the cue as the node's state
// (framework/engines/cues.hpp), so that the layers above it learn the coarse picture first.
#include <cstddef>

namespace helmholtz {

struct Cue {
  std::size_t of = 0;  // the observed node it is a copy of
  std::size_t image_rows = 0, image_columns = 0;
  std::size_t cell_rows = 0, cell_columns = 0;
  double threshold = 0.5;  // in (0, 1]

  std::size_t units() const { return cell_rows * cell_columns; }
  std::size_t block_rows() const { return image_rows / cell_rows; }
  std::size_t block_columns() const { return image_columns / cell_columns; }
};

}  // namespace helmholtz
