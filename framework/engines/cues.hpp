#pragma once
// Cues in the wake phase (Ramos, Sa-Couto & Wichert): a hidden node that declares a cue
// (graph/cue.hpp) may take, instead of the state Q drew for it, the coarse copy of the data
// it declares, so that the generative model above it learns from the coarse picture, and
// the recognition of the nodes above it starts from it. In double precision, and in float
// for training with --precision float32.
#include "framework/engines/row_share.hpp"
#include "framework/graph/cue.hpp"
#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace helmholtz {

// out(n, i * cell_columns + j) = 1 iff the fraction of on pixels of block (i, j) of row n
// of `image` (patterns x image_rows * image_columns, row-major) is >= cue.threshold.
template <class T>
void cue_states(const Cue& cue, const Tensor<T, 2>& image, Tensor<T, 2>& out);

// Each unit of `states` takes the cue's value with probability `weight`, else keeps the one
// it has: one uniform01 draw per unit when 0 < weight < 1; at weight 1 every unit takes the
// cue and at weight 0 none does, without a draw, so that a run whose cues are off draws
// exactly the numbers of a run without them. With `rows`, the states are one part of a larger
// batch, and the draws of the other rows are skipped (row_share.hpp).
template <class T>
void mix_in_cue(const Tensor<T, 2>& cue, double weight, Tensor<T, 2>& states, Rng& rng, RowShare rows = {});

}  // namespace helmholtz
