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
