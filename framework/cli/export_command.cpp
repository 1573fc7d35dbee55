// helmholtz export MODEL --format uai -o OUT.uai [--evidence DATA [--pattern I]]: the
// generative network in a format other programs read (framework/io/uai_file.hpp).
#include <algorithm>
#include <optional>
#include <ostream>
#include <span>

#include "framework/cli/command.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/cli/interrupt.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "framework/io/uai_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {
namespace {

const std::vector<std::string> formats = {"uai"};

std::string format_list() {
  std::string out;
  for (const auto& f : formats) out += (out.empty() ? "" : ", ") + f;
  return out;
}

// "variables 5-8  data, units 0-3 (observed)"
std::string variable_line(const Network& network, std::size_t node) {
  const Node& n = network.nodes[node];
  const std::size_t first = uai_variable(network, node, 0), last = first + n.size - 1;
  const std::string range = n.size == 1 ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
  const std::string units = n.size == 1 ? "unit 0" : "units 0-" + std::to_string(n.size - 1);
  return "  " + std::string(n.size == 1 ? "variable  " : "variables ") + range + "  " + n.name + ", " + units +
         (n.observed ? " (observed)" : "") + "\n";
}

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const std::atomic<bool>& interrupted = interrupt_flag();  // first, so Ctrl-C is never fatal
  if (!args.has("--format"))
    throw UsageError("helmholtz export: missing --format (available: " + format_list() + ")");
  const std::string format = args.text("--format");
  if (std::find(formats.begin(), formats.end(), format) == formats.end())
    throw UsageError("helmholtz export: unknown format '" + format + "' (available: " + format_list() + ")");
  const std::string output = args.text("--output");
  const std::optional<std::string> evidence_file = args.optional_text("--evidence");
  if (args.has("--pattern") && !evidence_file)
    throw UsageError("helmholtz export: --pattern chooses a pattern of the --evidence file; give --evidence DATA");
  const std::uint64_t pattern = args.count_or("--pattern", 0, 0);
  UaiOptions options;
  options.max_table_entries = args.count_or("--max-table-entries", options.max_table_entries, 2);
  options.interrupt = &interrupted;
  const std::string evidence_output = output + ".evid";
  take_closed_pipe_as_write_error();
  check_writable(output);  // before the work, not after
  if (evidence_file) check_writable(evidence_output);

  const Network network = read_model(args, args.positional(0));
  try {
    check_uai_table_sizes(network, options.max_table_entries);
  } catch (const UaiTableTooLarge& e) {
    throw Error(std::string(e.what()) + " (raise it with --max-table-entries N)");
  }
  std::string evidence;
  if (evidence_file) {
    const ByteMatrix data = read_patterns(*evidence_file, network.visible_units());
    const std::size_t patterns = data.shape(0);
    if (pattern >= patterns)
      throw UsageError("helmholtz export: --pattern is " + std::to_string(pattern) + ", but " + *evidence_file +
                       " has " + std::to_string(patterns) + (patterns == 1 ? " pattern" : " patterns") +
                       " (--pattern 0 to " + std::to_string(patterns - 1) + ", the first is 0)");
    const std::size_t width = data.shape(1);
    evidence = uai_evidence(network, std::span<const std::uint8_t>(data.data() + pattern * width, width));
  }

  AtomicFile file(output);
  write_uai_model(network, [&file](std::string_view piece) { file.write(piece); }, options);
  file.commit();
  if (evidence_file) write_file_atomically(evidence_output, evidence);

  std::size_t variables = 0;
  for (const Node& node : network.nodes) variables += node.size;
  out << output << ": a Bayes net of " << variables << " binary variables, one table P(unit | parent units) each\n";
  for (std::size_t node = 0; node < network.nodes.size(); ++node) out << variable_line(network, node);
  if (evidence_file)
    out << evidence_output << ": pattern " << pattern << " of " << *evidence_file << " observed on "
        << network.visible_units() << " variables\n";
  return 0;
}

}  // namespace

Command export_command() {
  return {{"export",
           "MODEL --format uai -o OUT.uai [--evidence DATA [--pattern I]] [--max-table-entries N]",
           "Write the generative network for other programs: a UAI Bayes net, and a data pattern as its evidence.",
           {"MODEL"},
           {{"--format", "", "NAME", "the file format (required): uai, the Bayes-net format of the UAI evaluations"},
            {"--output", "-o", "OUT.uai", "where to write the network (required; written atomically)"},
            {"--evidence", "", "DATA", "also write OUT.uai.evid, a pattern of this data file as evidence on the observed units"},
            {"--pattern", "", "I", "which pattern of DATA, counting from 0 (default 0)"},
            {"--max-table-entries", "", "N", "refuse a network whose largest table has more than N entries (default 16777216 = 2^24)"}},
           "One variable per unit, of cardinality 2 (0 off, 1 on), numbered by node in declaration order\n"
           "and by unit within a node (the columns of `helmholtz sample --all-nodes`); the output lists\n"
           "the numbers of each node's units. One table per unit, P(unit | its node's parent units),\n"
           "with 2^(K+1) entries for K parent units, computed by the node's distribution. The evidence\n"
           "file is in the UAI 2008 format: the number of observed units, then 'VARIABLE VALUE' for each.\n"
           "Check it with toulbar2: `toulbar2 OUT.uai OUT.uai.evid -logz` prints log p(pattern) in nats\n"
           "(docs/exporting.md)."},
          run};
}

}  // namespace helmholtz::cli
