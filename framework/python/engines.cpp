// Data files, ancestral sampling, exact inference and evaluation: the engines `helmholtz sample`,
// `exact` and `evaluate` run, called the same way, so that the same seed gives the same numbers.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "framework/means.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/free_energy.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/patterns.hpp"
#include "framework/python/arrays.hpp"
#include "framework/python/bindings.hpp"
#include "framework/python/errors.hpp"
#include "framework/python/long_work.hpp"

namespace helmholtz::python {
namespace {


bool impossible(double log_likelihood) { return std::isinf(log_likelihood) && log_likelihood < 0; }

unsigned threads_argument(py::handle value) {
  return static_cast<unsigned>(std::min<std::uint64_t>(count_argument(value, "threads", 0), 1u << 16));
}

py::object sample(const Handle& h, py::handle n_value, py::handle seed_value, bool all_nodes) {
  const std::uint64_t n = count_argument(n_value, "n", 0);
  const std::uint64_t seed = seed_argument(seed_value, "seed");
  const LongRead use(*h);
  const Network& network = h->network;
  std::vector<std::size_t> nodes;
  for (std::size_t i = 0; i < network.nodes.size(); ++i)
    if (all_nodes || network.nodes[i].observed) nodes.push_back(i);
  std::size_t columns = 0;
  for (std::size_t i : nodes) columns += network.nodes[i].size;
  if (columns > 0 && n > std::numeric_limits<std::ptrdiff_t>::max() / columns)
    fail_argument("n is " + std::to_string(n) + ": " + std::to_string(n) + " patterns of " + std::to_string(columns) +
                  " units are more bytes than memory can address");
  ByteMatrix drawn = ByteMatrix::from_shape({static_cast<std::size_t>(n), columns});
  run_long_work([&](const std::atomic<bool>& stop, CallerThread&) {
    const std::size_t most_patterns = sampling_batch_patterns(network);  // the program's batches, its draws
    Rng rng = make_rng(seed);
    AncestralSampler sampler(network);
    for (std::uint64_t done = 0; done < n;) {
      if (stop.load(std::memory_order_relaxed)) throw Interrupted();
      const std::size_t batch = static_cast<std::size_t>(std::min<std::uint64_t>(most_patterns, n - done));
      const NodeStates& states = sampler.sample(batch, rng);
      for (std::size_t r = 0; r < batch; ++r) {
        std::uint8_t* row = &drawn(static_cast<std::size_t>(done) + r, 0);
        for (std::size_t i : nodes)
          for (std::size_t u = 0; u < network.nodes[i].size; ++u) *row++ = states[i](r, u) != 0.0 ? 1 : 0;
      }
      done += batch;
    }
  });
  if (!all_nodes) return to_numpy(std::move(drawn));
  py::dict out;
  std::size_t first = 0;
  for (std::size_t i : nodes) {
    const std::size_t size = network.nodes[i].size;
    ByteMatrix block = ByteMatrix::from_shape({static_cast<std::size_t>(n), size});
    for (std::size_t r = 0; r < n; ++r) std::copy_n(&drawn(r, first), size, &block(r, 0));
    out[text(network.nodes[i].name)] = to_numpy(std::move(block));
    first += size;
  }
  return out;
}

py::dict exact(const Handle& h, py::handle data, bool posterior, bool bound, py::handle threads,
               py::handle max_hidden_units) {
  const LongRead use(*h);
  const Network& network = h->network;
  ExactOptions options;
  options.max_hidden_units = count_argument(max_hidden_units, "max_hidden_units", 0);
  options.threads = threads_argument(threads);
  options.posterior_marginals = options.posterior_mode = posterior;
  options.free_energy_bound = bound;
  enumerable_configurations(network, options.max_hidden_units);  // refused before the data are read
  const Matrix patterns = to_matrix(patterns_argument(data, network.visible_units(), "data").bytes);
  ExactResult result;
  run_long_work([&](const std::atomic<bool>& stop, CallerThread&) {
    options.interrupt = &stop;
    result = exact_inference(network, patterns, options);
  });
  py::dict out;
  out["hidden_configurations"] = result.hidden_configurations;
  out["log_likelihood"] = to_numpy(result.log_likelihood);
  out["mean_log_likelihood"] = plain_mean(result.log_likelihood);
  if (bound) out["free_energy_bound"] = to_numpy(result.free_energy_bound);
  if (posterior) {
    out["hidden_unit_names"] = hidden_unit_names(network);
    out["posterior_marginals"] = to_numpy(result.posterior_marginals);
    out["posterior_mode"] = bits_to_numpy(result.posterior_mode);
    out["mode_log_joint"] = to_numpy(result.mode_log_joint);
  }
  return out;
}

py::dict evaluate(const Handle& h, py::handle data, py::handle samples_value, py::handle seed_value, py::handle exact,
                  py::handle threads, py::handle max_hidden_units) {
  const LongRead use(*h);
  const Network& network = h->network;
  const std::size_t samples = count_argument(samples_value, "samples", 1);
  Rng rng = make_rng(seed_argument(seed_value, "seed"));
  ExactOptions exact_options;
  exact_options.max_hidden_units = count_argument(max_hidden_units, "max_hidden_units", 0);
  exact_options.threads = threads_argument(threads);
  exact_options.free_energy_bound = true;  // one enumeration gives both
  SampledOptions sampled_options;
  sampled_options.threads = exact_options.threads;
  std::string skipped;  // why the exact values are left out, if they are
  if (exact.is_none()) {
    // As `helmholtz evaluate` leaves them out: with the reason, the sampled estimates being worth
    // having without them.
    if (network.hidden_units() > 62)
      skipped = std::to_string(network.hidden_units()) + " hidden units, more than the 62 whose 2^H configurations can be counted";
    else if (network.hidden_units() > exact_options.max_hidden_units)
      skipped = std::to_string(network.hidden_units()) + " hidden units, more than max_hidden_units=" +
                std::to_string(exact_options.max_hidden_units);
  } else if (!py::isinstance<py::bool_>(exact)) {
    fail_argument("exact is " + py::repr(exact).cast<std::string>() + ", but must be True, False or None");
  } else if (!exact.cast<bool>()) {
    skipped = "exact=False";
  } else {
    enumerable_configurations(network, exact_options.max_hidden_units);  // refused before any work
  }
  const Matrix patterns = to_matrix(patterns_argument(data, network.visible_units(), "data").bytes);
  SampledEstimates sampled;
  ExactResult result;
  run_long_work([&](const std::atomic<bool>& stop, CallerThread&) {
    sampled_options.interrupt = exact_options.interrupt = &stop;
    sampled = sampled_estimates(network, patterns, samples, rng, sampled_options);
    if (skipped.empty()) result = exact_inference(network, patterns, exact_options);
  });
  py::dict out, means;
  std::vector<std::size_t> impossible_patterns;
  auto column = [&](const char* key, const Vector& values) {
    out[key] = to_numpy(values);
    means[key] = mean_of_defined(values);
  };
  out["samples"] = samples;
  column("sampled_bound", sampled.sampled_bound);
  column("importance_log_likelihood", sampled.importance_log_likelihood);
  if (skipped.empty()) {
    // KL(Q || P(.|d)) = log p(d) - (-F); undefined (NaN) for a pattern of probability 0.
    Vector gap = result.log_likelihood - result.free_energy_bound;
    for (std::size_t n = 0; n < gap.size(); ++n)
      if (impossible(result.log_likelihood(n))) {
        impossible_patterns.push_back(n);
        gap(n) = std::numeric_limits<double>::quiet_NaN();
      }
    column("exact_log_likelihood", result.log_likelihood);
    column("exact_bound", result.free_energy_bound);
    column("kl_gap", gap);
  } else {
    out["exact_skipped"] = skipped;
  }
  out["impossible_patterns"] = impossible_patterns;
  out["mean"] = means;
  return out;
}

}  // namespace

void bind_engines(py::module_& module, NetworkClass& network) {
  module.def(
      "read_data",
      [](const std::filesystem::path& file, py::handle width_or_network) {
        std::size_t width = 0;
        if (py::isinstance<NetworkHandle>(width_or_network)) width = width_or_network.cast<NetworkHandle&>().network.visible_units();
        else width = count_argument(width_or_network, "width", 0);
        return to_numpy(patterns_argument(py::str(file.string()), width, "data").bytes);
      },
      py::arg("file"), py::arg("width"),
      "read_data(file, width) -> numpy.ndarray\n\n"
      "Reads a data file (docs/data-files.md) of patterns `width` units wide (a number, or a\n"
      "Network: its visible units), as uint8 0/1, one row per pattern. A mistake raises\n"
      "helmholtz.InputError naming the file and line, as the program reports it.");
  module.def(
      "write_data",
      [](const std::filesystem::path& file, py::handle data) {
        const py::object shape = py::isinstance<py::array>(data) ? py::object(data.attr("shape")) : py::object(py::none());
        const std::size_t width =
            shape.is_none() || py::len(shape) != 2 ? 0 : shape.cast<py::tuple>()[1].cast<std::size_t>();
        const Matrix patterns = to_matrix(patterns_from_array(data, width, "data"));
        const py::gil_scoped_release no_gil;
        std::ostringstream out;
        write_patterns(out, patterns);
        write_file_atomically(file.string(), out.str());
      },
      py::arg("file"), py::arg("data"),
      "write_data(file, data)\n\n"
      "Writes patterns (a 2-D uint8 or bool array of 0/1) as a data file, one line of 0/1\n"
      "characters per pattern, as `helmholtz sample` prints them; atomically.");
  module.def(
      "data_checksum",
      [](py::handle data) {
        const py::object shape = py::isinstance<py::array>(data) ? py::object(data.attr("shape")) : py::object(py::none());
        const std::size_t width =
            shape.is_none() || py::len(shape) != 2 ? 0 : shape.cast<py::tuple>()[1].cast<std::size_t>();
        return data_checksum(patterns_from_array(data, width, "data"));
      },
      py::arg("data"),
      "data_checksum(data) -> str\n\n"
      "The checksum a training: section records for these patterns (fnv1a64: and 16 hex digits).");

  network.def("sample", &sample, py::arg("n"), py::arg("seed"), py::kw_only(), py::arg("all_nodes") = false,
              "sample(n, seed, *, all_nodes=False) -> numpy.ndarray or dict\n\n"
              "n fantasies by ancestral sampling from the generative model: the same patterns as\n"
              "`helmholtz sample MODEL -n N --seed S`. Returns uint8 0/1, one row per pattern and a\n"
              "column per visible unit (observed nodes side by side in declaration order); with\n"
              "all_nodes=True, a dict from every node's name to its states (n x its units).\n\n"
              "Runs without the GIL; Ctrl-C raises KeyboardInterrupt within moments (between batches\n"
              "of 1024 patterns) and nothing is returned.");
  network.def("exact", &exact, py::arg("data"), py::kw_only(), py::arg("posterior") = false, py::arg("bound") = false,
              py::arg("threads") = 0, py::arg("max_hidden_units") = 30,
              "exact(data, *, posterior=False, bound=False, threads=0, max_hidden_units=30) -> dict\n\n"
              "Exact inference by enumerating all 2^H hidden configurations, as `helmholtz exact\n"
              "--json` computes it. data: a 2-D array of 0/1 (uint8 or bool), or a data file's name.\n"
              "Returns a dict:\n"
              "  log_likelihood       log p(d) per pattern in nats (-inf where p(d) = 0)\n"
              "  mean_log_likelihood  their mean, as the program prints it\n"
              "  hidden_configurations  2^H\n"
              "with bound=True:\n"
              "  free_energy_bound    the exact bound -F(d) = sum_h Q(h|d) [log P(h,d) - log Q(h|d)]\n"
              "with posterior=True:\n"
              "  hidden_unit_names    'node[unit]' for each hidden unit, in order\n"
              "  posterior_marginals  P(h_i = 1 | d), patterns x hidden units (NaN where p(d) = 0)\n"
              "  posterior_mode       argmax_h P(h | d) as uint8 0/1, patterns x hidden units\n"
              "  mode_log_joint       log P(mode, d) per pattern\n"
              "Networks of more than max_hidden_units hidden units (at most 62) are refused with\n"
              "helmholtz.Error before any work. threads=0 uses every core; the result does not\n"
              "depend on it. Runs without the GIL; Ctrl-C raises KeyboardInterrupt within moments.");
  network.def("evaluate", &evaluate, py::arg("data"), py::kw_only(), py::arg("samples") = 100, py::arg("seed") = 0,
              py::arg("exact") = py::none(), py::arg("threads") = 0, py::arg("max_hidden_units") = 30,
              "evaluate(data, *, samples=100, seed=0, exact=None, threads=0, max_hidden_units=30) -> dict\n\n"
              "The bound against the truth, as `helmholtz evaluate --json` computes it (the same\n"
              "numbers for the same seed). Per pattern, float64 arrays under these keys:\n"
              "  sampled_bound              (1/K) sum_k [log P(h_k,d) - log Q(h_k|d)], h_k ~ Q(.|d)\n"
              "  importance_log_likelihood  log (1/K) sum_k P(h_k,d) / Q(h_k|d)\n"
              "and, when exact inference is done:\n"
              "  exact_log_likelihood       log p(d)\n"
              "  exact_bound                sum_h Q(h|d) [log P(h,d) - log Q(h|d)]\n"
              "  kl_gap                     log p(d) - exact_bound = KL(Q(.|d) || P(.|d)); NaN where p(d) = 0\n"
              "plus samples (K), impossible_patterns (indices of patterns with p(d) = 0), mean (a dict\n"
              "of each key's mean over the patterns where it is defined, as the program prints it)\n"
              "and, when exact values are left out, exact_skipped (why). exact=None computes them\n"
              "when the network has at most max_hidden_units hidden units, True always (refused\n"
              "beyond), False never. Runs without the GIL; Ctrl-C raises KeyboardInterrupt.");
  network.def(
      "estimate_exact_seconds",
      [](const Handle& h, py::handle data, bool posterior, bool bound, py::handle threads, py::handle max_hidden_units) {
        const LongRead use(*h);
        ExactOptions options;
        options.max_hidden_units = count_argument(max_hidden_units, "max_hidden_units", 0);
        options.threads = threads_argument(threads);
        options.posterior_marginals = options.posterior_mode = posterior;
        options.free_energy_bound = bound;
        const Matrix patterns = to_matrix(patterns_argument(data, h->network.visible_units(), "data").bytes);
        const py::gil_scoped_release no_gil;
        return estimate_exact_cost(h->network, patterns, options).seconds;
      },
      py::arg("data"), py::kw_only(), py::arg("posterior") = false, py::arg("bound") = false, py::arg("threads") = 0,
      py::arg("max_hidden_units") = 30,
      "estimate_exact_seconds(data, *, posterior=False, bound=False, threads=0, max_hidden_units=30) -> float\n\n"
      "How long exact() with these arguments would take, in seconds, estimated by timing its\n"
      "first configurations (about 0.02 s), as `helmholtz exact --max-seconds` does before it\n"
      "decides (docs/limits.md).");
}

}  // namespace helmholtz::python
