// helmholtz evaluate MODEL --data FILE [--json] [--samples K]: the bound against the truth.
#include <cmath>
#include <iomanip>
#include <limits>
#include <optional>
#include <ostream>

#include "framework/cli/command.hpp"
#include "framework/means.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/cli/interrupt.hpp"
#include "framework/cli/job.hpp"
#include "framework/cli/progress.hpp"
#include "framework/cli/time_limit.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/free_energy.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/json_writer.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {
namespace {

struct Column {
  std::string key;
  std::string heading;
  Vector values;
};

int run(const Arguments& args, std::ostream& out, std::ostream& err) {
  const std::atomic<bool>& interrupted = interrupt_flag();  // first, so Ctrl-C is never fatal
  const double limit = max_seconds(args, "evaluate");  // a bad value before any work
  const std::string model_file = args.positional(0);
  const Network network = read_model(args, model_file);
  const std::string data_file = args.text("--data");
  const Matrix data = read_data(data_file, network.visible_units());
  const std::size_t samples = args.count_or("--samples", 100);
  Rng rng = make_rng(args.count_or("--seed", 0, 0));
  ExactOptions exact;
  exact.max_hidden_units = 62;  // only what 2^H can count: the time estimate is the limit that matters
  exact.threads = static_cast<unsigned>(args.count_or("--threads", 0, 0));
  exact.interrupt = &interrupted;
  exact.free_energy_bound = true;  // one enumeration gives both
  SampledOptions sampled_options;
  sampled_options.interrupt = &interrupted;
  sampled_options.threads = exact.threads;

  // The work is estimated before it starts (time_limit.hpp): the sampled estimates must fit in
  // --max-seconds; the exact values are computed only if they fit in what is left, and
  // otherwise skipped with the reason, as the sampled estimates are worth having without them.
  // In a job of several ranks (job.hpp): the exact enumeration is split over them; the
  // sampled estimates are a small part of the work and every rank computes them alike. The
  // time estimates are rank 0's, so that every rank decides alike.
  exact.communicator = &job_communicator();
  job_ready();
  double sampling_seconds = 0;
  {
    const CollectiveWork work;
    sampling_seconds = rank_0_value(estimate_sampled_seconds(network, data, samples, rng, sampled_options));
  }
  if (sampling_seconds > limit)
    throw Error("the sampled estimates, " + std::to_string(samples) + " samples x " + std::to_string(data.shape(0)) +
                " patterns, would take about " + duration(sampling_seconds) + ", more than --max-seconds " +
                format_number(limit) + "; give a larger --max-seconds, or fewer --samples");
  std::string skipped;  // why the exact values are left out, if they are
  if (args.flag("--no-exact")) skipped = "--no-exact";
  else if (network.hidden_units() > exact.max_hidden_units)
    skipped = std::to_string(network.hidden_units()) + " hidden units, more than the " +
              std::to_string(exact.max_hidden_units) + " whose 2^H configurations can be counted";
  else if (const ExactCost cost = [&] {
             const CollectiveWork work;
             return estimate_exact_cost(network, data, exact);
           }();
           sampling_seconds + cost.seconds > limit)
    skipped = describe_exact_cost(cost) + ", more than --max-seconds " + format_number(limit) +
              " with the sampling; give a larger --max-seconds to compute them";
  const bool exact_possible = skipped.empty();

  Progress sampling(err,
                    "evaluate: " + std::to_string(samples) + " samples x " + std::to_string(data.shape(0)) +
                        " patterns",
                    args.flag("--quiet"));
  sampled_options.progress = [&sampling](double fraction) { sampling.update(fraction); };
  const SampledEstimates sampled = sampled_estimates(network, data, samples, rng, sampled_options);
  sampling.finish();
  std::vector<std::size_t> impossible;  // patterns of probability 0 under the model
  std::vector<Column> columns = {
      {"sampled_bound", "sampled -F", sampled.sampled_bound},
      {"importance_log_likelihood", "importance", sampled.importance_log_likelihood}};
  if (exact_possible) {
    Progress progress(err,
                      "evaluate: exact, 2^" + std::to_string(network.hidden_units()) + " configurations x " +
                          std::to_string(data.shape(0)) + " patterns" + on_ranks(),
                      args.flag("--quiet"));
    exact.progress = [&progress](double fraction) { progress.update(fraction); };
    const ExactResult result = [&] {
      const CollectiveWork work;
      return exact_inference(network, data, exact);
    }();
    progress.finish();
    // KL(Q || P(.|d)) = log p(d) - (-F). A pattern of probability 0 has no posterior P(.|d),
    // so its gap is undefined (-inf - -inf): NaN here, "impossible" in the table, null in JSON.
    Vector gap = result.log_likelihood - result.free_energy_bound;
    for (std::size_t n = 0; n < gap.size(); ++n)
      if (std::isinf(result.log_likelihood(n)) && result.log_likelihood(n) < 0) impossible.push_back(n);
    for (std::size_t n : impossible) gap(n) = std::numeric_limits<double>::quiet_NaN();
    columns.push_back({"exact_log_likelihood", "log p(d)", result.log_likelihood});
    columns.push_back({"exact_bound", "exact -F", result.free_energy_bound});
    columns.push_back({"kl_gap", "KL(Q||P)", gap});
  }

  if (args.flag("--json")) {
    Json json{{"model", model_file}, {"data", data_file},         {"units", "nats"},
              {"patterns", data.shape(0)}, {"samples", samples}, {"hidden_units", network.hidden_units()}};
    if (!exact_possible) json["exact_skipped"] = skipped;
    Json& impossible_patterns = json["impossible_patterns"] = Json::array();
    for (std::size_t n : impossible) impossible_patterns.push_back(n + 1);
    for (const auto& c : columns)
      json[c.key] = {{"mean", mean_of_defined(c.values)}, {"per_pattern", json_array(c.values)}};
    write_json(out, json);
    return 0;
  }
  out << "evaluation of " << model_file << " on " << data_source_name(data_file) << " (" << data.shape(0)
      << " patterns), nats\n";
  out << "sampled -F and importance use " << samples << " samples from Q per pattern";
  if (!exact_possible) out << "; exact values skipped (" << skipped << ")";
  out << "\n\n" << std::setw(8) << "pattern";
  for (const auto& c : columns) out << std::setw(14) << c.heading;
  out << "\n" << std::fixed << std::setprecision(5);
  for (std::size_t n = 0; n < data.shape(0); ++n) {
    out << std::setw(8) << n + 1;
    for (const auto& c : columns) {
      if (std::isnan(c.values(n)))
        out << std::setw(14) << "impossible";
      else
        out << std::setw(14) << c.values(n);
    }
    out << "\n";
  }
  out << std::setw(8) << "mean";
  for (const auto& c : columns) out << std::setw(14) << mean_of_defined(c.values);
  out << "\n" << std::defaultfloat;
  if (!impossible.empty())
    out << "\n" << impossible.size() << " of " << data.shape(0)
        << " patterns are impossible under the model (p(d) = 0, log p(d) = -inf; the first is pattern "
        << impossible.front() + 1 << "): their KL gap is undefined, and its mean is over the other patterns\n";
  return 0;
}

}  // namespace

Command evaluate_command() {
  return {{"evaluate",
           "MODEL --data FILE [--json] [--samples K] [--seed S]",
           "Compare the variational bound -F with importance-sampled and exact log-likelihoods.",
           {"MODEL"},
           {{"--data", "", "FILE", "data to evaluate on (required; - for standard input)"},
            {"--json", "", "", "print one JSON object instead of a table"},
            {"--samples", "", "K", "samples from Q per pattern for the sampled bound and importance estimate (default 100)"},
            {"--seed", "", "S", "seed of the random generator (default 0)"},
            max_seconds_option("refuse sampling, and skip exact values,"),
            {"--threads", "", "T", "threads for the sampled estimates and exact enumeration (default: one per core)"},
            {"--no-exact", "", "", "skip the exact values even when the network is small enough"},
            {"--quiet", "", "", "no progress on stderr (shown when the sampling or the exact enumeration takes over a second)"}},
           "Per pattern and mean, in nats: sampled_bound = (1/K) sum_k [log P(h_k,d) - log Q(h_k|d)];\n"
           "importance_log_likelihood = log (1/K) sum_k P(h_k,d)/Q(h_k|d); and, when enumerating the\n"
           "hidden configurations fits in the time limit, exact_log_likelihood = log p(d), exact_bound = sum_h Q(h|d)[log P(h,d) - log Q(h|d)]\n"
           "and kl_gap = log p(d) - exact_bound = KL(Q(.|d) || P(.|d)), undefined ('impossible', null in\n"
           "JSON) for a pattern of probability 0; impossible_patterns lists those (from 1). With --json each key holds\n"
           "{\"mean\": x, \"per_pattern\": [...]}. The time is estimated before the work starts, by timing\n"
           "a slice of it: sampling estimated to take longer than --max-seconds is refused, and the\n"
           "exact values are skipped (exact_skipped in JSON says why) when they would not fit in what is\n"
           "left (docs/limits.md). Under mpirun (or srun) the exact enumeration is split over the ranks,\n"
           "with the same output to the last digit (docs/distributed.md)."},
          run,
          true};
}

}  // namespace helmholtz::cli
