// helmholtz probe MODEL --data FILE --labels FILE --node NAME: how well a hidden node's
// recognised states tell the patterns' labels (framework/engines/probe.hpp);
// helmholtz probe MODEL --assemblies FILE --node NAME: how well its units' generative weights
// pick out planted cell assemblies (framework/engines/assembly_recovery.hpp).
#include <algorithm>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "framework/cli/command.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/engines/assembly_recovery.hpp"
#include "framework/engines/probe.hpp"
#include "framework/io/assemblies_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/json_writer.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"
#include "framework/io/text_lines.hpp"

namespace helmholtz::cli {
namespace {

// One whole number per line (`helmholtz data ... --labels FILE` writes them), '#' comments
// and blank lines skipped; a negative label leaves its pattern out.
std::vector<int> read_labels(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open labels file '" + file + "'");
  std::vector<int> labels;
  std::string line;
  for (std::size_t number = 1; read_text_line(in, line, file, number); ++number) {
    const std::string text = line.substr(0, line.find('#'));
    const std::size_t begin = text.find_first_not_of(" \t\r"), end = text.find_last_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    const std::string word = text.substr(begin, end - begin + 1);
    std::size_t used = 0;
    long value = 0;
    try {
      value = std::stol(word, &used);
    } catch (const std::logic_error&) {
      used = 0;
    }
    if (used != word.size() || value < -1000000 || value > 1000000)
      throw Error(file + ", line " + std::to_string(number) + ": '" + word + "' is not a label (a whole number)");
    labels.push_back(static_cast<int>(value));
  }
  return labels;
}

// Options of the other mode are mistakes, not something to ignore.
void reject_label_options(const Arguments& args) {
  for (const char* option : {"--data", "--labels", "--samples", "--seed"})
    if (args.has(option))
      throw UsageError(std::string("helmholtz probe: ") + option +
                       " does not apply with --assemblies, which reads the weights, not patterns");
}

void reject_assembly_options(const Arguments& args) {
  if (args.has("--observed")) throw UsageError("helmholtz probe: --observed applies with --assemblies only");
}

std::size_t node_named(const Network& network, const std::string& model_file, const std::string& name) {
  for (std::size_t i = 0; i < network.nodes.size(); ++i)
    if (network.nodes[i].name == name) return i;
  throw UsageError("helmholtz probe: " + model_file + " has no node '" + name + "'");
}

std::size_t hidden_node(const Network& network, const std::string& model_file, const Arguments& args) {
  const std::string name = args.text("--node");
  const std::size_t node = node_named(network, model_file, name);
  if (network.nodes[node].observed)
    throw UsageError("helmholtz probe: node '" + name + "' is observed; probe a hidden node");
  return node;
}

// --observed NAME, or the network's only observed node.
std::size_t observed_node(const Network& network, const std::string& model_file, const Arguments& args) {
  if (const auto name = args.optional_text("--observed")) {
    const std::size_t node = node_named(network, model_file, *name);
    if (!network.nodes[node].observed)
      throw UsageError("helmholtz probe: --observed names node '" + *name + "', which is hidden");
    return node;
  }
  const std::vector<std::size_t> observed = network.observed_nodes();
  if (observed.size() != 1) {
    std::string names;
    for (std::size_t node : observed) names += (names.empty() ? "" : ", ") + network.nodes[node].name;
    throw UsageError("helmholtz probe: " + model_file + " has " + std::to_string(observed.size()) +
                     " observed nodes (" + names + "): name the channels' node with --observed NAME");
  }
  return observed.front();
}

std::string channel_list(const std::vector<std::size_t>& channels) {
  std::string text;
  for (std::size_t c : channels) {
    if (!text.empty()) text += ' ';
    text += std::to_string(c);
  }
  return text;
}

int run_assemblies(const Arguments& args, std::ostream& out) {
  reject_label_options(args);
  const std::string model_file = args.positional(0);
  const Network network = read_model(args, model_file);
  const std::size_t node = hidden_node(network, model_file, args), observed = observed_node(network, model_file, args);
  const std::string& node_name = network.nodes[node].name;
  const std::string& observed_name = network.nodes[observed].name;
  const Matrix weights = generative_weights(network, node, observed);
  const std::string assemblies_file = args.text("--assemblies");
  const AssembliesFile planted =
      read_assemblies(assemblies_file, network.nodes[observed].size, "node '" + observed_name + "' of " + model_file);
  const AssemblyRecovery result = recover_assemblies(weights, planted.assemblies);
  const std::size_t count = planted.assemblies.size();
  if (args.flag("--json")) {
    Json assemblies = Json::array();
    for (std::size_t a = 0; a < count; ++a) {
      const AssemblyMatch& match = result.matches[a];
      assemblies.push_back({{"channels", planted.assemblies[a]}, {"unit", match.unit},
                            {"unit_channels", match.top_channels}, {"jaccard", match.jaccard}});
    }
    write_json(out, Json{{"model", model_file}, {"node", node_name}, {"observed", observed_name},
                         {"assemblies_file", assemblies_file}, {"assemblies", assemblies},
                         {"recovered", result.recovered}, {"count", count}, {"mean_jaccard", result.mean_jaccard}});
    return 0;
  }
  // Columns: assembly, its channels, the best unit, that unit's channels, the Jaccard.
  std::size_t width = std::string("unit's channels").size();
  for (const auto& assembly : planted.assemblies) width = std::max(width, channel_list(assembly).size());
  const int column = static_cast<int>(width) + 2;
  out << "node '" << node_name << "' of " << model_file << " against the " << count << " assemblies of "
      << assemblies_file << "\n"
      << "a unit's channels: the M channels of '" << observed_name
      << "' it has the largest generative weights to (M: the assembly's size)\n\n"
      << std::left << std::setw(10) << "assembly" << std::setw(column) << "channels" << std::setw(6) << "unit"
      << std::setw(column) << "unit's channels" << "Jaccard\n";
  for (std::size_t a = 0; a < count; ++a) {
    const AssemblyMatch& match = result.matches[a];
    out << std::setw(10) << a << std::setw(column) << channel_list(planted.assemblies[a]) << std::setw(6)
        << match.unit << std::setw(column) << channel_list(match.top_channels) << format_number(match.jaccard)
        << "\n";
  }
  out << "\nrecovered exactly (Jaccard 1): " << result.recovered << " of " << count
      << "; mean best Jaccard: " << format_number(result.mean_jaccard) << "\n";
  return 0;
}

int run_labels(const Arguments& args, std::ostream& out) {
  reject_assembly_options(args);
  const std::string model_file = args.positional(0);
  const Network network = read_model(args, model_file);
  const std::size_t node = hidden_node(network, model_file, args);
  const std::string node_name = network.nodes[node].name;
  const std::string data_file = args.text("--data"), labels_file = args.text("--labels");
  const Matrix data = read_data(data_file, network.visible_units());
  const std::vector<int> labels = read_labels(labels_file);
  if (labels.size() != data.shape(0))
    throw Error(labels_file + " has " + std::to_string(labels.size()) + " labels, " + data_source_name(data_file) +
                " has " + std::to_string(data.shape(0)) + " patterns");
  const std::size_t samples = args.count_or("--samples", 100);
  Rng rng = make_rng(args.count_or("--seed", 0, 0));
  const ProbeResult result = probe(read_node(network, data, node, samples, rng), labels);
  if (args.flag("--json")) {
    write_json(out, Json{{"model", model_file}, {"node", node_name}, {"samples", samples}, {"fitted", result.fitted},
                         {"scored", result.scored}, {"left_out", result.left_out},
                         {"centroid_accuracy", result.centroid_accuracy}, {"modal_accuracy", result.modal_accuracy},
                         {"majority_accuracy", result.majority_accuracy}});
    return 0;
  }
  out << "node '" << node_name << "' of " << model_file << ", " << samples << " recognised states per pattern\n"
      << "fitted on " << result.fitted << " patterns, scored on " << result.scored << " (" << result.left_out
      << " left out)\n"
      << "nearest centroid of the mean states: " << result.centroid_accuracy << "\n"
      << "modal sampled state:                 " << result.modal_accuracy << "\n"
      << "majority label (chance):             " << result.majority_accuracy << "\n";
  return 0;
}

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  return args.has("--assemblies") ? run_assemblies(args, out) : run_labels(args, out);
}

}  // namespace

Command probe_command() {
  return {{"probe",
           "MODEL --data FILE --labels FILE --node NAME [--samples K] [--seed S] [--json] | MODEL --assemblies FILE "
           "--node NAME [--observed NAME] [--json]",
           "How well a hidden node's recognised states tell the patterns' labels, or its units' weights planted assemblies.",
           {"MODEL"},
           {{"--data", "", "FILE", "the patterns (required without --assemblies; - for standard input)"},
            {"--labels", "", "FILE", "a whole number per pattern, negative to leave it out (required without --assemblies)"},
            {"--node", "", "NAME", "the hidden node to read (required)"},
            {"--samples", "", "K", "recognised states drawn per pattern (default 100)"},
            {"--seed", "", "S", "seed of the random generator (default 0)"},
            {"--assemblies", "", "FILE", "planted assemblies, one per line (data assemblies --planted writes them)"},
            {"--observed", "", "NAME", "with --assemblies: the observed node of the channels (default: the only one)"},
            {"--json", "", "", "print one JSON object instead of text"}},
           "The node's states are drawn K times per pattern from the recognition model. Two read-outs\n"
           "are fitted on the first half of the labelled patterns and scored on the second: the nearest\n"
           "label centroid of a pattern's mean state (its recognition probabilities), and the label most\n"
           "often carried by its modal sampled state. The majority label gives the chance level. JSON\n"
           "keys: model, node, samples, fitted, scored, left_out, centroid_accuracy, modal_accuracy,\n"
           "majority_accuracy (fractions of the scored patterns).\n\n"
           "With --assemblies FILE, the node's generative weights to the observed node are read instead.\n"
           "Each unit stands for the M channels it has the largest weights to (the lower channel first on\n"
           "a tie), M the size of the assembly, and each assembly is matched with the unit whose M\n"
           "channels overlap it most: Jaccard |A n T| / |A u T|, 1 when they are the same channels (the\n"
           "lowest unit on a tie). An assembly is recovered when its best Jaccard is 1. JSON keys: model,\n"
           "node, observed, assemblies_file, assemblies (per assembly: channels, unit, unit_channels,\n"
           "jaccard), recovered, count, mean_jaccard."},
          run};
}

}  // namespace helmholtz::cli
