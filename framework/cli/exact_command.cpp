// helmholtz exact MODEL (--data FILE | --all-patterns) [--json] [--posterior]: the true
// log-likelihood by enumerating the hidden configurations.
#include <cmath>
#include <iomanip>
#include <ostream>

#include "framework/cli/command.hpp"
#include "framework/means.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/cli/dataset_options.hpp"
#include "framework/datasets/dataset.hpp"
#include "framework/cli/interrupt.hpp"
#include "framework/cli/job.hpp"
#include "framework/cli/progress.hpp"
#include "framework/cli/time_limit.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/json_writer.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {
namespace {

// --all-patterns checks that the probabilities of all visible patterns sum to 1 this closely.
constexpr double total_probability_tolerance = 1e-9;

std::string bits(const Matrix& m, std::size_t row) {
  std::string out;
  for (std::size_t c = 0; c < m.shape(1); ++c) out += m(row, c) != 0.0 ? '1' : '0';
  return out;
}

// Refuses, before any of it is done, an enumeration estimated to take longer than --max-seconds.
// In a job of several ranks, every rank has read its input by now (job_ready), and the
// estimate is the whole job's, the same on every rank.
void check_time(const Arguments& args, const Network& network, const Matrix& patterns, const ExactOptions& options) {
  const double limit = max_seconds(args, "exact");
  job_ready();
  ExactCost cost;
  {
    const CollectiveWork work;
    cost = estimate_exact_cost(network, patterns, options);
  }
  if (cost.seconds > limit)
    throw Error("exact enumeration of " + describe_exact_cost(cost) + ", more than --max-seconds " + format_number(limit) +
                "; give a larger --max-seconds to run it anyway");
}

// A pattern the model gives probability 0 has no posterior: its marginals are 0/0.
bool impossible(const ExactResult& result, std::size_t n) {
  return std::isinf(result.log_likelihood(n)) && result.log_likelihood(n) < 0;
}

// --kl-from GENERATOR: KL(data || model) over the generator's exact distribution.
int run_divergence(const Arguments& args, const Network& network, ExactOptions options, std::ostream& out,
                   std::ostream& err) {
  const std::string name = args.text("--kl-from");
  const DatasetGenerator& generator = dataset_generator(name, "helmholtz exact");
  if (!generator.distribution)
    throw UsageError("helmholtz exact: the " + name + " generator cannot list its distribution exactly");
  const DataDistribution distribution =
      generator.distribution(dataset_parameter_values(args, generator, "helmholtz exact"));
  if (distribution.patterns.shape(1) != network.visible_units())
    throw Error("the " + name + " patterns have " + std::to_string(distribution.patterns.shape(1)) + " units, " +
                network.name + " has " + std::to_string(network.visible_units()) + " observed units");
  check_time(args, network, distribution.patterns, options);
  Progress progress(err,
                    "exact: 2^" + std::to_string(network.hidden_units()) + " configurations x " +
                        std::to_string(distribution.patterns.shape(0)) + " patterns" + on_ranks(),
                    args.flag("--quiet"));
  options.progress = [&progress](double fraction) { progress.update(fraction); };
  const double nats = [&] {
    const CollectiveWork work;
    return divergence_from(network, distribution.patterns, distribution.probabilities, options);
  }();
  progress.finish();
  const double bits = nats / std::log(2.0);
  if (args.flag("--json")) {
    write_json(out, Json{{"model", args.positional(0)}, {"kl_from", name}, {"patterns", distribution.patterns.shape(0)},
                         {"hidden_units", network.hidden_units()}, {"kl_nats", nats}, {"kl_bits", bits}});
  } else {
    out << "KL(" << name << " || " << args.positional(0) << ") = " << std::setprecision(6) << nats << " nats = " << bits
        << " bits\n(exact, over the " << distribution.patterns.shape(0) << " patterns of the " << name
        << " distribution and 2^" << network.hidden_units() << " hidden configurations)\n";
  }
  return 0;
}

int run(const Arguments& args, std::ostream& out, std::ostream& err) {
  const std::atomic<bool>& interrupted = interrupt_flag();  // first, so Ctrl-C is never fatal
  max_seconds(args, "exact");  // a bad value before any work
  const std::string model_file = args.positional(0);
  const Network network = read_model(args, model_file);
  const bool all_patterns = args.flag("--all-patterns");
  if (int(all_patterns) + int(args.has("--data")) + int(args.has("--kl-from")) != 1)
    throw UsageError("helmholtz exact: give one of --data FILE, --all-patterns and --kl-from GENERATOR");
  if (!args.has("--kl-from"))
    for (const Option& option : dataset_parameter_options())
      if (args.has(option.name)) throw UsageError("helmholtz exact: " + option.name + " applies with --kl-from only");
  ExactOptions options;
  // Only what 2^H can count: the time estimate below is the limit that matters.
  options.max_hidden_units = 62;
  options.threads = static_cast<unsigned>(args.count_or("--threads", 0, 0));
  options.posterior_marginals = options.posterior_mode = args.flag("--posterior");
  options.interrupt = &interrupted;
  options.communicator = &job_communicator();  // a job of several ranks splits the configurations
  enumerable_configurations(network, options.max_hidden_units);  // refuse before reading data
  if (args.has("--kl-from")) return run_divergence(args, network, options, out, err);

  const Matrix data = all_patterns ? all_visible_patterns(network) : read_data(args.text("--data"), network.visible_units());
  check_time(args, network, data, options);
  Progress progress(err,
                    "exact: 2^" + std::to_string(network.hidden_units()) + " configurations x " +
                        std::to_string(data.shape(0)) + " patterns" + on_ranks(),
                    args.flag("--quiet"));
  options.progress = [&progress](double fraction) { progress.update(fraction); };
  const ExactResult result = [&] {
    const CollectiveWork work;
    return exact_inference(network, data, options);
  }();
  progress.finish();
  double total_probability = 0;
  for (double l : result.log_likelihood) total_probability += std::exp(l);

  if (args.flag("--json")) {
    Json json{{"model", model_file},
              {"units", "nats"},
              {"patterns", data.shape(0)},
              {"hidden_units", network.hidden_units()},
              {"hidden_configurations", result.hidden_configurations},
              {"mean_log_likelihood", plain_mean(result.log_likelihood)},
              {"log_likelihood", json_array(result.log_likelihood)}};
    // JSON has no -inf: log p(d) = -inf is written null, and this says which nulls are an
    // exact 0 probability (numbered from 1, as evaluate numbers them).
    Json& impossible_patterns = json["impossible_patterns"] = Json::array();
    for (std::size_t n = 0; n < data.shape(0); ++n)
      if (impossible(result, n)) impossible_patterns.push_back(n + 1);
    if (all_patterns) json["total_probability"] = total_probability;
    if (args.flag("--posterior")) {
      json["hidden_unit_names"] = hidden_unit_names(network);
      json["posterior_marginals"] = json_array(result.posterior_marginals);
      Json& modes = json["posterior_mode"] = Json::array();
      for (std::size_t n = 0; n < result.posterior_mode.shape(0); ++n) {
        if (impossible(result, n)) {  // no posterior, so no mode: null, like its marginals
          modes.push_back(nullptr);
          continue;
        }
        Json& mode = modes.emplace_back(Json::array());
        for (std::size_t u = 0; u < result.posterior_mode.shape(1); ++u)
          mode.push_back(static_cast<std::uint64_t>(result.posterior_mode(n, u)));
      }
      json["mode_log_joint"] = json_array(result.mode_log_joint);
    }
    write_json(out, json);
  } else {
    out << "exact log-likelihood of " << (all_patterns ? "every visible pattern" : data_source_name(args.text("--data")))
        << " under " << model_file << "\n"
        << network.hidden_units() << " hidden units, " << result.hidden_configurations
        << " configurations enumerated; natural log (nats)\n\n";
    out << std::setw(8) << "pattern" << "  " << std::left << std::setw(std::max<int>(7, int(data.shape(1)) + 2)) << "data"
        << std::right << std::setw(20) << "log p(d)";
    if (all_patterns) out << std::setw(14) << "p(d)";
    if (args.flag("--posterior")) out << "  posterior mode / marginals P(h=1|d)";
    out << "\n";
    for (std::size_t n = 0; n < data.shape(0); ++n) {
      out << std::setw(8) << n + 1 << "  " << std::left << std::setw(std::max<int>(7, int(data.shape(1)) + 2))
          << bits(data, n) << std::right << std::setw(20) << std::setprecision(12) << result.log_likelihood(n);
      if (all_patterns) out << std::setw(14) << std::setprecision(6) << std::exp(result.log_likelihood(n));
      if (args.flag("--posterior") && impossible(result, n)) {
        out << "  impossible under the model (p(d) = 0): no posterior\n";
        continue;
      }
      if (args.flag("--posterior")) {
        out << "  " << bits(result.posterior_mode, n) << " ";
        for (std::size_t u = 0; u < result.posterior_marginals.shape(1); ++u)
          out << " " << std::fixed << std::setprecision(3) << result.posterior_marginals(n, u) << std::defaultfloat;
      }
      out << "\n";
    }
    out << "\nmean log p(d) over " << data.shape(0) << " patterns: " << std::setprecision(12) << plain_mean(result.log_likelihood)
        << " nats\n";
    std::size_t impossible_count = 0;
    for (std::size_t n = 0; n < data.shape(0); ++n) impossible_count += impossible(result, n) ? 1 : 0;
    if (impossible_count != 0)
      out << impossible_count << " of " << data.shape(0)
          << " patterns are impossible under the model (p(d) = 0): log p(d) = -inf is exact, not an overflow\n";
    if (all_patterns)
      out << "sum of p(d) over all " << data.shape(0) << " patterns: " << std::setprecision(15) << total_probability
          << " (|1 - sum| = " << std::setprecision(3) << std::abs(1.0 - total_probability) << ")\n";
  }
  if (all_patterns && !(std::abs(1.0 - total_probability) <= total_probability_tolerance))
    throw Error("the probabilities of all visible patterns sum to " + format_number(total_probability) +
                ", not 1 (tolerance " + format_number(total_probability_tolerance) + ")");
  return 0;
}

}  // namespace

Command exact_command() {
  Command command{{"exact",
           "MODEL (--data FILE | --all-patterns | --kl-from GENERATOR) [--json] [--posterior]",
           "Exact log-likelihood log p(d) by enumerating every hidden configuration (small networks).",
           {"MODEL"},
           {{"--data", "", "FILE", "data file: one pattern of the observed units per line (- for standard input)"},
            {"--all-patterns", "", "", "every visible pattern (at most 20 visible units); checks that p sums to 1"},
            {"--kl-from", "", "GENERATOR", "KL(data || model) over the exact distribution of a data set (bars), with its options"},
            {"--json", "", "", "print one JSON object instead of a table"},
            {"--posterior", "", "", "also give the posterior marginals P(h_i = 1 | d) and the posterior mode"},
            max_seconds_option("refuse an enumeration"),
            {"--threads", "", "T", "threads to split the configurations over (default: one per core)"},
            {"--quiet", "", "", "no progress on stderr (shown for work of more than a second)"}},
           "log p(d) = logsumexp over h of log P(h, d), in nats. The 2^H configurations are visited in\n"
           "Gray-code order and split between threads. JSON keys: mean_log_likelihood, log_likelihood\n"
           "(per pattern; null where p(d) = 0), impossible_patterns (those patterns, from 1),\n"
           "hidden_configurations, patterns, hidden_units; with --posterior also\n"
           "hidden_unit_names, posterior_marginals, posterior_mode and mode_log_joint (per pattern);\n"
           "with --all-patterns also total_probability. With --kl-from GENERATOR (and that generator's\n"
           "options, e.g. --bar-probability): KL(data || model) = sum_d p(d) log(p(d) / P(d)) over every\n"
           "pattern the generator can make, printed in nats and bits; JSON keys kl_from, patterns,\n"
           "hidden_units, kl_nats, kl_bits. Ctrl-C stops cleanly (exit status 130; SIGTERM: 143).\n"
           "The time is estimated before the work starts, by timing its first configurations, and an\n"
           "enumeration estimated to take longer than --max-seconds is refused (docs/limits.md).\n"
           "Under mpirun (or srun) the configurations are split over the ranks as well, with the same\n"
           "output to the last digit (docs/distributed.md)."},
          run};
  command.distributed = true;
  for (Option& option : dataset_parameter_options()) command.spec.options.push_back(std::move(option));
  return command;
}

}  // namespace helmholtz::cli
