// The figures of `helmholtz render`, decoded back through libpng: the pixels must be the
// ones intended (a pattern grid and a weight diagram of known values), shapes are parsed
// strictly, and the text and the file are what the command promises.
#include <doctest/doctest.h>

#include <filesystem>
#include <limits>

#include "framework/error.hpp"
#include "framework/io/model_file.hpp"
#include "framework/render/chart.hpp"
#include "framework/render/figures.hpp"
#include "framework/render/png.hpp"
#include "plugins/builtin.hpp"

using namespace helmholtz;
using namespace helmholtz::render;

namespace {

std::string temporary(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("helmholtz_render_test_" + name)).string();
}

// The top-left pixel of each unit cell of pattern n in a grid (cell pixels, inside a 1-pixel
// frame), found from the first tile's frame: the frame colour marks where a tile starts.
struct Tile {
  long x, y;
};

Tile first_tile(const Image& image) {
  const Colour frame = Colour::grey(160);
  for (std::size_t y = 0; y < image.height(); ++y)
    for (std::size_t x = 0; x < image.width(); ++x)
      if (image.at(x, y) == frame) return {static_cast<long>(x), static_cast<long>(y)};
  FAIL("no tile frame in the image");
  return {0, 0};
}

}  // namespace

TEST_CASE("a pattern grid decodes from its PNG to the pixels of the patterns") {
  Matrix patterns = Matrix::from_shape({2, 6});
  const double bits[2][6] = {{1, 0, 0, 1, 1, 0}, {0, 1, 1, 0, 0, 1}};
  for (std::size_t n = 0; n < 2; ++n)
    for (std::size_t j = 0; j < 6; ++j) patterns(n, j) = bits[n][j];
  const int cell = 5;
  const Image grid = pattern_grid(patterns, parse_shape("2x3", 6), 2, "DATA", cell);
  const std::string file = temporary("grid.png");
  write_png(file, grid);
  const Image back = read_png(file);
  std::filesystem::remove(file);
  REQUIRE(back.width() == grid.width());
  REQUIRE(back.height() == grid.height());
  CHECK(back.rgb() == grid.rgb());
  const Tile tile = first_tile(back);
  const long tile_width = 3 * cell + 2 + 3;  // the cells, the frame, the gap between tiles
  for (std::size_t n = 0; n < 2; ++n)
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t c = 0; c < 3; ++c) {
        CAPTURE(n);
        CAPTURE(r);
        CAPTURE(c);
        const long x = tile.x + static_cast<long>(n) * tile_width + 1 + static_cast<long>(c) * cell + cell / 2;
        const long y = tile.y + 1 + static_cast<long>(r) * cell + cell / 2;
        const Colour expected = bits[n][r * 3 + c] != 0 ? Colour::grey(0) : Colour::grey(255);
        CHECK(back.at(static_cast<std::size_t>(x), static_cast<std::size_t>(y)) == expected);
      }
}

TEST_CASE("a weight diagram: white squares for positive weights, black for negative, area by magnitude") {
  // One top unit, four data units laid out 2x2; generative weights +2, -2, +0.5, 0.
  const Network network = parse_model(R"(
nodes:
  - {name: top, type: binary, size: 1}
  - {name: data, type: binary, size: 4, observed: true}
generative:
  top:  {distribution: sigmoid, bias: [0]}
  data: {distribution: sigmoid, parents: [top], bias: [0, 0, 0, 0], weights: {top: [[2], [-2], [0.5], [0]]}}
recognition:
  top: {distribution: sigmoid, parents: [data], bias: [0], weights: {data: [[1, 1, 1, 1]]}}
)",
                                      "w.yaml");
  const int cell = 9;
  const Image diagram = weight_diagrams(network, Direction::generative, "2x2", cell);
  const std::string file = temporary("weights.png");
  write_png(file, diagram);
  const Image back = read_png(file);
  std::filesystem::remove(file);
  CHECK(back.rgb() == diagram.rgb());
  const Tile tile = first_tile(back);
  auto centre = [&](std::size_t unit) {
    return back.at(static_cast<std::size_t>(tile.x + 1 + static_cast<long>(unit % 2) * cell + cell / 2),
                   static_cast<std::size_t>(tile.y + 1 + static_cast<long>(unit / 2) * cell + cell / 2));
  };
  auto covered = [&](std::size_t unit, Colour colour) {  // pixels of that colour in the unit's cell
    long count = 0;
    for (long dy = 0; dy < cell; ++dy)
      for (long dx = 0; dx < cell; ++dx)
        count += back.at(static_cast<std::size_t>(tile.x + 1 + static_cast<long>(unit % 2) * cell + dx),
                         static_cast<std::size_t>(tile.y + 1 + static_cast<long>(unit / 2) * cell + dy)) == colour;
    return count;
  };
  CHECK(centre(0) == Colour::grey(255));  // +2: white
  CHECK(centre(1) == Colour::grey(0));    // -2: black
  CHECK(centre(2) == Colour::grey(255));  // +0.5: white, smaller
  CHECK(centre(3) == Colour::grey(128));  // 0: no square
  CHECK(covered(0, Colour::grey(255)) == 64);  // the largest magnitude fills cell - 1 = 8 pixels a side
  CHECK(covered(1, Colour::grey(0)) == 64);
  CHECK(covered(2, Colour::grey(255)) == 16);  // sqrt(0.5 / 2) = 1/2 the side: 4 x 4
}

TEST_CASE("shapes: ROWSxCOLUMNS with exactly the units, near squares by default, clear errors") {
  CHECK(parse_shape("4x8", 32).rows == 4);
  CHECK(parse_shape("4x8", 32).columns == 8);
  CHECK_THROWS_WITH_AS(parse_shape("4x8", 16), "--shape 4x8 has 32 cells, the patterns have 16 units", Error);
  for (const char* bad : {"", "x", "4x", "x4", "4*4", "4x4x", "-4x4", "0x4", "4 x4"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_shape(bad), Error);
  }
  CHECK(default_shape(16).rows == 4);
  CHECK(default_shape(32).rows == 4);
  CHECK(default_shape(32).columns == 8);
  CHECK(default_shape(7).rows == 1);
  CHECK(default_shape(7).columns == 7);
}

TEST_CASE("a network without weights has no weight diagram: a clear error, not an empty picture") {
  const Network network = parse_model(R"(
name: flat
nodes:
  - {name: data, type: binary, size: 4, observed: true}
generative:
  data: {distribution: sigmoid}
)",
                                      "flat.yaml");
  CHECK_THROWS_WITH_AS(weight_diagrams(network, Direction::generative, "", 8),
                       "the generative model of 'flat' has no weights to draw", Error);
}

TEST_CASE("text: known glyphs drawn, an unknown character as a box, lower case as upper case") {
  Image a(20, 10), b(20, 10);
  a.text(0, 0, "ab", Colour::grey(0));
  b.text(0, 0, "AB", Colour::grey(0));
  CHECK(a.rgb() == b.rgb());
  Image box(4, 5);
  box.text(0, 0, "~", Colour::grey(0));
  CHECK(box.at(1, 1) == Colour::grey(255));  // the box is hollow
  CHECK(box.at(0, 0) == Colour::grey(0));
  CHECK(text_width("AB", 2) == 14);
}

TEST_CASE("chart ticks: round steps of 1, 2 or 5 that cover the data, and a single value padded") {
  const std::vector<double> t = ticks(-15.3, -15.2);  // ticks k x 0.02: within rounding of the ends
  CHECK(t.front() <= -15.3 + 1e-12);
  CHECK(t.back() >= -15.2 - 1e-12);
  const std::vector<double> u = ticks(-23.4, -15.3);
  CHECK(u.front() == -24.0);
  CHECK(u.back() == -14.0);
  for (std::size_t i = 1; i < u.size(); ++i) CHECK(u[i] - u[i - 1] == doctest::Approx(2.0));
  const std::vector<double> one = ticks(5.0, 5.0);
  CHECK(one.front() < 5.0);
  CHECK(one.back() > 5.0);
  CHECK(ticks(0.0, 1.0).size() >= 5);
}

TEST_CASE("a learning curve: each series drawn in its own colour inside the axes, none is an error") {
  Series rising{"a", {1, 2, 3, 4}, {-10, -8, -7, -6.5}};
  Series gap{"b", {1, 2, 3, 4}, {-9, std::numeric_limits<double>::quiet_NaN(), -8, -7}};
  const Image chart = line_chart({rising, gap}, "T", "EPOCH", "NATS", 400, 300);
  const std::string file = temporary("chart.png");
  write_png(file, chart);
  const Image back = read_png(file);
  std::filesystem::remove(file);
  CHECK(back.rgb() == chart.rgb());
  long first = 0, second = 0;
  for (std::size_t y = 0; y < back.height(); ++y)
    for (std::size_t x = 0; x < back.width(); ++x) {
      first += back.at(x, y) == Colour{0, 90, 181};
      second += back.at(x, y) == Colour{220, 50, 32};
    }
  CHECK(first > 100);  // the line, its markers and the legend key
  CHECK(second > 50);
  CHECK_THROWS_WITH_AS(line_chart({Series{"empty", {1}, {std::numeric_limits<double>::quiet_NaN()}}}, "T", "X", "Y"),
                       "render: nothing to plot (no series has a finite value)", Error);
}
