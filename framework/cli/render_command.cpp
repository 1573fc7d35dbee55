// helmholtz render patterns|fantasies|weights FILE -o OUT.png: the figures of the papers, as
// PNG (framework/render/).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <ostream>

#include "framework/cli/command.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "framework/patterns.hpp"
#include "framework/render/chart.hpp"
#include "framework/render/figures.hpp"
#include "framework/render/png.hpp"
#include "plugins/builtin.hpp"
#include "framework/io/text_lines.hpp"

namespace helmholtz::cli {
namespace {

constexpr std::size_t default_count = 36;  // patterns or fantasies shown

std::size_t grid_columns(const Arguments& args, std::size_t count) {
  const auto automatic = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(std::max<std::size_t>(count, 1)))));
  return static_cast<std::size_t>(args.count_or("--columns", automatic));
}

int cell_pixels(const Arguments& args, int fallback) {
  const std::uint64_t cell = args.count_or("--cell", static_cast<std::uint64_t>(fallback));
  if (cell > 64) throw UsageError("helmholtz render: --cell must be at most 64 pixels");
  return static_cast<int>(cell);
}

render::Image patterns_figure(const Arguments& args, const std::string& file) {
  if (!args.has("--shape"))
    throw UsageError("helmholtz render patterns: --shape ROWSxCOLUMNS is required (the patterns' width)");
  const render::Shape shape = render::parse_shape(args.text("--shape"));
  const Matrix data = first_rows(read_patterns(file, shape.size()), args.count_or("-n", default_count));
  return render::pattern_grid(data, shape, grid_columns(args, data.shape(0)), "DATA", cell_pixels(args, 4));
}

// Fig. 1B: data patterns beside fantasies of the model.
render::Image fantasies_figure(const Arguments& args, const std::string& model_file) {
  const Network network = read_model(args, model_file);
  const std::size_t width = network.visible_units(), count = args.count_or("-n", default_count);
  const render::Shape shape =
      args.has("--shape") ? render::parse_shape(args.text("--shape"), width) : render::default_shape(width);
  Rng rng = make_rng(args.count_or("--seed", 0, 0));
  const Matrix fantasies = sample_visible(network, count, rng);
  const int cell = cell_pixels(args, 4);
  const render::Image right =
      render::pattern_grid(fantasies, shape, grid_columns(args, count), "FANTASIES", cell);
  if (!args.has("--data")) return right;
  const Matrix data = first_rows(read_patterns(args.text("--data"), width), count);
  return render::beside(render::pattern_grid(data, shape, grid_columns(args, count), "DATA", cell), right);
}

render::Image weights_figure(const Arguments& args, const std::string& model_file) {
  const Network network = read_model(args, model_file);
  const std::string direction = args.optional_text("--direction").value_or("both");
  if (direction != "both" && direction != "generative" && direction != "recognition")
    throw UsageError("helmholtz render: --direction must be generative, recognition or both, not '" + direction + "'");
  const std::string shape = args.optional_text("--shape").value_or("");
  if (!shape.empty()) render::parse_shape(shape);  // a malformed shape is an error even if no layer uses it
  const int cell = cell_pixels(args, 8);
  std::vector<render::Image> panels;
  if (direction != "recognition")
    panels.push_back(render::weight_diagrams(network, render::Direction::generative, shape, cell));
  if (direction != "generative")
    panels.push_back(render::weight_diagrams(network, render::Direction::recognition, shape, cell));
  return render::stacked(panels, 20);
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(separator, start);
    cells.push_back(line.substr(start, end - start));
    if (end == std::string::npos) return cells;
    start = end + 1;
  }
}

// A `train --log` CSV: a header of column names, then one row of numbers per epoch (an empty
// cell: not measured that epoch). Every column but epoch and seconds is a series, or those
// --series names.
render::Image curve_figure(const Arguments& args, const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open learning curve '" + file + "'");
  std::string line;
  if (!read_text_line(in, line, file, 1)) throw Error(file + ": empty, expected a header line (epoch,seconds,...)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string> header = split(line, ',');
  if (header.empty() || header[0] != "epoch")
    throw Error(file + ":1: the first column must be 'epoch' (a CSV written by train --log)");
  std::vector<render::Series> all(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) all[c].name = header[c];
  for (std::size_t number = 2; read_text_line(in, line, file, number); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line, ',');
    if (cells.size() != header.size())
      throw Error(file + ":" + std::to_string(number) + ": " + std::to_string(cells.size()) + " cells, the header has " +
                  std::to_string(header.size()));
    double epoch = 0;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      double value = std::numeric_limits<double>::quiet_NaN();
      if (!cells[c].empty()) {
        std::size_t used = 0;
        try {
          value = std::stod(cells[c], &used);
        } catch (const std::logic_error&) {
          used = 0;
        }
        if (used != cells[c].size())
          throw Error(file + ":" + std::to_string(number) + ": column '" + header[c] + "': '" + cells[c] +
                      "' is not a number");
      }
      if (c == 0) epoch = value;
      all[c].x.push_back(epoch);
      all[c].y.push_back(value);
    }
  }
  std::vector<render::Series> chosen;
  if (const auto wanted = args.optional_text("--series")) {
    for (const std::string& name : split(*wanted, ',')) {
      const auto it = std::find_if(all.begin(), all.end(), [&](const render::Series& s) { return s.name == name; });
      if (it == all.end() || name == "epoch") {
        std::string known;
        for (std::size_t c = 1; c < header.size(); ++c) known += (c > 1 ? ", " : "") + header[c];
        throw UsageError("helmholtz render: --series '" + name + "' is not a column of " + file + " (" + known + ")");
      }
      chosen.push_back(*it);
    }
  } else {
    for (std::size_t c = 1; c < all.size(); ++c)
      if (all[c].name != "seconds" &&
          std::any_of(all[c].y.begin(), all[c].y.end(), [](double v) { return std::isfinite(v); }))
        chosen.push_back(all[c]);
  }
  for (render::Series& s : chosen) std::replace(s.name.begin(), s.name.end(), '_', ' ');
  return render::line_chart(chosen, "LEARNING CURVE", "EPOCH", args.optional_text("--y-label").value_or("NATS PER PATTERN"));
}

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const std::string kind = args.positional(0), file = args.positional(1);
  const std::string output = args.text("-o");
  if (kind != "patterns" && kind != "fantasies" && kind != "weights" && kind != "curve")
    throw UsageError("helmholtz render: unknown figure '" + kind + "' (available: patterns, fantasies, weights, curve)");
  check_writable(output);  // before reading and drawing, not after
  render::Image image = kind == "patterns"    ? patterns_figure(args, file)
                        : kind == "fantasies" ? fantasies_figure(args, file)
                        : kind == "weights"   ? weights_figure(args, file)
                                              : curve_figure(args, file);
  render::write_png(output, image);
  out << output << ": " << image.width() << " x " << image.height() << " pixels\n";
  return 0;
}

}  // namespace

Command render_command() {
  return {{"render",
           "patterns|fantasies|weights|curve FILE -o OUT.png [--shape RxC] [-n N] [--seed S] [--data FILE]",
           "Draw a figure as PNG: data patterns, fantasies beside data, weight diagrams or a learning curve.",
           {"FIGURE", "FILE"},
           {{"-o", "", "OUT.png", "the PNG file to write (required; written atomically)"},
            {"--shape", "", "RxC", "rows x columns of a pattern (e.g. 8x8); required for patterns"},
            {"-n", "", "N", "patterns or fantasies to show (default 36)"},
            {"--columns", "", "N", "patterns per row of the grid (default: a near square)"},
            {"--seed", "", "S", "seed of the fantasies (default 0)"},
            {"--data", "", "FILE", "fantasies: data patterns to show beside them (- for standard input)"},
            {"--direction", "", "D", "weights: generative, recognition or both (default both)"},
            {"--cell", "", "PIXELS", "pixels per unit (default 4 for patterns, 8 for weights)"},
            {"--series", "", "A,B", "curve: the columns to plot (default: every column but epoch and seconds)"},
            {"--y-label", "", "TEXT", "curve: the label of the y axis (default NATS PER PATTERN)"}},
           "Figures:\n"
           "  patterns DATA --shape RxC        the first N patterns of a data file as a grid (on: black)\n"
           "  fantasies MODEL [--data DATA]    N fantasies of the model, beside N data patterns if given\n"
           "                                   (Fig. 1B of Dayan, Hinton, Neal & Zemel 1995)\n"
           "  weights MODEL                    for each node and parent node with weights, one small image\n"
           "                                   per unit of the upper layer laid out in the lower layer's shape\n"
           "                                   (--shape for the data, near squares otherwise); a square per\n"
           "                                   weight, white positive, black negative, area proportional to\n"
           "                                   the magnitude; the largest magnitude in each panel's title\n"
           "                                   (Fig. 4 of the same paper).\n"
           "  curve LOG.csv                    the learning curve that train --log wrote: a line per column\n"
           "                                   against the epoch, with axes, round ticks and a legend."},
          run};
}

}  // namespace helmholtz::cli
