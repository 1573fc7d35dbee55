#include "framework/datasets/bars.hpp"

namespace helmholtz::datasets {

Matrix bars(std::size_t patterns, Rng& rng, const BarsOptions& options) {
  const std::size_t s = options.size;
  Matrix out = xt::zeros<double>({patterns, s * s});
  for (std::size_t n = 0; n < patterns; ++n) {
    const bool vertical = uniform01(rng) < options.vertical_probability;
    for (std::size_t bar = 0; bar < s; ++bar) {
      if (!(uniform01(rng) < options.bar_probability)) continue;
      for (std::size_t i = 0; i < s; ++i) out(n, vertical ? i * s + bar : bar * s + i) = 1.0;
    }
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
  g.generate = [](std::size_t patterns, Rng& rng, const std::map<std::string, double>& values) {
    BarsOptions options;
    options.size = static_cast<std::size_t>(values.at("size"));
    options.bar_probability = values.at("bar-probability");
    options.vertical_probability = values.at("vertical-probability");
    GeneratedData out;
    out.patterns = bars(patterns, rng, options);
    const std::string side = std::to_string(options.size);
    out.description = "bars: " + side + "x" + side + " image, row by row";
    return out;
  };
  return g;
}

}  // namespace helmholtz::datasets
