#include "framework/engines/cues.hpp"

#include <algorithm>

#include "framework/error.hpp"

namespace helmholtz {

template <class T>
void cue_states(const Cue& cue, const Tensor<T, 2>& image, Tensor<T, 2>& out) {
  const std::size_t pixels = cue.image_rows * cue.image_columns;
  if (image.shape(1) != pixels)
    throw Error("internal: a cue of a " + std::to_string(cue.image_rows) + "x" + std::to_string(cue.image_columns) +
                " image was given " + std::to_string(image.shape(1)) + " units");
  const std::size_t patterns = image.shape(0), height = cue.block_rows(), width = cue.block_columns();
  // The fraction as a quotient of whole numbers rounds to the same double as the threshold a
  // user writes for it (3 of 10 pixels and `threshold: 0.3`), so ">=" means what it says.
  const double area = static_cast<double>(height * width);
  ensure_shape(out, patterns, cue.units());
  for (std::size_t n = 0; n < patterns; ++n) {
    const T* row = image.data() + n * pixels;
    T* cells = out.data() + n * cue.units();
    for (std::size_t i = 0; i < cue.cell_rows; ++i)
      for (std::size_t j = 0; j < cue.cell_columns; ++j) {
        std::size_t on = 0;
        for (std::size_t r = i * height; r < (i + 1) * height; ++r)
          for (std::size_t c = j * width; c < (j + 1) * width; ++c) on += row[r * cue.image_columns + c] != T(0);
        cells[i * cue.cell_columns + j] = static_cast<double>(on) / area >= cue.threshold ? T(1) : T(0);
      }
  }
}

template <class T>
void mix_in_cue(const Tensor<T, 2>& cue, double weight, Tensor<T, 2>& states, Rng& rng, RowShare rows) {
  if (cue.shape(0) != states.shape(0) || cue.shape(1) != states.shape(1))
    throw Error("internal: a cue's shape differs from its node's states");
  if (weight <= 0.0) return;
  if (weight >= 1.0) {
    std::copy(cue.begin(), cue.end(), states.begin());
    return;
  }
  const T* from = cue.data();
  T* to = states.data();
  skip_rows(rng, rows.before, states.shape(1));
  for (std::size_t k = 0; k < states.size(); ++k)
    if (uniform01(rng) < weight) to[k] = from[k];
  skip_rows(rng, rows.after, states.shape(1));
}

template void cue_states(const Cue&, const Tensor<double, 2>&, Tensor<double, 2>&);
template void cue_states(const Cue&, const Tensor<float, 2>&, Tensor<float, 2>&);
template void mix_in_cue(const Tensor<double, 2>&, double, Tensor<double, 2>&, Rng&, RowShare);
template void mix_in_cue(const Tensor<float, 2>&, double, Tensor<float, 2>&, Rng&, RowShare);

}  // namespace helmholtz
