#include "framework/render/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "framework/error.hpp"

namespace helmholtz::render {
namespace {

constexpr Colour ink = Colour::grey(0), grid = Colour::grey(225);
// Colours a reader tells apart, also in grey print (dark to light).
constexpr Colour palette[] = {{0, 90, 181}, {220, 50, 32}, {0, 150, 60}, {150, 80, 200}, {230, 140, 0}, {90, 90, 90}};
constexpr int scale = 2;  // font pixels of 2 x 2

std::string tick_text(double v, double step) {
  char text[32];
  // As many decimals as the step needs, none for whole steps.
  const int decimals = step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return std::string(text) == "-0" ? "0" : text;
}

}  // namespace

std::vector<double> ticks(double low, double high, int target) {
  if (!(high > low)) {  // one value: a tick at it and one each side
    const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
    return ticks(low - pad, high + pad, target);
  }
  const double raw = (high - low) / std::max(target - 1, 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  // From the round value at or below low to the first at or above high, so that every
  // point lies inside the axes.
  const long first = static_cast<long>(std::floor(low / step + 1e-9)), last = static_cast<long>(std::ceil(high / step - 1e-9));
  std::vector<double> out;
  for (long k = first; k <= std::max(last, first + 1); ++k) out.push_back(static_cast<double>(k) * step);
  return out;
}

Image line_chart(const std::vector<Series>& series, const std::string& title, const std::string& x_label,
                 const std::string& y_label, long width, long height) {
  double x_low = std::numeric_limits<double>::infinity(), x_high = -x_low, y_low = x_low, y_high = -x_low;
  for (const Series& s : series)
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        x_low = std::min(x_low, s.x[i]);
        x_high = std::max(x_high, s.x[i]);
        y_low = std::min(y_low, s.y[i]);
        y_high = std::max(y_high, s.y[i]);
      }
  if (!std::isfinite(x_low)) throw Error("render: nothing to plot (no series has a finite value)");
  const std::vector<double> x_ticks = ticks(x_low, x_high), y_ticks = ticks(y_low, y_high);
  const double x0 = x_ticks.front(), x1 = x_ticks.back(), y0 = y_ticks.front(), y1 = y_ticks.back();
  const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1, x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;

  long label_width = 0;
  for (double t : y_ticks) label_width = std::max(label_width, text_width(tick_text(t, y_step), scale));
  const long legend_height = static_cast<long>(series.size()) * (text_height(scale) + 6);
  const long left = 20 + text_height(scale) + label_width + 12, right = width - 20;
  const long top = 16 + text_height(scale) + 12, bottom = height - 24 - 2 * text_height(scale) - legend_height - 8;
  if (bottom - top < 40) throw Error("render: the chart is too small for " + std::to_string(series.size()) + " series");
  Image image(static_cast<std::size_t>(width), static_cast<std::size_t>(height));
  auto px = [&](double x) { return left + std::lround((x - x0) / (x1 - x0) * static_cast<double>(right - left)); };
  auto py = [&](double y) { return bottom - std::lround((y - y0) / (y1 - y0) * static_cast<double>(bottom - top)); };

  image.text((width - text_width(title, scale)) / 2, 12, title, ink, scale);
  for (double t : y_ticks) {  // horizontal grid lines and the y values
    image.line(left, py(t), right, py(t), grid);
    const std::string label = tick_text(t, y_step);
    image.text(left - 8 - text_width(label, scale), py(t) - text_height(scale) / 2, label, ink, scale);
  }
  for (double t : x_ticks) {
    image.line(px(t), top, px(t), bottom, grid);
    const std::string label = tick_text(t, x_step);
    image.text(px(t) - text_width(label, scale) / 2, bottom + 6, label, ink, scale);
  }
  image.line(left, top, left, bottom, ink);  // the axes
  image.line(left, bottom, right, bottom, ink);
  image.text((left + right - text_width(x_label, scale)) / 2, bottom + 8 + text_height(scale) + 6, x_label, ink, scale);
  // The y label, written vertically one character per line at the left edge.
  const long y_label_top = (top + bottom) / 2 - static_cast<long>(y_label.size()) * (text_height(scale) + 2) / 2;
  for (std::size_t i = 0; i < y_label.size(); ++i)
    image.text(12, y_label_top + static_cast<long>(i) * (text_height(scale) + 2), std::string(1, y_label[i]), ink, scale);

  long legend_y = height - 12 - legend_height;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const Colour colour = palette[k % std::size(palette)];
    for (std::size_t i = 1; i < s.x.size(); ++i)  // a gap where a value is missing
      if (std::isfinite(s.y[i - 1]) && std::isfinite(s.y[i]))
        for (long d = 0; d < 2; ++d)  // two pixels thick
          image.line(px(s.x[i - 1]), py(s.y[i - 1]) + d, px(s.x[i]), py(s.y[i]) + d, colour);
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.y[i]) && s.x.size() <= 60) image.fill_rect(px(s.x[i]) - 2, py(s.y[i]) - 2, 5, 5, colour);
    image.fill_rect(left, legend_y + 2, 24, 4, colour);
    image.text(left + 32, legend_y, s.name, ink, scale);
    legend_y += text_height(scale) + 6;
  }
  return image;
}

}  // namespace helmholtz::render
