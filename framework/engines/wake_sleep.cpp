#include "framework/engines/wake_sleep.hpp"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <chrono>
#include <numeric>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/free_energy.hpp"
#include "framework/engines/recognition.hpp"

namespace helmholtz {
namespace {

constexpr std::size_t report_patterns = 1000;
constexpr std::uint64_t report_stream = 0x9e3779b97f4a7c15ull;  // keeps the report's samples apart

// One gradient buffer, parents matrix and workspace per node and direction, allocated once
// (a buffer shared by nodes of different shapes would be reallocated at every node).
struct Gradients {
  std::vector<Vector> by_node;
  std::vector<Matrix> parents;
  std::vector<Workspace> workspace;
  explicit Gradients(const DirectedModel& model)
      : parents(model.conditionals.size()), workspace(model.conditionals.size()) {
    for (const auto& c : model.conditionals)
      by_node.push_back(c.distribution ? Vector::from_shape({c.distribution->parameters().size()}) : Vector());
  }
};

// One step of every distribution of `model` along the mean gradient of its log-probability
// of `states` (the wake phase for the generative model, the sleep phase for recognition).
void ascend(DirectedModel& model, const NodeStates& states, std::size_t patterns, double rate, Gradients& gradients) {
  const double scale = 1.0 / static_cast<double>(patterns);
  for (std::size_t node : model.order) {
    Conditional& conditional = model.conditionals[node];
    if (!conditional.distribution) continue;
    Vector& gradient = gradients.by_node[node];
    gradient.fill(0.0);
    Matrix& parents = gradients.parents[node];
    gather_parents(conditional, states, patterns, parents);
    conditional.distribution->accumulate_gradient(parents, states[node], scale, gradient, gradients.workspace[node]);
    conditional.distribution->step(gradient, rate);
  }
}

}  // namespace

TrainingOutcome train_wake_sleep(Network& network, const Matrix& data, const WakeSleepOptions& options,
                                 const std::function<void(const EpochReport&)>& on_epoch) {
  if (options.batch_size == 0) throw Error("the batch size must be at least 1");
  if (data.shape(1) != network.visible_units())
    throw Error("the data have " + std::to_string(data.shape(1)) + " columns, but the network has " +
                std::to_string(network.visible_units()) + " visible units");
  const std::size_t patterns = data.shape(0);
  const std::size_t width = data.shape(1);
  Rng rng = make_rng(options.seed);
  RecognitionSampler recognition(network);
  AncestralSampler generative(network);
  Gradients wake_gradients(network.generative), sleep_gradients(network.recognition);
  std::vector<std::size_t> order(patterns);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Matrix batch;
  const Matrix report_data = xt::view(data, xt::range(0, std::min(patterns, report_patterns)), xt::all());

  TrainingOutcome outcome;
  for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    if (options.shuffle)  // Fisher-Yates with Boost.Random, identical on every platform
      for (std::size_t i = patterns; i > 1; --i)
        std::swap(order[i - 1], order[boost::random::uniform_int_distribution<std::size_t>(0, i - 1)(rng)]);
    for (std::size_t first = 0; first < patterns; first += options.batch_size) {
      if (options.interrupt && options.interrupt->load(std::memory_order_relaxed)) {
        outcome.interrupted = true;
        return outcome;
      }
      const std::size_t count = std::min(options.batch_size, patterns - first);
      ensure_shape(batch, count, width);
      for (std::size_t n = 0; n < count; ++n)
        std::copy(data.data() + order[first + n] * width, data.data() + (order[first + n] + 1) * width,
                  batch.data() + n * width);
      // Wake: h ~ Q(.|d), then the generative model learns to produce (h, d).
      const NodeStates& recognised = recognition.sample(batch, rng);
      ascend(network.generative, recognised, count, options.generative_rate, wake_gradients);
      // Sleep: (h, d) ~ P, then the recognition model learns to recover h from d.
      const NodeStates& fantasy = generative.sample(count, rng);
      ascend(network.recognition, fantasy, count, options.recognition_rate, sleep_gradients);
    }
    outcome.epochs_completed = epoch;
    if (on_epoch) {
      EpochReport report;
      report.epoch = epoch;
      report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      report.patterns_per_second = report.seconds > 0 ? static_cast<double>(patterns) / report.seconds : 0.0;
      Rng report_rng = make_rng(options.seed ^ (report_stream + epoch));
      const Vector bound = sampled_estimates(network, report_data, 1, report_rng).sampled_bound;
      report.sampled_bound = xt::mean(bound)();
      on_epoch(report);
    }
  }
  return outcome;
}

}  // namespace helmholtz
