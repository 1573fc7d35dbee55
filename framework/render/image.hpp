#pragma once
// A small RGB raster for the figures of `helmholtz render`: filled rectangles and text in a
// built-in 3x5 pixel font (upper case, digits and the punctuation of numbers and labels),
// scaled by whole pixels. Written to PNG by png.hpp.
#include <cstdint>
#include <string_view>
#include <vector>

namespace helmholtz::render {

struct Colour {
  std::uint8_t r = 0, g = 0, b = 0;
  static constexpr Colour grey(std::uint8_t v) { return {v, v, v}; }
  bool operator==(const Colour&) const = default;
};

class Image {
 public:
  Image(std::size_t width, std::size_t height, Colour background = Colour::grey(255));

  std::size_t width() const { return width_; }
  std::size_t height() const { return height_; }
  Colour at(std::size_t x, std::size_t y) const;
  // Pixels outside the image are ignored, so that a shape may be clipped at the border.
  void set(long x, long y, Colour c);
  void fill_rect(long x, long y, long w, long h, Colour c);
  // One pixel wide, inclusive of both ends; horizontal or vertical, or any line (Bresenham).
  void line(long x0, long y0, long x1, long y1, Colour c);
  // Text with its top-left corner at (x, y), each font pixel `scale` x `scale` image pixels.
  // Lower-case letters are drawn as upper case; a character the font lacks is a box.
  void text(long x, long y, std::string_view s, Colour c, int scale = 1);
  // Copies `other` with its top-left corner at (x, y).
  void paste(const Image& other, long x, long y);

  // The bytes as PNG wants them: rows top to bottom, R G B per pixel.
  const std::vector<std::uint8_t>& rgb() const { return rgb_; }

 private:
  std::size_t width_, height_;
  std::vector<std::uint8_t> rgb_;
};

// Size of `s` drawn at `scale`: 4 font pixels per character (3 and a space), 5 high.
long text_width(std::string_view s, int scale = 1);
inline long text_height(int scale = 1) { return 5L * scale; }

}  // namespace helmholtz::render
