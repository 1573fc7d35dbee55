// helmholtz render patterns|fantasies|weights FILE -o OUT.png: the figures of the papers, as
// PNG (framework/render/).
#include <algorithm>
#include <cmath>
#include <ostream>

#include "framework/cli/command.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "framework/patterns.hpp"
#include "framework/render/figures.hpp"
#include "framework/render/png.hpp"
#include "plugins/builtin.hpp"

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

Matrix first_patterns(const Matrix& data, std::size_t count) {
  count = std::min(count, data.shape(0));
  Matrix out = Matrix::from_shape({count, data.shape(1)});
  std::copy(data.data(), data.data() + count * data.shape(1), out.data());
  return out;
}

render::Image patterns_figure(const Arguments& args, const std::string& file) {
  if (!args.has("--shape"))
    throw UsageError("helmholtz render patterns: --shape ROWSxCOLUMNS is required (the patterns' width)");
  const render::Shape shape = render::parse_shape(args.text("--shape"));
  const Matrix data = first_patterns(read_data(file, shape.size()), args.count_or("-n", default_count));
  return render::pattern_grid(data, shape, grid_columns(args, data.shape(0)), "DATA", cell_pixels(args, 4));
}

// Fig. 1B: data patterns beside fantasies of the model.
render::Image fantasies_figure(const Arguments& args, const std::string& model_file) {
  const Network network = read_model(model_file);
  const std::size_t width = network.visible_units(), count = args.count_or("-n", default_count);
  const render::Shape shape =
      args.has("--shape") ? render::parse_shape(args.text("--shape"), width) : render::default_shape(width);
  Rng rng = make_rng(args.count("--seed", 0));
  const Matrix fantasies = sample_visible(network, count, rng);
  const int cell = cell_pixels(args, 4);
  const render::Image right =
      render::pattern_grid(fantasies, shape, grid_columns(args, count), "FANTASIES", cell);
  if (!args.has("--data")) return right;
  const Matrix data = first_patterns(read_data(args.text("--data"), width), count);
  return render::beside(render::pattern_grid(data, shape, grid_columns(args, count), "DATA", cell), right);
}

render::Image weights_figure(const Arguments& args, const std::string& model_file) {
  const Network network = read_model(model_file);
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

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const std::string kind = args.positional(0), file = args.positional(1);
  const std::string output = args.text("-o");
  render::Image image = kind == "patterns"    ? patterns_figure(args, file)
                        : kind == "fantasies" ? fantasies_figure(args, file)
                        : kind == "weights"   ? weights_figure(args, file)
                                              : throw UsageError("helmholtz render: unknown figure '" + kind +
                                                                 "' (available: patterns, fantasies, weights)");
  render::write_png(output, image);
  out << output << ": " << image.width() << " x " << image.height() << " pixels\n";
  return 0;
}

}  // namespace

Command render_command() {
  return {{"render",
           "patterns|fantasies|weights FILE -o OUT.png [--shape RxC] [-n N] [--seed S] [--data FILE]",
           "Draw a figure as PNG: data patterns, fantasies beside data, or weight diagrams.",
           {"FIGURE", "FILE"},
           {{"-o", "", "OUT.png", "the PNG file to write (required; written atomically)"},
            {"--shape", "", "RxC", "rows x columns of a pattern (e.g. 8x8); required for patterns"},
            {"-n", "", "N", "patterns or fantasies to show (default 36)"},
            {"--columns", "", "N", "patterns per row of the grid (default: a near square)"},
            {"--seed", "", "S", "seed of the fantasies (default 0)"},
            {"--data", "", "FILE", "fantasies: data patterns to show beside them"},
            {"--direction", "", "D", "weights: generative, recognition or both (default both)"},
            {"--cell", "", "PIXELS", "pixels per unit (default 4 for patterns, 8 for weights)"}},
           "Figures:\n"
           "  patterns DATA --shape RxC        the first N patterns of a data file as a grid (on: black)\n"
           "  fantasies MODEL [--data DATA]    N fantasies of the model, beside N data patterns if given\n"
           "                                   (Fig. 1B of Dayan, Hinton, Neal & Zemel 1995)\n"
           "  weights MODEL                    for each node and parent node with weights, one small image\n"
           "                                   per unit of the upper layer laid out in the lower layer's shape\n"
           "                                   (--shape for the data, near squares otherwise); a square per\n"
           "                                   weight, white positive, black negative, area proportional to\n"
           "                                   the magnitude; the largest magnitude in each panel's title\n"
           "                                   (Fig. 4 of the same paper)."},
          run};
}

}  // namespace helmholtz::cli
