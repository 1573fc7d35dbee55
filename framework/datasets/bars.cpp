#include "framework/datasets/bars.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "framework/error.hpp"

namespace helmholtz::datasets {

void bars_pattern(Rng& rng, double* pattern, const BarsOptions& options) {
  const std::size_t s = options.size;
  std::fill(pattern, pattern + s * s, 0.0);
  const bool vertical = uniform01(rng) < options.vertical_probability;
  for (std::size_t bar = 0; bar < s; ++bar) {
    if (!(uniform01(rng) < options.bar_probability)) continue;
    for (std::size_t i = 0; i < s; ++i) pattern[vertical ? i * s + bar : bar * s + i] = 1.0;
  }
}

Matrix bars(std::size_t patterns, Rng& rng, const BarsOptions& options) {
  const std::size_t units = options.size * options.size;
  Matrix out = Matrix::from_shape({patterns, units});
  for (std::size_t n = 0; n < patterns; ++n) bars_pattern(rng, out.data() + n * units, options);
  return out;
}

DataDistribution bars_distribution(const BarsOptions& options) {
  const std::size_t s = options.size;
  if (s > 20) throw Error("the bars distribution of " + std::to_string(s) + "x" + std::to_string(s) +
                          " images has 2^" + std::to_string(s + 1) + " terms, more than it lists (size <= 20)");
  std::map<std::string, double> probability;  // image (a byte per pixel) -> probability, images merged
  for (const bool vertical : {false, true}) {
    const double p_orientation = vertical ? options.vertical_probability : 1.0 - options.vertical_probability;
    if (p_orientation == 0) continue;
    for (std::size_t on = 0; on < (std::size_t{1} << s); ++on) {
      std::string image(s * s, '\0');
      double p = p_orientation;
      for (std::size_t bar = 0; bar < s; ++bar) {
        const bool lit = (on >> bar) & 1;
        p *= lit ? options.bar_probability : 1.0 - options.bar_probability;
        if (lit)
          for (std::size_t i = 0; i < s; ++i) image[vertical ? i * s + bar : bar * s + i] = '\1';
      }
      if (p > 0) probability[image] += p;
    }
  }
  DataDistribution out{Matrix::from_shape({probability.size(), s * s}), Vector::from_shape({probability.size()})};
  std::size_t n = 0;
  for (const auto& [image, p] : probability) {
    for (std::size_t j = 0; j < s * s; ++j) out.patterns(n, j) = image[j] != '\0' ? 1.0 : 0.0;
    out.probabilities(n++) = p;
  }
  return out;
}

}  // namespace helmholtz::datasets

#include "framework/datasets/dataset.hpp"

namespace helmholtz::datasets {

DatasetGenerator bars_generator() {
  DatasetGenerator g;
  g.name = "bars";
  g.summary = "Hinton et al. 1995: images of vertical or horizontal bars";
  g.description =
      "S x S images (16 units by default), row by row: vertical or horizontal bars, each bar of the\n"
      "chosen orientation on independently.";
  g.parameters = {{"size", "S", "the image is S x S", 4, 1, 1000, true},
                  {"bar-probability", "P", "probability that each bar is on", 0.2, 0.0, 1.0, false},
                  {"vertical-probability", "P", "probability of vertical bars", 0.5, 0.0, 1.0, false}};
  g.start = [](Rng& /*rng*/, const std::map<std::string, double>& values) {
    BarsOptions options;
    options.size = static_cast<std::size_t>(values.at("size"));
    options.bar_probability = values.at("bar-probability");
    options.vertical_probability = values.at("vertical-probability");
    PatternStream out;
    out.units = options.size * options.size;
    const std::string side = std::to_string(options.size);
    out.description = "bars: " + side + "x" + side + " image, row by row";
    out.next = [options](Rng& rng, double* pattern) {
      bars_pattern(rng, pattern, options);
      return 0;
    };
    return out;
  };
  g.distribution = [](const std::map<std::string, double>& values) {
    BarsOptions options;
    options.size = static_cast<std::size_t>(values.at("size"));
    options.bar_probability = values.at("bar-probability");
    options.vertical_probability = values.at("vertical-probability");
    return bars_distribution(options);
  };
  return g;
}

}  // namespace helmholtz::datasets
