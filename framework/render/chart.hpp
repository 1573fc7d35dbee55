#pragma once
// Line charts for learning curves (`helmholtz render curve`): one coloured line per series
// against a common x axis, with ticks at round numbers, their values, axis labels and a
// legend, so that a reader needs nothing else to read the figure.
#include <string>
#include <vector>

#include "framework/render/image.hpp"

namespace helmholtz::render {

struct Series {
  std::string name;
  std::vector<double> x, y;  // the same length; a non-finite y is a gap in the line
};

// Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten, about
// `target` of them.
std::vector<double> ticks(double low, double high, int target = 6);

// Throws Error when no series has a finite point.
Image line_chart(const std::vector<Series>& series, const std::string& title, const std::string& x_label,
                 const std::string& y_label, long width = 640, long height = 400);

}  // namespace helmholtz::render
