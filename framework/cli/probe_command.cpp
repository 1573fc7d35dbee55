// helmholtz probe MODEL --data FILE --labels FILE --node NAME: how well a hidden node's
// recognised states tell the patterns' labels (framework/engines/probe.hpp).
#include <fstream>
#include <ostream>

#include "framework/cli/command.hpp"
#include "framework/engines/probe.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/json_writer.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {
namespace {

// One whole number per line (`helmholtz data ... --labels FILE` writes them), '#' comments
// and blank lines skipped; a negative label leaves its pattern out.
std::vector<int> read_labels(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open labels file '" + file + "'");
  std::vector<int> labels;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
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

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const std::string model_file = args.positional(0);
  const Network network = read_model(model_file);
  const std::string node_name = args.text("--node");
  std::size_t node = network.nodes.size();
  for (std::size_t i = 0; i < network.nodes.size(); ++i)
    if (network.nodes[i].name == node_name) node = i;
  if (node == network.nodes.size()) throw UsageError("helmholtz probe: " + model_file + " has no node '" + node_name + "'");
  if (network.nodes[node].observed)
    throw UsageError("helmholtz probe: node '" + node_name + "' is observed; probe a hidden node");
  const std::string data_file = args.text("--data"), labels_file = args.text("--labels");
  const Matrix data = read_data(data_file, network.visible_units());
  const std::vector<int> labels = read_labels(labels_file);
  if (labels.size() != data.shape(0))
    throw Error(labels_file + " has " + std::to_string(labels.size()) + " labels, " + data_file + " has " +
                std::to_string(data.shape(0)) + " patterns");
  const std::size_t samples = args.count_or("--samples", 100);
  Rng rng = make_rng(args.count_or("--seed", 0, 0));
  const ProbeResult result = probe(read_node(network, data, node, samples, rng), labels);
  if (args.flag("--json")) {
    JsonWriter json(out);
    json.begin_object();
    json.key("model").value(model_file);
    json.key("node").value(node_name);
    json.key("samples").value(static_cast<std::uint64_t>(samples));
    json.key("fitted").value(static_cast<std::uint64_t>(result.fitted));
    json.key("scored").value(static_cast<std::uint64_t>(result.scored));
    json.key("left_out").value(static_cast<std::uint64_t>(result.left_out));
    json.key("centroid_accuracy").value(result.centroid_accuracy);
    json.key("modal_accuracy").value(result.modal_accuracy);
    json.key("majority_accuracy").value(result.majority_accuracy);
    json.end_object();
    json.finish();
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

}  // namespace

Command probe_command() {
  return {{"probe",
           "MODEL --data FILE --labels FILE --node NAME [--samples K] [--seed S] [--json]",
           "How well a hidden node's recognised states tell the patterns' labels.",
           {"MODEL"},
           {{"--data", "", "FILE", "the patterns (required)"},
            {"--labels", "", "FILE", "a whole number per pattern, negative to leave it out (required)"},
            {"--node", "", "NAME", "the hidden node to read (required)"},
            {"--samples", "", "K", "recognised states drawn per pattern (default 100)"},
            {"--seed", "", "S", "seed of the random generator (default 0)"},
            {"--json", "", "", "print one JSON object instead of text"}},
           "The node's states are drawn K times per pattern from the recognition model. Two read-outs\n"
           "are fitted on the first half of the labelled patterns and scored on the second: the nearest\n"
           "label centroid of a pattern's mean state (its recognition probabilities), and the label most\n"
           "often carried by its modal sampled state. The majority label gives the chance level. JSON\n"
           "keys: model, node, samples, fitted, scored, left_out, centroid_accuracy, modal_accuracy,\n"
           "majority_accuracy (fractions of the scored patterns)."},
          run};
}

}  // namespace helmholtz::cli
