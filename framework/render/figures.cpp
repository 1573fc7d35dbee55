#include "framework/render/figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "framework/error.hpp"

namespace helmholtz::render {
namespace {

constexpr Colour black = Colour::grey(0), white = Colour::grey(255), frame = Colour::grey(160),
                 neutral = Colour::grey(128);
constexpr long margin = 6, title_gap = 6, image_gap = 3;
constexpr int title_scale = 2;  // font pixels of 2 x 2: legible at the figures' size

// Lays `count` tiles of w x h pixels in rows of `per_row`, under a title line.
struct Layout {
  long tile_w, tile_h, per_row, count;
  long width(const std::string& title) const {
    const long columns = std::min(per_row, std::max(count, 1L));
    return std::max(2 * margin + columns * (tile_w + image_gap) - image_gap,
                    2 * margin + text_width(title, title_scale));
  }
  long height() const {
    const long rows = (count + per_row - 1) / per_row;
    return 2 * margin + text_height(title_scale) + title_gap + std::max(rows, 1L) * (tile_h + image_gap) - image_gap;
  }
  long x(long i) const { return margin + (i % per_row) * (tile_w + image_gap); }
  long y(long i) const {
    return margin + text_height(title_scale) + title_gap + (i / per_row) * (tile_h + image_gap);
  }
};

std::string magnitude_text(double m) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", m);
  return text;
}

// One Hinton square per weight: centred in a cell of `cell` pixels, side sqrt(|w| / largest).
void hinton_cell(Image& image, long x, long y, int cell, double w, double largest) {
  image.fill_rect(x, y, cell, cell, neutral);
  if (!(largest > 0) || !std::isfinite(w) || w == 0) return;
  const double fraction = std::sqrt(std::min(std::abs(w) / largest, 1.0));
  const long side = std::max(1L, std::lround(fraction * (cell - 1)));
  const long offset = (cell - side) / 2;
  image.fill_rect(x + offset, y + offset, side, side, w > 0 ? white : black);
}

}  // namespace

Shape parse_shape(const std::string& text) {
  const std::size_t x = text.find('x');
  std::size_t rows = 0, columns = 0;
  try {
    if (x == std::string::npos || x == 0 || x + 1 == text.size()) throw std::invalid_argument(text);
    std::size_t used = 0;
    rows = std::stoul(text.substr(0, x), &used);
    if (used != x) throw std::invalid_argument(text);
    columns = std::stoul(text.substr(x + 1), &used);
    if (used != text.size() - x - 1) throw std::invalid_argument(text);
  } catch (const std::logic_error&) {
    throw Error("--shape '" + text + "' is not ROWSxCOLUMNS (e.g. 8x8)");
  }
  if (rows == 0 || columns == 0 || rows > 10000 || columns > 10000)
    throw Error("--shape '" + text + "': rows and columns must be in 1..10000");
  return {rows, columns};
}

Shape parse_shape(const std::string& text, std::size_t units) {
  const Shape shape = parse_shape(text);
  if (shape.size() != units)
    throw Error("--shape " + text + " has " + std::to_string(shape.size()) + " cells, the patterns have " +
                std::to_string(units) + " units");
  return shape;
}

Shape default_shape(std::size_t units) {
  std::size_t rows = 1;
  for (std::size_t r = 1; r * r <= units; ++r)
    if (units % r == 0) rows = r;
  return {rows, units == 0 ? 0 : units / rows};
}

Image pattern_grid(const Matrix& patterns, Shape shape, std::size_t grid_columns, const std::string& title, int cell) {
  if (patterns.shape(1) != shape.size())
    throw Error("render: patterns of " + std::to_string(patterns.shape(1)) + " units do not fit a " +
                std::to_string(shape.rows) + "x" + std::to_string(shape.columns) + " shape");
  const Layout layout{static_cast<long>(shape.columns) * cell + 2, static_cast<long>(shape.rows) * cell + 2,
                      static_cast<long>(std::max<std::size_t>(grid_columns, 1)), static_cast<long>(patterns.shape(0))};
  Image image(static_cast<std::size_t>(layout.width(title)), static_cast<std::size_t>(layout.height()));
  image.text(margin, margin, title, black, title_scale);
  for (long n = 0; n < layout.count; ++n) {
    const long x = layout.x(n), y = layout.y(n);
    image.fill_rect(x, y, layout.tile_w, layout.tile_h, frame);
    for (std::size_t r = 0; r < shape.rows; ++r)
      for (std::size_t c = 0; c < shape.columns; ++c) {
        const bool on = patterns(static_cast<std::size_t>(n), r * shape.columns + c) != 0.0;
        image.fill_rect(x + 1 + static_cast<long>(c) * cell, y + 1 + static_cast<long>(r) * cell, cell, cell,
                        on ? black : white);
      }
  }
  return image;
}

Image beside(const Image& left, const Image& right, long gap) {
  Image image(left.width() + static_cast<std::size_t>(gap) + right.width(), std::max(left.height(), right.height()));
  image.paste(left, 0, 0);
  image.paste(right, static_cast<long>(left.width()) + gap, 0);
  return image;
}

Image stacked(const std::vector<Image>& images, long gap) {
  std::size_t width = 1, height = 0;
  for (const Image& i : images) {
    width = std::max(width, i.width());
    height += i.height() + static_cast<std::size_t>(gap);
  }
  Image image(width, std::max<std::size_t>(height, 1));
  long y = 0;
  for (const Image& i : images) {
    image.paste(i, 0, y);
    y += static_cast<long>(i.height()) + gap;
  }
  return image;
}

Image weight_diagrams(const Network& network, Direction direction, const std::string& lower_shape, int cell) {
  const DirectedModel& model = direction == Direction::generative ? network.generative : network.recognition;
  const char* direction_name = direction == Direction::generative ? "GENERATIVE" : "RECOGNITION";
  std::vector<Image> panels;
  for (std::size_t node : model.order) {
    const Conditional& conditional = model.conditionals[node];
    if (!conditional.distribution) continue;
    const Distribution& d = *conditional.distribution;
    const auto theta = d.parameters();
    for (const ParameterBlock& block : d.blocks()) {
      if (block.layout != BlockLayout::per_unit_and_parent || block.size == 0) continue;
      const std::size_t units = network.nodes[node].size, parent_units = block.size / units;
      std::size_t first_column = 0;
      for (std::size_t parent : conditional.parents) {
        const std::size_t width = network.nodes[parent].size;
        // The upper layer gets one image per unit, laid out in the lower layer's shape:
        // in the generative direction the parent is the upper one, in recognition the node.
        const bool parent_upper = direction == Direction::generative;
        const std::size_t upper = parent_upper ? parent : node, lower = parent_upper ? node : parent;
        const std::size_t images = network.nodes[upper].size, cells = network.nodes[lower].size;
        // The shape given fits the layer it was meant for (the data); other layers are
        // laid out as near squares.
        const Shape given = lower_shape.empty() ? Shape{0, 0} : parse_shape(lower_shape);
        const Shape shape = given.size() == cells ? given : default_shape(cells);
        auto weight = [&](std::size_t image, std::size_t c) {  // W(node unit, parent unit)
          const std::size_t unit = parent_upper ? c : image, column = parent_upper ? image : c;
          return theta[block.offset + unit * parent_units + first_column + column];
        };
        double largest = 0;
        for (std::size_t i = 0; i < images; ++i)
          for (std::size_t c = 0; c < cells; ++c)
            if (std::isfinite(weight(i, c))) largest = std::max(largest, std::abs(weight(i, c)));
        const std::string title = std::string(direction_name) + " " + block.name + " " + network.nodes[parent].name +
                                  " -> " + network.nodes[node].name + "   MAX |W| " + magnitude_text(largest);
        const long per_row = std::max(1L, std::lround(std::ceil(std::sqrt(static_cast<double>(images)))));
        const Layout layout{static_cast<long>(shape.columns) * cell + 2, static_cast<long>(shape.rows) * cell + 2,
                            per_row, static_cast<long>(images)};
        Image panel(static_cast<std::size_t>(layout.width(title)), static_cast<std::size_t>(layout.height()));
        panel.text(margin, margin, title, black, title_scale);
        for (std::size_t i = 0; i < images; ++i) {
          const long x = layout.x(static_cast<long>(i)), y = layout.y(static_cast<long>(i));
          panel.fill_rect(x, y, layout.tile_w, layout.tile_h, frame);
          for (std::size_t c = 0; c < cells; ++c)
            hinton_cell(panel, x + 1 + static_cast<long>(c % shape.columns) * cell,
                        y + 1 + static_cast<long>(c / shape.columns) * cell, cell, weight(i, c), largest);
        }
        panels.push_back(std::move(panel));
        first_column += width;
      }
    }
  }
  if (panels.empty())
    throw Error(std::string("the ") + (direction == Direction::generative ? "generative" : "recognition") +
                " model of '" + network.name + "' has no weights to draw");
  return stacked(panels);
}

}  // namespace helmholtz::render
