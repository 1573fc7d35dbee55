// helmholtz data GENERATOR -n N --seed S: the classic data sets of the Helmholtz machine papers.
#include <ostream>
#include <sstream>

#include "framework/cli/command.hpp"
#include "framework/datasets/bars.hpp"
#include "framework/datasets/shifter.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"

namespace helmholtz::cli {
namespace {

double probability(const Arguments& args, const std::string& name, double fallback) {
  const double p = args.real_or(name, fallback);
  if (!(p >= 0.0 && p <= 1.0)) throw UsageError("helmholtz data: " + name + " must be in [0, 1]");
  return p;
}

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const std::string generator = args.positional(0);
  const std::uint64_t patterns = args.count("-n");
  const std::uint64_t seed = args.count("--seed", 0);
  Rng rng = make_rng(seed);
  auto only_for = [&](const std::string& option, const std::string& owner) {
    if (args.has(option) && generator != owner)
      throw UsageError("helmholtz data: " + option + " applies to the " + owner + " generator only");
  };
  only_for("--labels", "shifter");
  only_for("--size", "bars");
  only_for("--bar-probability", "bars");
  only_for("--vertical-probability", "bars");
  if (generator == "shifter") {
    std::vector<bool> right;
    datasets::ShifterOptions options;
    options.on_probability = probability(args, "--on-probability", options.on_probability);
    const Matrix data = datasets::shifter(patterns, rng, right, options);
    out << "# shifter (Dayan et al. 1995): 4 rows of 8 pixels, top row first; seed " << seed << "\n";
    write_patterns(out, data);
    if (const auto labels = args.optional_text("--labels")) {
      std::ostringstream text;
      text << "# shift direction of each pattern: 1 = right, 0 = left; seed " << seed << "\n";
      for (bool r : right) text << (r ? "1\n" : "0\n");
      write_file_atomically(*labels, text.str());
    }
    return 0;
  }
  if (generator == "bars") {
    datasets::BarsOptions options;
    options.size = args.count_or("--size", options.size);
    options.bar_probability = probability(args, "--bar-probability", options.bar_probability);
    options.vertical_probability = probability(args, "--vertical-probability", options.vertical_probability);
    const Matrix data = datasets::bars(patterns, rng, options);
    out << "# bars: " << options.size << "x" << options.size << " image, row by row; seed " << seed << "\n";
    write_patterns(out, data);
    return 0;
  }
  throw UsageError("helmholtz data: unknown generator '" + generator + "' (available: shifter, bars)");
}

}  // namespace

Command data_command() {
  return {{"data",
           "GENERATOR -n N --seed S [options]",
           "Write N patterns of a classic data set (shifter, bars) in the data-file format.",
           {"GENERATOR"},
           {{"-n", "", "N", "number of patterns (required)"},
            {"--seed", "", "S", "seed of the random generator (required)"},
            {"--labels", "", "FILE", "shifter: also write the shift direction of each pattern (1 right, 0 left)"},
            {"--on-probability", "", "P", "shifter: probability that a pixel of the bottom row is on (default 0.2)"},
            {"--size", "", "S", "bars: the image is S x S (default 4)"},
            {"--bar-probability", "", "P", "bars: probability that each bar is on (default 0.2)"},
            {"--vertical-probability", "", "P", "bars: probability of vertical bars (default 0.5)"}},
           "Generators:\n"
           "  shifter  Dayan et al. 1995, Fig. 1: 4 rows of 8 pixels (32 units), top row first. The bottom row\n"
           "           is random, the top row is it shifted one pixel left or right with wraparound, and the\n"
           "           two middle rows copy the outer rows.\n"
           "  bars     S x S images (16 units by default), row by row: vertical or horizontal bars, each bar\n"
           "           of the chosen orientation on independently."},
          run};
}

}  // namespace helmholtz::cli
