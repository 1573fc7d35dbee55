#include "framework/engines/training/trainer.hpp"

#include <algorithm>
#include <array>
#include <boost/random/uniform_int_distribution.hpp>
#include <chrono>
#include <cmath>
#include <numeric>

#include "framework/engines/exact_inference.hpp"
#include "framework/engines/free_energy.hpp"
#include "framework/engines/share_tree.hpp"
#include "framework/engines/training/cue_schedule.hpp"
#include "framework/engines/training/follows_cues.hpp"
#include "framework/engines/training/optimisers/conjugate_gradient.hpp"
#include "framework/engines/training/optimisers/schedule.hpp"
#include "framework/patterns.hpp"

namespace helmholtz {
namespace {

constexpr std::size_t report_patterns = 1000;
constexpr std::uint64_t report_stream = 0x9e3779b97f4a7c15ull;  // keeps the report's samples apart

double mean_of(const Vector& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.size() ? sum / static_cast<double>(v.size()) : 0.0;
}

void check_rate(double rate, const char* what) {
  if (!(rate > 0.0) || !std::isfinite(rate)) throw Error(std::string(what) + " must be a number > 0");
}

// Single precision for the run of train(): the networks' float copies of their parameters
// exist only while it lasts.
class SinglePrecisionScope {
 public:
  // Leaves a copy that existed before (a caller's) in place.
  SinglePrecisionScope(Network& network, bool on)
      : network_(on && network.generative.single.size() == 0 ? &network : nullptr) {
    if (on) {
      network.generative.enable_single_precision();
      network.recognition.enable_single_precision();
    }
  }
  ~SinglePrecisionScope() {
    if (!network_) return;
    network_->generative.disable_single_precision();
    network_->recognition.disable_single_precision();
  }
  SinglePrecisionScope(const SinglePrecisionScope&) = delete;
  SinglePrecisionScope& operator=(const SinglePrecisionScope&) = delete;

 private:
  Network* network_;
};

// Does some generative parameter sit at a finite end of its block's valid range (a noisy-or
// weight or leak of exactly 1 or 0, odds of exactly 0)? Only there does a plugin give a
// probability of exactly 0, and so log P(h, d) = -inf (docs/model-file.md, "Learning ranges").
bool generative_parameter_at_an_edge(const Network& network) {
  for (const Conditional& c : network.generative.conditionals) {
    if (!c.distribution) continue;
    const ParameterView theta = c.distribution->parameters();
    for (const ParameterBlock& b : c.distribution->blocks())
      for (std::size_t i = b.offset; i < b.offset + b.size; ++i)
        if ((std::isfinite(b.valid.lower) && theta[i] == b.valid.lower) ||
            (std::isfinite(b.valid.upper) && theta[i] == b.valid.upper))
          return true;
  }
  return false;
}

// Everything needed to go back to a point of training: both parameter vectors and the
// optimisers' state.
struct Snapshot {
  Vector generative, recognition;
  std::map<std::string, std::map<std::string, Vector>> state;
  std::size_t epoch = 0;
};

}  // namespace

Rng epoch_rng(std::uint64_t seed, std::size_t epoch) { return make_rng(stream_seed(seed, epoch)); }

TrainingOutcome train(Network& network, const Matrix& data, const TrainingOptions& options, TrainingSetup& setup,
                      const std::function<void(const EpochReport&)>& on_epoch) {
  return train(network, to_bytes(data), options, setup, on_epoch);
}

TrainingOutcome train(Network& network, const ByteMatrix& data, const TrainingOptions& options, TrainingSetup& setup,
                      const std::function<void(const EpochReport&)>& on_epoch) {
  if (options.batch_size == 0) throw Error("the batch size must be at least 1");
  if (data.shape(1) != network.visible_units())
    throw Error("the data have " + std::to_string(data.shape(1)) + " columns, but the network has " +
                std::to_string(network.visible_units()) + " visible units");
  if (data.shape(0) == 0) throw Error("there are no training patterns");
  check_rate(options.generative_rate, "the generative learning rate");
  check_rate(options.recognition_rate, "the recognition learning rate");
  if (!(options.weight_decay >= 0.0) || !std::isfinite(options.weight_decay))
    throw Error("the weight decay must be a number >= 0");
  if (setup.validation && setup.validation->shape(1) != network.visible_units())
    throw Error("the validation data have " + std::to_string(setup.validation->shape(1)) +
                " columns, but the network has " + std::to_string(network.visible_units()) + " visible units");
  const Schedule schedule(options.schedule, options.decay);
  const AlgorithmRegistry& registry = setup.algorithms ? *setup.algorithms : builtin_algorithms();
  const bool line_search = options.optimizer == "cg";
  // A job of one rank takes the path of one process: nothing is summed, bit for bit the same.
  Communicator* const job = setup.communicator && setup.communicator->size() > 1 ? setup.communicator : nullptr;
  const std::size_t rank = job ? job->rank() : 0, ranks = job ? job->size() : 1;
  TrainingOptions step_options = options;
  if (line_search) step_options.optimizer = "sgd";  // the learners' own rules stay unused
  DirectionLearner generative(network.generative, step_options, options.generative_rate, job);
  DirectionLearner recognition(network.recognition, step_options, options.recognition_rate, job);
  std::unique_ptr<TrainingAlgorithm> algorithm = registry.create(options.algorithm, network, options);
  if (job && !algorithm->data_parallel())
    throw Error("the algorithm '" + options.algorithm + "' trains on whole minibatches only, so the " +
                std::to_string(ranks) + " ranks of this job cannot split them; train it in one process");
  if (setup.on_note)
    for (const std::string& note : algorithm->notes()) setup.on_note(note);
  Objective* objective = algorithm->objective();
  if (line_search && !objective)
    throw Error("the cg optimizer searches along lines of one objective, and the algorithm '" + options.algorithm +
                "' follows none; use --optimizer sgd or momentum, or an algorithm with an objective (deterministic)");
  if (options.single_precision && !algorithm->single_precision())
    throw Error("the algorithm '" + options.algorithm +
                "' trains in double precision only; --precision float32 is for wake-sleep and rws");
  if (options.single_precision && line_search)
    throw Error("the cg optimizer searches in double precision only; use --precision float64");
  FollowsCues* cued = nullptr;  // asked for only when the run has cue epochs
  if (options.cue_epochs > 0) {
    const std::string flag = "--cue-epochs " + std::to_string(options.cue_epochs);
    if (std::none_of(network.nodes.begin(), network.nodes.end(), [](const Node& n) { return n.cue.has_value(); }))
      throw Error(flag + ": the network declares no cue; give a hidden node one in the model file "
                         "(cue: {of: NODE, image: RxC, cells: RxC}), or leave out --cue-epochs");
    cued = dynamic_cast<FollowsCues*>(algorithm.get());
    if (!cued)
      throw Error(flag + ": the algorithm '" + options.algorithm +
                  "' does not take cues; train with cues using wake-sleep, or leave out --cue-epochs");
  }
  const SinglePrecisionScope single_precision(network, options.single_precision);
  ConjugateGradient conjugate_gradient(options.generative_rate);
  Learners learners{generative, recognition};
  learners.share.ranks = job;

  auto optimiser_state = [&] {
    std::map<std::string, std::map<std::string, Vector>> state;
    if (line_search) state["conjugate-gradient"] = conjugate_gradient.state();
    else {
      if (auto s = generative.rule().state(); !s.empty()) state["generative"] = s;
      if (auto s = recognition.rule().state(); !s.empty()) state["recognition"] = s;
    }
    return state;
  };
  auto restore_state = [&](const std::map<std::string, std::map<std::string, Vector>>& state) {
    auto part = [&](const std::string& name) {
      const auto found = state.find(name);
      return found == state.end() ? std::map<std::string, Vector>{} : found->second;
    };
    generative.rule().set_state(part("generative"));
    recognition.rule().set_state(part("recognition"));
    conjugate_gradient.set_state(part("conjugate-gradient"));
  };
  auto snapshot = [&](std::size_t epoch) {
    return Snapshot{network.generative.parameters, network.recognition.parameters, optimiser_state(), epoch};
  };
  auto go_back = [&](const Snapshot& s) {
    network.generative.parameters = s.generative;
    network.recognition.parameters = s.recognition;
    network.generative.parameters_changed();
    network.recognition.parameters_changed();
    generative.coordinates().load();
    recognition.coordinates().load();
    restore_state(s.state);
  };
  restore_state(setup.optimiser_state);

  // Both directions' learning coordinates side by side, for the line search.
  const std::size_t g_size = generative.coordinates().size(), r_size = recognition.coordinates().size();
  Vector joint = Vector::from_shape({g_size + r_size});
  Vector g_natural = Vector::from_shape({g_size}), r_natural = Vector::from_shape({r_size});
  Vector g_learning, r_learning;
  auto join = [&](const Vector& a, const Vector& b, Vector& out) {
    std::copy(a.begin(), a.end(), out.begin());
    std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(g_size));
  };
  const std::size_t patterns = data.shape(0);
  // The line search evaluates the objective on the whole data set at once, as doubles; in a
  // job, each rank on its part of the data set, and the parts are summed (sum_parts).
  const auto [data_first, data_last] = rank_shares(patterns, rank, ranks);
  const Matrix whole_data = [&, first = data_first, last = data_last] {
    Matrix part;
    if (!line_search) return part;
    std::vector<std::size_t> rows(last - first);
    std::iota(rows.begin(), rows.end(), first);
    gather_rows(data, rows, part);
    return part;
  }();
  // A part's mean and gradient weigh by its share of the patterns: summed over the ranks, they
  // are the mean over the whole data set and its gradient.
  std::vector<double> parts;
  auto sum_parts = [&](double& value) {
    const double weight = static_cast<double>(data_last - data_first) / static_cast<double>(patterns);
    parts.resize(1 + g_size + r_size);  // the same size every time: allocated once
    parts[0] = value * weight;
    std::transform(g_natural.begin(), g_natural.end(), parts.begin() + 1, [&](double x) { return x * weight; });
    std::transform(r_natural.begin(), r_natural.end(), parts.begin() + 1 + static_cast<std::ptrdiff_t>(g_size),
                   [&](double x) { return x * weight; });
    job->sum(parts);
    value = parts[0];
    std::copy(parts.begin() + 1, parts.begin() + 1 + static_cast<std::ptrdiff_t>(g_size), g_natural.begin());
    std::copy(parts.begin() + 1 + static_cast<std::ptrdiff_t>(g_size), parts.end(), r_natural.begin());
  };
  const ConjugateGradient::Function objective_at = [&](Vector& x, Vector& gradient) {
    std::copy(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(g_size), generative.coordinates().values().begin());
    std::copy(x.begin() + static_cast<std::ptrdiff_t>(g_size), x.end(), recognition.coordinates().values().begin());
    generative.coordinates().store();
    recognition.coordinates().store();
    join(generative.coordinates().values(), recognition.coordinates().values(), x);
    double value = objective->evaluate(whole_data, &g_natural, &r_natural);
    if (job) sum_parts(value);
    // The penalty (lambda / 2) |W|^2 on the mean per pattern, as a minibatch step applies it.
    value -= generative.coordinates().add_weight_decay(options.weight_decay, &g_natural);
    value -= recognition.coordinates().add_weight_decay(options.weight_decay, &r_natural);
    generative.coordinates().gradient_to_learning(g_natural, g_learning);
    recognition.coordinates().gradient_to_learning(r_natural, r_learning);
    join(g_learning, r_learning, gradient);
    return value;
  };

  const Matrix report_data = first_rows(data, report_patterns);
  std::vector<std::size_t> order(patterns);
  Matrix batch;
  MatrixF single_batch;
  TrainingOutcome outcome;
  outcome.epochs_completed = setup.epochs_completed;
  Snapshot good = snapshot(setup.epochs_completed);
  std::optional<Snapshot> best;
  double best_score = -std::numeric_limits<double>::infinity();
  std::size_t epochs_without_progress = 0;

  auto finish = [&] {
    setup.epochs_completed = outcome.epochs_completed;
    setup.optimiser_state = optimiser_state();
    return outcome;
  };

  // A stop request (Ctrl-C) is looked at before each minibatch; in a job every rank looks at
  // the same point, and all stop there if any was asked to.
  auto interrupted = [&] {
    return on_any_rank(job, options.interrupt && options.interrupt->load(std::memory_order_relaxed));
  };
  // In a job, rank 0's values of the report's samples, sent to every rank: rank 0 draws them
  // alone, as one process draws them, and every rank judges divergence and progress by them.
  const bool reporting_rank = rank == 0;
  auto agree = [&](double& a, double& b) {
    if (!job) return;
    std::array<double, 2> values{a, b};
    job->broadcast(values);
    a = values[0];
    b = values[1];
  };
  if (setup.on_ready) setup.on_ready();

  auto last_progress = std::chrono::steady_clock::now();
  for (std::size_t run = 1; run <= options.epochs; ++run) {
    const std::size_t epoch = setup.epochs_completed + run;
    const auto start = std::chrono::steady_clock::now();
    Rng rng = epoch_rng(options.seed, epoch);
    // Learning coordinates are taken afresh from the parameters at every epoch, so that a run
    // resumed from a model file (which holds only the parameters) continues exactly.
    generative.coordinates().load();
    recognition.coordinates().load();
    const double factor = schedule.factor(epoch - 1);
    if (cued) cued->set_cue_weight(cue_weight(epoch, options.cue_epochs));
    EpochReport report;
    report.epoch = epoch;
    if (line_search) {
      if (interrupted()) {
        outcome.interrupted = true;
        return finish();
      }
      join(generative.coordinates().values(), recognition.coordinates().values(), joint);
      report.objective = conjugate_gradient.iterate(joint, objective_at);
    } else {
      std::iota(order.begin(), order.end(), std::size_t{0});
      if (options.shuffle)  // Fisher-Yates with Boost.Random, identical on every platform
        for (std::size_t i = patterns; i > 1; --i)
          std::swap(order[i - 1], order[boost::random::uniform_int_distribution<std::size_t>(0, i - 1)(rng)]);
      for (std::size_t first = 0; first < patterns; first += options.batch_size) {
        if (interrupted()) {
          outcome.interrupted = true;
          return finish();
        }
        const std::size_t count = std::min(options.batch_size, patterns - first);
        // This rank's part of the minibatch (in one process, all of it).
        const auto [part_first, part_last] = rank_shares(count, rank, ranks);
        const std::span<const std::size_t> rows(order.data() + first + part_first, part_last - part_first);
        learners.share.rows = {part_first, count - part_last};
        if (const std::size_t next = first + count; count <= 16 && next < patterns) {  // small batches: see prefetch_rows
          const auto [next_first, next_last] = rank_shares(std::min(count, patterns - next), rank, ranks);
          prefetch_rows(data, std::span<const std::size_t>(order.data() + next + next_first, next_last - next_first));
        }
        if (options.single_precision) {
          gather_rows(data, rows, single_batch);
          algorithm->train_batch(single_batch, rng, learners, factor);
        } else {
          gather_rows(data, rows, batch);
          algorithm->train_batch(batch, rng, learners, factor);
        }
        if (generative.coordinates().overflowed() || recognition.coordinates().overflowed()) break;
        if (setup.on_progress) {
          const auto now = std::chrono::steady_clock::now();
          if (std::chrono::duration<double>(now - last_progress).count() >= 0.5) {
            last_progress = now;
            const double within = static_cast<double>(first + count) / static_cast<double>(patterns);
            setup.on_progress((static_cast<double>(run - 1) + within) / static_cast<double>(options.epochs));
          }
        }
      }
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.patterns_per_second = report.seconds > 0 ? static_cast<double>(patterns) / report.seconds : 0.0;

    // A bound or objective must be finite, or -inf where that is an exact value: where some
    // generative parameter sits at an edge of its range, Q (or the mean-field q) may reach
    // hidden states that P makes impossible for a pattern, and one such sample makes the mean
    // -inf. Without such a parameter, -inf is an overflow (a sigmoid's input beyond the
    // double range).
    const auto acceptable = [&](double x) {
      return std::isfinite(x) ||
             (x == -std::numeric_limits<double>::infinity() && generative_parameter_at_an_edge(network));
    };
    Rng report_rng = make_rng(options.seed ^ (report_stream + epoch));
    const bool parameters_finite = generative.coordinates().finite() && recognition.coordinates().finite() &&
                                   !generative.coordinates().overflowed() && !recognition.coordinates().overflowed();
    // The report's estimates cost a pass over up to 1000 patterns: only when someone listens.
    if (parameters_finite) {
      if (on_epoch && reporting_rank) {
        report.sampled_bound = mean_of(sampled_estimates(network, report_data, 1, report_rng).sampled_bound);
        if (objective && !line_search) report.objective = objective->evaluate(report_data, nullptr, nullptr);
      }
      agree(report.sampled_bound, report.objective);
    }
    if (!parameters_finite || !acceptable(report.sampled_bound) ||
        (!std::isnan(report.objective) && !acceptable(report.objective))) {
      go_back(good);
      outcome.diverged = true;
      outcome.message = "training diverged in epoch " + std::to_string(epoch) +
                        " (a step overflowed, or the sampled bound or the parameters are no longer finite numbers: "
                        "try a smaller learning rate); the parameters after epoch " + std::to_string(good.epoch) + " are kept";
      return finish();
    }
    outcome.epochs_completed = epoch;

    if (setup.validation) {
      const Matrix& validation = *setup.validation;
      if (reporting_rank)
        report.validation_sampled_bound = mean_of(sampled_estimates(network, validation, 1, report_rng).sampled_bound);
      double unused = 0;
      agree(report.validation_sampled_bound, unused);
      if (network.hidden_units() <= setup.validation_max_hidden_units) {
        ExactOptions exact;
        exact.max_hidden_units = setup.validation_max_hidden_units;  // the engine's own default is lower
        exact.free_energy_bound = true;
        // In a job the ranks split the enumeration, and every rank gets the same result. A stop
        // request waits for the next minibatch there: ranks stopping apart would leave the
        // others waiting.
        exact.communicator = job;
        exact.interrupt = job ? nullptr : options.interrupt;
        try {
          const ExactResult result = exact_inference(network, validation, exact);
          report.validation_log_likelihood = mean_of(result.log_likelihood);
          report.validation_exact_bound = mean_of(result.free_energy_bound);
        } catch (const Interrupted&) {
          outcome.interrupted = true;
          return finish();
        }
      }
      const double score =
          std::isnan(report.validation_log_likelihood) ? report.validation_sampled_bound : report.validation_log_likelihood;
      if (score > best_score) {
        best_score = score;
        best = snapshot(epoch);
        outcome.best_epoch = epoch;
        epochs_without_progress = 0;
      } else {
        ++epochs_without_progress;
      }
    }
    good = snapshot(epoch);
    if (on_epoch) on_epoch(report);
    if (options.patience > 0 && best && epochs_without_progress >= options.patience) {
      outcome.stopped_early = true;
      outcome.message = "stopped early after epoch " + std::to_string(epoch) + ": no better validation score for " +
                        std::to_string(options.patience) + " epochs; the parameters of epoch " +
                        std::to_string(best->epoch) + " (the best) are kept";
      go_back(*best);
      outcome.epochs_completed = best->epoch;
      return finish();
    }
  }
  return finish();
}

}  // namespace helmholtz
