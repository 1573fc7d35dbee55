#include "framework/datasets/shifter.hpp"

namespace helmholtz::datasets {

Matrix shifter(std::size_t patterns, Rng& rng, std::vector<bool>& shifted_right, const ShifterOptions& options) {
  const std::size_t w = options.width;
  Matrix out = Matrix::from_shape({patterns, 4 * w});
  shifted_right.assign(patterns, false);
  for (std::size_t n = 0; n < patterns; ++n) {
    std::vector<double> bottom(w);
    for (double& pixel : bottom) pixel = uniform01(rng) < options.on_probability ? 1.0 : 0.0;
    const bool right = uniform01(rng) < 0.5;
    shifted_right[n] = right;
    for (std::size_t c = 0; c < w; ++c) {
      // Shifted right: the top pixel c shows the bottom pixel c - 1.
      const double top = right ? bottom[(c + w - 1) % w] : bottom[(c + 1) % w];
      out(n, c) = top;
      out(n, w + c) = top;
      out(n, 2 * w + c) = bottom[c];
      out(n, 3 * w + c) = bottom[c];
    }
  }
  return out;
}

}  // namespace helmholtz::datasets
