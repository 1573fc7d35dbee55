#include "framework/datasets/shifter.hpp"

namespace helmholtz::datasets {

bool shifter_pattern(Rng& rng, double* pattern, const ShifterOptions& options) {
  const std::size_t w = options.width;
  std::vector<double> bottom(w);
  for (double& pixel : bottom) pixel = uniform01(rng) < options.on_probability ? 1.0 : 0.0;
  const bool right = uniform01(rng) < 0.5;
  for (std::size_t c = 0; c < w; ++c) {
    // Shifted right: the top pixel c shows the bottom pixel c - 1.
    const double top = right ? bottom[(c + w - 1) % w] : bottom[(c + 1) % w];
    pattern[c] = top;
    pattern[w + c] = top;
    pattern[2 * w + c] = bottom[c];
    pattern[3 * w + c] = bottom[c];
  }
  return right;
}

Matrix shifter(std::size_t patterns, Rng& rng, std::vector<bool>& shifted_right, const ShifterOptions& options) {
  const std::size_t units = 4 * options.width;
  Matrix out = Matrix::from_shape({patterns, units});
  shifted_right.assign(patterns, false);
  for (std::size_t n = 0; n < patterns; ++n) shifted_right[n] = shifter_pattern(rng, out.data() + n * units, options);
  return out;
}

}  // namespace helmholtz::datasets

#include "framework/datasets/dataset.hpp"

namespace helmholtz::datasets {

DatasetGenerator shifter_generator() {
  DatasetGenerator g;
  g.name = "shifter";
  g.summary = "Dayan et al. 1995, Fig. 1: a random row and its copy shifted one pixel left or right";
  g.description =
      "4 rows of 8 pixels (32 units), top row first. The bottom row is random, the top row is it shifted one\n"
      "pixel left or right with wraparound, and the two middle rows copy the outer rows. --labels FILE\n"
      "writes the shift direction of each pattern (1 right, 0 left, -1 when both shifts give the pattern).";
  g.parameters = {{"on-probability", "P", "probability that a pixel of the bottom row is on", 0.2, 0.0, 1.0, false}};
  g.labelled = true;
  g.start = [](Rng& /*rng*/, const std::map<std::string, double>& values) {
    ShifterOptions options;
    options.on_probability = values.at("on-probability");
    PatternStream out;
    out.units = 4 * options.width;
    out.description = "shifter (Dayan et al. 1995): 4 rows of 8 pixels, top row first";
    out.labels_description = "shift direction of each pattern: 1 = right, 0 = left, -1 = either (both shifts give it)";
    out.next = [options](Rng& rng, double* pattern) {
      const bool right = shifter_pattern(rng, pattern, options);
      // A bottom row that both shifts turn into the same top row (period 1 or 2: all off,
      // all on, 0101...) does not tell the direction: -1, left out by `helmholtz probe`.
      const std::size_t w = options.width;
      const double* bottom = pattern + 2 * w;
      for (std::size_t c = 0; c < w; ++c)
        if (bottom[(c + w - 1) % w] != bottom[(c + 1) % w]) return right ? 1 : 0;
      return -1;
    };
    return out;
  };
  return g;
}

}  // namespace helmholtz::datasets
