// helmholtz check MODEL: validate a model file, then describe the network.
#include <iomanip>
#include <ostream>
#include <sstream>

#include "framework/cli/command.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {
namespace {

std::string parent_list(const Network& network, const Conditional& c) {
  if (c.parents.empty()) return "-";
  std::string out;
  for (std::size_t p : c.parents) out += (out.empty() ? "" : ", ") + network.nodes[p].name;
  return out;
}

void describe_direction(std::ostream& out, const Network& network, const DirectedModel& model,
                        const std::string& title) {
  out << title << "\n";
  out << "  " << std::left << std::setw(14) << "node" << std::setw(14) << "distribution" << std::setw(12)
      << "parameters" << "parents\n";
  for (std::size_t node : model.order) {
    const Conditional& c = model.conditionals[node];
    if (!c.distribution) continue;
    out << "  " << std::setw(14) << network.nodes[node].name << std::setw(14) << c.distribution->kind()
        << std::setw(12) << c.distribution->parameter_count() << parent_list(network, c);
    if (!c.fixed.empty()) {
      out << "  (fixed:";
      for (const auto& block : c.fixed) out << " " << block;
      out << ")";
    }
    out << "\n";
  }
}

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const std::string file = args.positional(0);
  const Network network = read_model(args, file);
  out << "model " << (network.name.empty() ? "(unnamed)" : network.name) << " (" << file << "): valid\n\n";
  out << "nodes\n";
  out << "  " << std::left << std::setw(14) << "node" << std::setw(8) << "type" << std::setw(8) << "units" << "role\n";
  for (const auto& node : network.nodes) {
    out << "  " << std::setw(14) << node.name << std::setw(8) << "binary" << std::setw(8) << node.size
        << (node.observed ? "observed" : "hidden");
    if (const auto& cue = node.cue)
      out << ", cue of " << network.nodes[cue->of].name << ": image " << cue->image_rows << "x" << cue->image_columns
          << " in cells " << cue->cell_rows << "x" << cue->cell_columns << ", on at a fraction >= "
          << format_number(cue->threshold);
    out << "\n";
  }
  out << "\n";
  describe_direction(out, network, network.generative, "generative model P (top-down, in topological order)");
  out << "\n";
  describe_direction(out, network, network.recognition,
                     std::string("recognition model Q (bottom-up, ") +
                         (network.recognition_declared ? "declared" : "generative edges reversed") + ")");
  out << "\n"
      << network.visible_units() << " visible units, " << network.hidden_units() << " hidden units, "
      << network.generative.parameter_count() << " generative and " << network.recognition.parameter_count()
      << " recognition parameters\n";
  if (const auto& t = network.training) {
    out << "trained with " << t->options.algorithm << " (optimizer " << t->options.optimizer << ") for "
        << t->epochs_completed << " epochs, seed " << t->options.seed;
    if (t->options.cue_epochs > 0) out << ", cues in the first " << t->options.cue_epochs << " epochs";
    if (!t->data_file.empty()) out << ", on " << data_source_name(t->data_file);
    out << "\n";
  }
  return 0;
}

}  // namespace

Command check_command() {
  return {{"check", "MODEL", "Validate a model file, then print its nodes, distributions and parameter counts.",
           {"MODEL"}, {}, "Exit status 0 if the model is valid; otherwise the error names the file, line and field."},
          run};
}

}  // namespace helmholtz::cli
