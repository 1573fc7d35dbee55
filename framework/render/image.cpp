#include "framework/render/image.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include "framework/error.hpp"

namespace helmholtz::render {
namespace {

// 3 x 5 glyphs, five rows of three pixels each ('#' on), for the characters figures need:
// digits and signs for numbers, letters for axis labels and captions.
struct Glyph {
  char c;
  std::array<const char*, 5> rows;
};

constexpr Glyph glyphs[] = {
    {'0', {"###", "#.#", "#.#", "#.#", "###"}}, {'1', {".#.", "##.", ".#.", ".#.", "###"}},
    {'2', {"##.", "..#", ".#.", "#..", "###"}}, {'3', {"##.", "..#", ".#.", "..#", "##."}},
    {'4', {"#.#", "#.#", "###", "..#", "..#"}}, {'5', {"###", "#..", "##.", "..#", "##."}},
    {'6', {".##", "#..", "###", "#.#", "###"}}, {'7', {"###", "..#", ".#.", ".#.", ".#."}},
    {'8', {"###", "#.#", "###", "#.#", "###"}}, {'9', {"###", "#.#", "###", "..#", "##."}},
    {'A', {".#.", "#.#", "###", "#.#", "#.#"}}, {'B', {"##.", "#.#", "##.", "#.#", "##."}},
    {'C', {".##", "#..", "#..", "#..", ".##"}}, {'D', {"##.", "#.#", "#.#", "#.#", "##."}},
    {'E', {"###", "#..", "##.", "#..", "###"}}, {'F', {"###", "#..", "##.", "#..", "#.."}},
    {'G', {".##", "#..", "#.#", "#.#", ".##"}}, {'H', {"#.#", "#.#", "###", "#.#", "#.#"}},
    {'I', {"###", ".#.", ".#.", ".#.", "###"}}, {'J', {"..#", "..#", "..#", "#.#", ".#."}},
    {'K', {"#.#", "#.#", "##.", "#.#", "#.#"}}, {'L', {"#..", "#..", "#..", "#..", "###"}},
    {'M', {"#.#", "###", "###", "#.#", "#.#"}}, {'N', {"##.", "#.#", "#.#", "#.#", "#.#"}},
    {'O', {".#.", "#.#", "#.#", "#.#", ".#."}}, {'P', {"##.", "#.#", "##.", "#..", "#.."}},
    {'Q', {".#.", "#.#", "#.#", "##.", ".##"}}, {'R', {"##.", "#.#", "##.", "#.#", "#.#"}},
    {'S', {".##", "#..", ".#.", "..#", "##."}}, {'T', {"###", ".#.", ".#.", ".#.", ".#."}},
    {'U', {"#.#", "#.#", "#.#", "#.#", "###"}}, {'V', {"#.#", "#.#", "#.#", "#.#", ".#."}},
    {'W', {"#.#", "#.#", "###", "###", "#.#"}}, {'X', {"#.#", "#.#", ".#.", "#.#", "#.#"}},
    {'Y', {"#.#", "#.#", ".#.", ".#.", ".#."}}, {'Z', {"###", "..#", ".#.", "#..", "###"}},
    {' ', {"...", "...", "...", "...", "..."}}, {'.', {"...", "...", "...", "...", ".#."}},
    {',', {"...", "...", "...", ".#.", "#.."}}, {'-', {"...", "...", "###", "...", "..."}},
    {'+', {"...", ".#.", "###", ".#.", "..."}}, {'=', {"...", "###", "...", "###", "..."}},
    {':', {"...", ".#.", "...", ".#.", "..."}}, {'(', {".#.", "#..", "#..", "#..", ".#."}},
    {')', {".#.", "..#", "..#", "..#", ".#."}}, {'|', {".#.", ".#.", ".#.", ".#.", ".#."}},
    {'/', {"..#", "..#", ".#.", "#..", "#.."}}, {'%', {"#.#", "..#", ".#.", "#..", "#.#"}},
    {'_', {"...", "...", "...", "...", "###"}}, {'\'', {".#.", ".#.", "...", "...", "..."}},
    {'<', {"..#", ".#.", "#..", ".#.", "..#"}}, {'>', {"#..", ".#.", "..#", ".#.", "#.."}},
    {'[', {"##.", "#..", "#..", "#..", "##."}}, {']', {".##", "..#", "..#", "..#", ".##"}},
    {'*', {"...", "#.#", ".#.", "#.#", "..."}}, {'^', {".#.", "#.#", "...", "...", "..."}},
};

constexpr Glyph box{'?', {"###", "#.#", "#.#", "#.#", "###"}};

const Glyph& glyph(char c) {
  const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const Glyph& g : glyphs)
    if (g.c == upper) return g;
  return box;
}

}  // namespace

Image::Image(std::size_t width, std::size_t height, Colour background) : width_(width), height_(height) {
  // A figure is at most a few thousand pixels a side; a size beyond that is a caller's bug.
  if (width == 0 || height == 0 || width > 20000 || height > 20000)
    throw Error("render: an image of " + std::to_string(width) + " x " + std::to_string(height) +
                " pixels is outside 1..20000 a side");
  rgb_.resize(width * height * 3);
  for (std::size_t i = 0; i < width * height; ++i) {
    rgb_[3 * i] = background.r;
    rgb_[3 * i + 1] = background.g;
    rgb_[3 * i + 2] = background.b;
  }
}

Colour Image::at(std::size_t x, std::size_t y) const {
  const std::size_t i = 3 * (y * width_ + x);
  return {rgb_.at(i), rgb_.at(i + 1), rgb_.at(i + 2)};
}

void Image::set(long x, long y, Colour c) {
  if (x < 0 || y < 0 || x >= static_cast<long>(width_) || y >= static_cast<long>(height_)) return;
  const std::size_t i = 3 * (static_cast<std::size_t>(y) * width_ + static_cast<std::size_t>(x));
  rgb_[i] = c.r;
  rgb_[i + 1] = c.g;
  rgb_[i + 2] = c.b;
}

void Image::fill_rect(long x, long y, long w, long h, Colour c) {
  const long x0 = std::max(x, 0L), y0 = std::max(y, 0L);
  const long x1 = std::min(x + w, static_cast<long>(width_)), y1 = std::min(y + h, static_cast<long>(height_));
  for (long yy = y0; yy < y1; ++yy)
    for (long xx = x0; xx < x1; ++xx) set(xx, yy, c);
}

void Image::line(long x0, long y0, long x1, long y1, Colour c) {
  const long dx = std::labs(x1 - x0), dy = -std::labs(y1 - y0);
  const long sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  long error = dx + dy;
  for (;;) {
    set(x0, y0, c);
    if (x0 == x1 && y0 == y1) return;
    const long twice = 2 * error;
    if (twice >= dy) {
      error += dy;
      x0 += sx;
    }
    if (twice <= dx) {
      error += dx;
      y0 += sy;
    }
  }
}

void Image::text(long x, long y, std::string_view s, Colour c, int scale) {
  for (char ch : s) {
    const Glyph& g = glyph(ch);
    for (long row = 0; row < 5; ++row)
      for (long column = 0; column < 3; ++column)
        if (g.rows[static_cast<std::size_t>(row)][column] == '#')
          fill_rect(x + column * scale, y + row * scale, scale, scale, c);
    x += 4L * scale;
  }
}

void Image::paste(const Image& other, long x, long y) {
  for (std::size_t yy = 0; yy < other.height(); ++yy)
    for (std::size_t xx = 0; xx < other.width(); ++xx)
      set(x + static_cast<long>(xx), y + static_cast<long>(yy), other.at(xx, yy));
}

long text_width(std::string_view s, int scale) {
  return s.empty() ? 0 : (4L * static_cast<long>(s.size()) - 1) * scale;
}

}  // namespace helmholtz::render
