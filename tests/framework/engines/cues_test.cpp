// Cues (graph/cue.hpp, engines/cues.hpp): downsampling an image into cells, mixing a cue into
// a node's states, and the recognition pass that takes the cues.
// Facts checked:
//   a hand-made 4x4 image whose 2x2 blocks hold 3, 0, 1 and 4 on pixels gives cells on
//   exactly where that count over 4 is >= the threshold (0.25, 0.5, 0.75, 1: the boundary
//   counts), in double and float; a 2x6 image cut into 1x2 cells averages blocks of 2x3;
//   weight 1 copies the cue, weight 0 leaves the states and the generator untouched, and
//   weight w puts a unit on the cue with frequency w (within 4 standard errors);
//   with weight 1 the recognition pass's states of the cued node are its cue, though Q would
//   keep it off, and a node recognised from it (a copy through weights of 40) copies the cue;
//   weight 0 draws exactly what sample() draws.
#include <doctest/doctest.h>

#include <cmath>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "framework/engines/cues.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

// Blocks of 2x2: top-left 3 on, top-right 0, bottom-left 1, bottom-right 4.
const Matrix image = {{1, 1, 0, 0,  //
                       1, 0, 0, 0,  //
                       0, 0, 1, 1,  //
                       0, 1, 1, 1}};

Cue two_by_two(double threshold) {
  Cue cue;
  cue.image_rows = cue.image_columns = 4;
  cue.cell_rows = cue.cell_columns = 2;
  cue.threshold = threshold;
  return cue;
}

// `coarse` is recognised as always off (bias -40), `top` as a copy of `coarse`.
Network cued_network() {
  return parse_model(R"(nodes:
  - {name: top, type: binary, size: 4}
  - {name: coarse, type: binary, size: 4, cue: {of: pixels, image: 4x4, cells: 2x2}}
  - {name: pixels, type: binary, size: 16, observed: true}
generative:
  top: {distribution: sigmoid}
  coarse: {distribution: sigmoid, parents: [top]}
  pixels: {distribution: sigmoid, parents: [coarse]}
recognition:
  coarse: {distribution: sigmoid, parents: [pixels], bias: [-40, -40, -40, -40]}
  top: {distribution: sigmoid, parents: [coarse], bias: [-20, -20, -20, -20],
        weights: {coarse: [[40, 0, 0, 0], [0, 40, 0, 0], [0, 0, 40, 0], [0, 0, 0, 40]]}}
)",
                     "cued.yaml");
}

}  // namespace

TEST_CASE("cue_states: a cell is on iff the fraction of on pixels in its block is >= the threshold") {
  struct Case {
    double threshold;
    Matrix expected;
  };
  for (const Case& c : {Case{0.25, {{1, 0, 1, 1}}}, Case{0.5, {{1, 0, 0, 1}}}, Case{0.75, {{1, 0, 0, 1}}},
                        Case{1.0, {{0, 0, 0, 1}}}, Case{0.26, {{1, 0, 0, 1}}}}) {
    CAPTURE(c.threshold);
    Matrix cells;
    cue_states(two_by_two(c.threshold), image, cells);
    CHECK(cells == c.expected);
    MatrixF image_f = xt::cast<float>(image), cells_f;
    cue_states(two_by_two(c.threshold), image_f, cells_f);
    CHECK(cells_f == xt::cast<float>(c.expected));
  }
}

TEST_CASE("cue_states: every pattern of a batch, and rectangular images and cells") {
  Matrix two = Matrix::from_shape({2, 16});
  xt::view(two, 0, xt::all()) = xt::view(image, 0, xt::all());
  xt::view(two, 1, xt::all()) = 0.0;
  Matrix cells;
  cue_states(two_by_two(0.5), two, cells);
  CHECK(cells == Matrix{{1, 0, 0, 1}, {0, 0, 0, 0}});

  Cue strip;
  strip.image_rows = 2;
  strip.image_columns = 6;
  strip.cell_rows = 1;
  strip.cell_columns = 2;
  // Left block of 2x3 holds 3 on pixels of 6 (0.5), the right one 2 of 6.
  const Matrix wide = {{1, 1, 1, 0, 0, 0,  //
                        0, 0, 0, 1, 1, 0}};
  cue_states(strip, wide, cells);
  CHECK(cells == Matrix{{1, 0}});
}

TEST_CASE("mix_in_cue: weight 1 takes the cue, weight 0 changes nothing and draws nothing, weight w a fraction w") {
  const Matrix cue = xt::ones<double>({200, 500});
  Matrix states = xt::zeros<double>({200, 500});
  Rng rng = make_rng(3), untouched = make_rng(3);
  mix_in_cue(cue, 0.0, states, rng);
  CHECK(states == xt::zeros<double>({200, 500}));
  CHECK(rng == untouched);
  mix_in_cue(cue, 1.0, states, rng);
  CHECK(states == cue);
  CHECK(rng == untouched);

  for (const double w : {0.3, 0.75}) {
    CAPTURE(w);
    states.fill(0.0);
    mix_in_cue(cue, w, states, rng);
    const double n = static_cast<double>(states.size());
    const double fraction = xt::sum(states)() / n;
    CHECK(std::abs(fraction - w) < 4 * std::sqrt(w * (1 - w) / n));
  }
}

TEST_CASE("with weight 1, the recognition pass takes each cued node's cue, and the nodes above see it") {
  Network network = cued_network();
  const std::size_t top = 0, coarse = 1;
  Matrix cue;
  cue_states(two_by_two(0.5), image, cue);  // {1, 0, 0, 1}
  RecognitionSampler sampler(network);
  Rng rng = make_rng(5);
  const NodeStates& plain = sampler.sample(image, rng);
  CHECK(plain[coarse] == xt::zeros<double>({1, 4}));  // what Q alone says
  const NodeStates& cued = sampler.sample_with_cues(image, rng, 1.0);
  CHECK(cued[coarse] == cue);
  CHECK(cued[top] == cue);

  // In single precision too.
  network.recognition.enable_single_precision();
  RecognitionSamplerF single(network);
  const MatrixF image_f = xt::cast<float>(image);
  const NodeStatesF& cued_f = single.sample_with_cues(image_f, rng, 1.0);
  CHECK(cued_f[coarse] == xt::cast<float>(cue));
  CHECK(cued_f[top] == xt::cast<float>(cue));
}

TEST_CASE("with weight 0, the recognition pass draws exactly what sample() draws") {
  Network network = parse_model(R"(seed: 4
nodes:
  - {name: top, type: binary, size: 2}
  - {name: coarse, type: binary, size: 4, cue: {of: pixels, image: 4x4, cells: 2x2}}
  - {name: pixels, type: binary, size: 16, observed: true}
generative:
  top: {distribution: sigmoid}
  coarse: {distribution: sigmoid, parents: [top]}
  pixels: {distribution: sigmoid, parents: [coarse]}
)",
                                "drawn.yaml");
  RecognitionSampler a(network), b(network);
  Rng rng_a = make_rng(11), rng_b = make_rng(11);
  const Matrix batch = xt::concatenate(xt::xtuple(image, 1.0 - image, image));
  for (int step = 0; step < 5; ++step) {
    const NodeStates& plain = a.sample(batch, rng_a);
    const NodeStates& cued = b.sample_with_cues(batch, rng_b, 0.0);
    for (std::size_t node = 0; node < network.nodes.size(); ++node) CHECK(plain[node] == cued[node]);
  }
  CHECK(rng_a == rng_b);
}

}  // namespace helmholtz
