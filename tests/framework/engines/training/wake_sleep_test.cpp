// Wake-sleep learning: the update rule by hand, learning a known network, reproducibility,
// round trips of trained models, and no allocation per pattern on the online path.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <dlfcn.h>
#include <new>

#include "plugins/builtin.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/model_file.hpp"
#include "framework/numerics.hpp"

using namespace helmholtz;

#include "tests/support/allocation_counter.hpp"
#include "tests/support/teacher_student.hpp"

using helmholtz::testing::allocations;

namespace {

TrainingOutcome train_wake_sleep(Network& network, const Matrix& data, const TrainingOptions& options,
                                 const std::function<void(const EpochReport&)>& on_epoch = {}) {
  TrainingSetup setup;
  return train(network, data, options, setup, on_epoch);
}

double mean_log_likelihood(const Network& network, const Matrix& data) {
  return xt::mean(exact_inference(network, data).log_likelihood)();
}

}  // namespace

TEST_CASE("one online wake step is the delta rule dW = rate (s - p) x on the recognised states") {
  // Recognition with bias 40 makes h = 1 certain, so the wake phase sees (h, d) = (1, 1).
  Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 1}
  - {name: d, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.3]}
  d: {distribution: sigmoid, parents: [h], bias: [-0.2], weights: {h: [[0.7]]}}
recognition:
  h: {distribution: sigmoid, parents: [d], bias: [40], weights: {d: [[0]]}}
)", "delta.yaml");
  const Matrix data = {{1.0}};
  TrainingOptions options;
  options.epochs = 1;
  options.generative_rate = 0.25;
  options.recognition_rate = 0.125;
  options.seed = 9;
  Network trained = network;
  train_wake_sleep(trained, data, options);
  const double ph = numerics::sigmoid(0.3), pd = numerics::sigmoid(-0.2 + 0.7);
  const ParameterView h = trained.generative.conditionals[0].distribution->parameters();
  const ParameterView d = trained.generative.conditionals[1].distribution->parameters();
  CHECK(h(0) == doctest::Approx(0.3 + 0.25 * (1 - ph)).epsilon(1e-15));
  CHECK(d(0) == doctest::Approx(-0.2 + 0.25 * (1 - pd)).epsilon(1e-15));
  CHECK(d(1) == doctest::Approx(0.7 + 0.25 * (1 - pd) * 1.0).epsilon(1e-15));

  // A batch of two identical patterns takes one step of the mean gradient: the same update.
  Network batched = network;
  options.batch_size = 2;
  train_wake_sleep(batched, Matrix{{1.0}, {1.0}}, options);
  CHECK(batched.generative.conditionals[1].distribution->parameters()(1) == doctest::Approx(d(1)).epsilon(1e-15));
}

TEST_CASE("wake-sleep on data from a known network raises held-out log p(d) near the true network's") {
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(1);
  const Matrix train = sample_visible(teacher, 2000, rng);
  const Matrix held_out = sample_visible(teacher, 1000, rng);
  const double truth = mean_log_likelihood(teacher, held_out);
  // The data node's plugin varies. All learn at the same rate, noisy-or and odds-sum in their
  // learning coordinates (log-hazard and log), where their gradients stay bounded; they get
  // less close, the teacher being sigmoid.
  struct Case {
    std::string kind;
    double rate;
    std::size_t epochs;
    double within_nats;
  };
  for (const Case& c : {Case{"sigmoid", 0.05, 40, 0.35}, Case{"noisy-or", 0.05, 40, 0.75},
                        Case{"odds-sum", 0.05, 40, 0.75}}) {
    CAPTURE(c.kind);
    Network student = testing::student_network(c.kind);
    const double before = mean_log_likelihood(student, held_out);
    TrainingOptions options;
    options.epochs = c.epochs;
    options.generative_rate = options.recognition_rate = c.rate;
    options.seed = 4;
    train_wake_sleep(student, train, options);
    const double after = mean_log_likelihood(student, held_out);
    MESSAGE(c.kind << ": held-out mean log p(d) " << before << " -> " << after << " (true network " << truth << ")");
    CHECK(after > before + 0.6 * (truth - before));  // most of the way from the start to the truth
    CHECK(after > truth - c.within_nats);            // and near the truth, in nats per pattern
  }
}

TEST_CASE("training is reproducible for a seed, and a different seed gives a different model") {
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(2);
  const Matrix train = sample_visible(teacher, 300, rng);
  TrainingOptions options;
  options.epochs = 3;
  options.batch_size = 7;
  options.seed = 11;
  Network a = testing::student_network("noisy-or"), b = a, c = a;
  train_wake_sleep(a, train, options);
  train_wake_sleep(b, train, options);
  options.seed = 12;
  train_wake_sleep(c, train, options);
  CHECK(model_to_yaml(a) == model_to_yaml(b));
  CHECK(model_to_yaml(a) != model_to_yaml(c));
}

TEST_CASE("a trained model file loads back identically, bit for bit") {
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(3);
  const Matrix train = sample_visible(teacher, 200, rng);
  for (const std::string kind : {"sigmoid", "noisy-or", "odds-sum"}) {
    Network student = testing::student_network(kind);
    TrainingOptions options;
    options.epochs = 2;
    options.seed = 5;
    train_wake_sleep(student, train, options);
    const std::string text = model_to_yaml(student);
    const Network loaded = parse_model(text, "trained.yaml");
    for (std::size_t i = 0; i < student.nodes.size(); ++i)
      for (auto [x, y] : {std::pair{&student.generative, &loaded.generative}, std::pair{&student.recognition, &loaded.recognition}}) {
        const auto& p = x->conditionals[i];
        const auto& q = y->conditionals[i];
        REQUIRE(bool(p.distribution) == bool(q.distribution));
        if (!p.distribution) continue;
        CHECK(p.parents == q.parents);
        CHECK(p.distribution->kind() == q.distribution->kind());
        CHECK(p.distribution->parameters() == q.distribution->parameters());
      }
    CHECK(model_to_yaml(loaded) == text);
  }
}

TEST_CASE("learning keeps noisy-or and odds-sum parameters in range, even with a large rate") {
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(6);
  const Matrix train = sample_visible(teacher, 300, rng);
  for (const std::string kind : {"noisy-or", "odds-sum"}) {
    Network student = testing::student_network(kind);
    TrainingOptions options;
    options.epochs = 3;
    options.generative_rate = options.recognition_rate = 2.0;
    options.seed = 7;
    train_wake_sleep(student, train, options);
    student.generative.conditionals[2].distribution->validate(Where{});
    // Learning keeps away from parameters that make some data impossible.
    CHECK(std::isfinite(mean_log_likelihood(student, train)));
  }
}

TEST_CASE("the online path allocates nothing per pattern") {
  // Allocations of one epoch over 100 patterns and over 1000 patterns must be the same:
  // whatever is allocated is set-up, not per-pattern work.
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(8);
  const Matrix small = sample_visible(teacher, 100, rng);
  const Matrix large = sample_visible(teacher, 1000, rng);
  for (const std::string kind : {"sigmoid", "noisy-or", "odds-sum"}) {
    CAPTURE(kind);
    TrainingOptions options;
    options.epochs = 1;
    options.seed = 1;
    Network a = testing::student_network(kind), b = a, warm_up = a;
    train_wake_sleep(warm_up, small, options);  // statics made on first use (the algorithm registry)
    const long start = allocations.load();
    train_wake_sleep(a, small, options);
    const long for_small = allocations.load() - start;
    train_wake_sleep(b, large, options);
    const long for_large = allocations.load() - start - for_small;
    CHECK(for_large == for_small);
  }
}

TEST_CASE("an interrupt request stops training with the parameters reached so far") {
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(9);
  const Matrix train = sample_visible(teacher, 50, rng);
  Network student = testing::student_network("sigmoid");
  std::atomic<bool> stop{true};
  TrainingOptions options;
  options.seed = 1;
  options.interrupt = &stop;
  const TrainingOutcome outcome = train_wake_sleep(student, train, options);
  CHECK(outcome.interrupted);
  CHECK(outcome.epochs_completed == 0);
}

TEST_CASE("each epoch is reported with its speed and a finite sampled bound") {
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(10);
  const Matrix train = sample_visible(teacher, 200, rng);
  Network student = testing::student_network("sigmoid");
  TrainingOptions options;
  options.epochs = 3;
  options.seed = 2;
  std::vector<EpochReport> reports;
  train_wake_sleep(student, train, options, [&](const EpochReport& r) { reports.push_back(r); });
  REQUIRE(reports.size() == 3);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    CHECK(reports[i].epoch == i + 1);
    CHECK(reports[i].patterns_per_second > 0);
    CHECK(std::isfinite(reports[i].sampled_bound));
    CHECK(reports[i].sampled_bound < 0);
  }
}
