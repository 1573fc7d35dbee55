// Data-parallel training (TrainingSetup::communicator) in a job of R ranks, each a thread
// here as each is a process under MPI (tests/support/thread_communicator.hpp). Facts checked:
//   for every algorithm (and float32, cues, momentum, weight decay, learning coordinates,
//   schedules, noisy-or and odds-sum nodes, cg), R = 1, 2, 3, 4 ranks end with the same
//   parameters on every rank, to the bit, with the same outcome and the same reports;
//   R = 1 is one process to the bit; R > 1 is one process to rounding (see `tolerance`);
//   parts may be empty (the last minibatch of 203 patterns at B = 10 has 3; B = 2 over 3
//   ranks always leaves one rank without a pattern);
//   the parts' gradients sum to the minibatch's, and weight decay is added once per step,
//   not once per rank (a fake algorithm whose sums are exact: bit for bit one process);
//   a stop request on one rank stops every rank at the same minibatch; a diverging run stops
//   on every rank in the same epoch with the same parameters; early stopping chooses the
//   same epoch on every rank; a job resumed gives the job run in one go, bit for bit;
//   an algorithm that cannot train on parts is refused, naming it, before on_ready;
//   a rank's minibatch steps allocate nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "framework/engines/training/follows_cues.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/model_file.hpp"
#include "tests/support/allocation_counter.hpp"
#include "tests/support/same_bits.hpp"
#include "tests/support/teacher_student.hpp"
#include "tests/support/thread_communicator.hpp"

using namespace helmholtz;

namespace {

struct Run {
  Network network;
  TrainingOutcome outcome;
  std::vector<EpochReport> reports;
};

struct Case {
  std::string name;
  TrainingOptions options;
  std::string data_kind = "sigmoid";  // the student's data node
  bool cues = false;                  // the student with cued hidden nodes
};

// The student (2-4-8), its data node's plugin `data_kind`, or with cued hidden nodes.
Network student(const Case& c) {
  return c.cues ? parse_model(testing::cued_student_text(), "cued.yaml") : testing::student_network(c.data_kind);
}

Run train_alone(const Network& start, const Matrix& data, const TrainingOptions& options) {
  Run run{start, {}, {}};
  TrainingSetup setup;
  run.outcome = train(run.network, data, options, setup, [&](const EpochReport& r) { run.reports.push_back(r); });
  return run;
}

// Each rank trains its own copy of `start`; `adjust(setup, rank)` may change a rank's setup.
std::vector<Run> train_ranks(std::size_t ranks, const Network& start, const Matrix& data,
                             const TrainingOptions& options,
                             const std::function<void(TrainingSetup&, std::size_t rank)>& adjust = {}) {
  std::vector<Run> runs(ranks, Run{start, {}, {}});
  testing::run_ranks(ranks, [&](Communicator& job) {
    Run& run = runs[job.rank()];
    TrainingSetup setup;
    setup.communicator = &job;
    if (adjust) adjust(setup, job.rank());
    run.outcome = train(run.network, data, options, setup, [&](const EpochReport& r) { run.reports.push_back(r); });
  });
  return runs;
}

double largest_difference(const Network& a, const Network& b) {
  double out = 0;
  for (auto [x, y] : {std::pair{&a.generative.parameters, &b.generative.parameters},
                      std::pair{&a.recognition.parameters, &b.recognition.parameters}})
    for (std::size_t i = 0; i < x->size(); ++i) out = std::max(out, std::abs((*x)(i) - (*y)(i)));
  return out;
}


std::vector<Case> cases() {
  auto with = [](std::string algorithm, std::size_t batch, auto&& adjust) {
    TrainingOptions o;
    o.algorithm = algorithm;
    o.batch_size = batch;
    o.epochs = 4;
    o.seed = 7;
    o.generative_rate = o.recognition_rate = 0.05;
    adjust(o);
    return o;
  };
  auto none = [](TrainingOptions&) {};
  return {
      {"wake-sleep", with("wake-sleep", 10, none)},
      {"wake-sleep float32", with("wake-sleep", 10, [](TrainingOptions& o) { o.single_precision = true; })},
      {"wake-sleep cues", with("wake-sleep", 10, [](TrainingOptions& o) { o.cue_epochs = 3; }), "sigmoid", true},
      {"wake-sleep batch 2", with("wake-sleep", 2, none)},
      {"wake-sleep noisy-or momentum weight decay",
       with("wake-sleep", 10, [](TrainingOptions& o) { o.optimizer = "momentum"; o.weight_decay = 0.01; }), "noisy-or"},
      {"rws sleep updates", with("rws", 10, [](TrainingOptions& o) { o.samples = 4; o.sleep_updates = true; })},
      {"rws float32", with("rws", 10, [](TrainingOptions& o) { o.samples = 4; o.single_precision = true; })},
      {"natural-wake-sleep", with("natural-wake-sleep", 20, none)},
      {"natural-rws", with("natural-rws", 20, [](TrainingOptions& o) { o.samples = 3; o.weight_decay = 0.01; })},
      {"deterministic", with("deterministic", 10, none)},
      {"deterministic odds-sum natural coordinates inverse schedule",
       with("deterministic", 10, [](TrainingOptions& o) { o.natural_coordinates = true; o.schedule = "inverse"; }), "odds-sum"},
      {"deterministic cg", with("deterministic", 10, [](TrainingOptions& o) { o.optimizer = "cg"; o.weight_decay = 0.01; })},
  };
}

// The largest difference from one process allowed to R > 1 ranks, per parameter. The ranks
// draw the same numbers as one process (row_share_test.cpp), so they follow its sample path;
// only the sums are rounded differently: a part's gradient is a product over fewer rows
// (another BLAS blocking, or a dgemv for one row), and the parts are added to each other
// instead of row by row. Measured after these 4 epochs: at most 4e-15 in float64, 4e-14
// with cg (its line search scales the differences by its step lengths), 2e-8 in float32
// (a part's float gradient is rounded to float before the double sum). A draw that fell
// between two values of a firing probability would move parameters by about the learning
// rate (0.05) from then on; the tolerances sit far from both.
double tolerance(const TrainingOptions& options) { return options.single_precision ? 1e-6 : 1e-12; }

// A fake data-parallel algorithm whose generative gradient is the count of its part's
// patterns in the top bias (not decayed) and 0 elsewhere, so that every sum over the ranks
// is exact: small integers and zeros.
class CountPatterns final : public TrainingAlgorithm {
 public:
  explicit CountPatterns(bool data_parallel) : data_parallel_(data_parallel) {}
  bool data_parallel() const override { return data_parallel_; }
  void train_batch(const Matrix& batch, Rng&, Learners& learners, double rate_factor) override {
    learners.generative.zero_gradient();
    learners.generative.gradient()(0) = static_cast<double>(batch.shape(0));
    learners.generative.step(rate_factor);
  }

 private:
  bool data_parallel_;
};

AlgorithmRegistry fake_algorithms() {
  AlgorithmRegistry registry = builtin_algorithms();
  registry.add({"count", "", [](Network&, const TrainingOptions&) { return std::make_unique<CountPatterns>(true); }});
  registry.add({"whole-minibatches", "",
                [](Network&, const TrainingOptions&) { return std::make_unique<CountPatterns>(false); }});
  return registry;
}

// Rank 0 of a job of two whose other rank holds the same numbers: sums double, the rest
// returns at once. Not a job that trains anything sensible, but one rank's every call of the
// data-parallel path, with no thread to count the allocations of.
class MirroredRank final : public Communicator {
 public:
  std::size_t rank() const override { return 0; }
  std::size_t size() const override { return 2; }
  std::vector<double> gather(std::span<const double> mine) override {
    std::vector<double> all(mine.begin(), mine.end());
    all.insert(all.end(), mine.begin(), mine.end());
    return all;
  }
  void broadcast(std::span<double>) override {}
  void sum(std::span<double> values) override {
    for (double& x : values) x *= 2;
  }
  double combined_progress(double mine) override { return mine; }
  void end_progress() override {}
};

}  // namespace

TEST_CASE("every algorithm over 1-4 ranks: the same parameters on every rank to the bit, one process's to rounding") {
  const Matrix data = testing::teacher_data(203, 4);  // the last minibatch holds 3 patterns
  for (const Case& c : cases()) {
    CAPTURE(c.name);
    const Network start = student(c);
    const Run alone = train_alone(start, data, c.options);
    REQUIRE(alone.outcome.epochs_completed == 4);
    REQUIRE(largest_difference(alone.network, start) > 1e-3);  // it learned
    for (std::size_t ranks : {1, 2, 3, 4}) {
      CAPTURE(ranks);
      const std::vector<Run> runs = train_ranks(ranks, start, data, c.options);
      for (const Run& run : runs) {
        CHECK(testing::same_parameters(run.network, runs[0].network));
        CHECK(run.outcome.epochs_completed == 4);
        CHECK(!run.outcome.diverged);
        REQUIRE(run.reports.size() == 4);
        for (std::size_t e = 0; e < 4; ++e) {  // agreed on: every rank reports rank 0's numbers
          CHECK(std::bit_cast<std::uint64_t>(run.reports[e].sampled_bound) ==
                std::bit_cast<std::uint64_t>(runs[0].reports[e].sampled_bound));
          CHECK(std::bit_cast<std::uint64_t>(run.reports[e].objective) ==
                std::bit_cast<std::uint64_t>(runs[0].reports[e].objective));
        }
      }
      if (ranks == 1) {
        CHECK(testing::same_parameters(runs[0].network, alone.network));
        for (std::size_t e = 0; e < 4; ++e) CHECK(runs[0].reports[e].sampled_bound == alone.reports[e].sampled_bound);
      } else {
        CHECK(largest_difference(runs[0].network, alone.network) <= tolerance(c.options));
        for (std::size_t e = 0; e < 4; ++e)
          CHECK(runs[0].reports[e].sampled_bound == doctest::Approx(alone.reports[e].sampled_bound).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("the parts' gradients sum to the minibatch's, and weight decay is added once per step, not per rank") {
  const AlgorithmRegistry registry = fake_algorithms();
  const Matrix data = testing::teacher_data(203, 4);
  const Network start = testing::student_network();
  TrainingOptions options;
  options.algorithm = "count";
  options.batch_size = 10;
  options.epochs = 2;
  options.generative_rate = 1.0 / 1024;
  options.weight_decay = 0.25;
  Run alone{start, {}, {}};
  TrainingSetup setup;
  setup.algorithms = &registry;
  train(alone.network, data, options, setup);
  // The top bias rose by the rate times every pattern of both epochs; the weights decayed.
  CHECK(alone.network.generative.parameters(0) == doctest::Approx(start.generative.parameters(0) + 2 * 203.0 / 1024));
  CHECK(largest_difference(alone.network, start) > 1e-3);
  for (std::size_t ranks : {2, 3, 4}) {
    CAPTURE(ranks);
    const std::vector<Run> runs =
        train_ranks(ranks, start, data, options, [&](TrainingSetup& s, std::size_t) { s.algorithms = &registry; });
    for (const Run& run : runs) CHECK(testing::same_parameters(run.network, alone.network));
  }
}

TEST_CASE("a stop request on one rank stops every rank at the same minibatch") {
  const Matrix data = testing::teacher_data(203, 4);
  const Network start = testing::student_network();
  TrainingOptions options = cases()[0].options;
  SUBCASE("asked before the first minibatch, on rank 2: the starting parameters everywhere") {
    std::atomic<bool> asked{true}, not_asked{false};
    std::vector<TrainingOptions> per_rank(3, options);
    for (std::size_t r = 0; r < 3; ++r) per_rank[r].interrupt = r == 2 ? &asked : &not_asked;
    std::vector<Run> stopped(3, Run{start, {}, {}});
    testing::run_ranks(3, [&](Communicator& job) {
      TrainingSetup s;
      s.communicator = &job;
      stopped[job.rank()].outcome = train(stopped[job.rank()].network, data, per_rank[job.rank()], s);
    });
    for (const Run& run : stopped) {
      CHECK(run.outcome.interrupted);
      CHECK(run.outcome.epochs_completed == 0);
      CHECK(testing::same_parameters(run.network, start));
    }
  }
  SUBCASE("asked by rank 1 after epoch 2: every rank stops before epoch 3 with the parameters of 2 epochs") {
    std::vector<std::atomic<bool>> asked(3);
    for (auto& a : asked) a = false;
    std::vector<Run> stopped(3, Run{start, {}, {}});
    testing::run_ranks(3, [&](Communicator& job) {
      const std::size_t rank = job.rank();
      TrainingOptions mine = options;
      mine.interrupt = &asked[rank];
      TrainingSetup s;
      s.communicator = &job;
      stopped[rank].outcome = train(stopped[rank].network, data, mine, s, [&](const EpochReport& r) {
        if (rank == 1 && r.epoch == 2) asked[rank] = true;
      });
    });
    TrainingOptions two = options;
    two.epochs = 2;
    const std::vector<Run> uninterrupted = train_ranks(3, start, data, two);
    for (const Run& run : stopped) {
      CHECK(run.outcome.interrupted);
      CHECK(run.outcome.epochs_completed == 2);
      CHECK(testing::same_parameters(run.network, uninterrupted[0].network));
    }
  }
}

TEST_CASE("a diverging job stops on every rank in the same epoch, with the last good parameters") {
  const Matrix data = testing::teacher_data(50, 4);
  const Network start = testing::student_network();
  TrainingOptions options;
  options.epochs = 5;
  options.batch_size = 10;
  options.generative_rate = options.recognition_rate = 1e308;
  options.seed = 1;
  const std::vector<Run> runs = train_ranks(3, start, data, options);
  for (const Run& run : runs) {
    CHECK(run.outcome.diverged);
    CHECK(run.outcome.epochs_completed == 0);
    CHECK(run.outcome.message.find("training diverged in epoch 1") == 0);
    CHECK(testing::same_parameters(run.network, start));
  }
}

TEST_CASE("early stopping in a job: every rank keeps the same best epoch, scored by the split exact validation") {
  // The bias of one unit rises by rate x 8 = 1 per epoch (one minibatch of 8 patterns,
  // summed exactly over the ranks): the validation log-likelihood is best at bias 0, epoch 4.
  const AlgorithmRegistry registry = fake_algorithms();
  const char* const one_unit = R"(
nodes:
  - {name: d, type: binary, size: 1, observed: true}
generative:
  d: {distribution: sigmoid, bias: [-4]}
)";
  const Network start = parse_model(one_unit, "one.yaml");
  Matrix data = Matrix::from_shape({8, 1});
  for (std::size_t n = 0; n < 8; ++n) data(n, 0) = n < 4 ? 1.0 : 0.0;
  TrainingOptions options;
  options.algorithm = "count";
  options.epochs = 20;
  options.batch_size = 8;
  options.generative_rate = 0.125;
  options.patience = 2;
  const std::vector<Run> runs = train_ranks(3, start, data, options, [&](TrainingSetup& s, std::size_t) {
    s.algorithms = &registry;
    s.validation = &data;
  });
  for (const Run& run : runs) {
    CHECK(run.outcome.stopped_early);
    CHECK(run.outcome.best_epoch == 4);
    CHECK(run.outcome.epochs_completed == 4);
    CHECK(run.network.generative.parameters(0) == 0.0);
    REQUIRE(run.reports.size() == 6);
    CHECK(run.reports[3].validation_log_likelihood == doctest::Approx(std::log(0.5)).epsilon(1e-14));
    for (std::size_t e = 0; e < 6; ++e)
      CHECK(run.reports[e].validation_sampled_bound == runs[0].reports[e].validation_sampled_bound);
  }
}

TEST_CASE("a job resumed after 2 epochs gives the job of 4 epochs in one go, bit for bit") {
  const Matrix data = testing::teacher_data(203, 4);
  const Network start = testing::student_network();
  for (const char* algorithm : {"wake-sleep", "rws"}) {
    CAPTURE(algorithm);
    TrainingOptions options = cases()[0].options;
    options.algorithm = algorithm;
    options.optimizer = "momentum";
    const std::vector<Run> whole = train_ranks(2, start, data, options);
    options.epochs = 2;
    std::vector<Run> half(2, Run{start, {}, {}});
    std::vector<TrainingSetup> setups(2);
    for (int part = 0; part < 2; ++part)
      testing::run_ranks(2, [&](Communicator& job) {
        TrainingSetup& s = setups[job.rank()];
        s.communicator = &job;
        half[job.rank()].outcome = train(half[job.rank()].network, data, options, s);
      });
    for (std::size_t r = 0; r < 2; ++r) {
      CHECK(half[r].outcome.epochs_completed == 4);
      CHECK(testing::same_parameters(half[r].network, whole[r].network));
    }
  }
}

TEST_CASE("an algorithm that trains on whole minibatches only is refused in a job of several ranks, by name") {
  const AlgorithmRegistry registry = fake_algorithms();
  const Matrix data = testing::teacher_data(20, 4);
  const Network start = testing::student_network();
  TrainingOptions options;
  options.algorithm = "whole-minibatches";
  options.batch_size = 10;
  std::atomic<int> ready{0};
  CHECK_THROWS_WITH_AS(train_ranks(3, start, data, options,
                                   [&](TrainingSetup& s, std::size_t) {
                                     s.algorithms = &registry;
                                     s.on_ready = [&] { ++ready; };
                                   }),
                       "the algorithm 'whole-minibatches' trains on whole minibatches only, so the 3 ranks of this job "
                       "cannot split them; train it in one process",
                       Error);
  CHECK(ready == 0);
  // A job of one rank is one process: any algorithm trains.
  const std::vector<Run> one = train_ranks(1, start, data, options, [&](TrainingSetup& s, std::size_t) {
    s.algorithms = &registry;
    s.on_ready = [&] { ++ready; };
  });
  CHECK(ready == 1);
  CHECK(one[0].outcome.epochs_completed == options.epochs);
}

TEST_CASE("the same choice on every rank: rws skips its wake step only when no rank has a possible sample") {
  testing::run_ranks(3, [](Communicator& job) {
    const MinibatchShare share{{}, &job};
    CHECK(share.any(job.rank() == 1));
    CHECK(!share.any(false));
    CHECK(share.any(true));
  });
  CHECK(MinibatchShare{}.any(true));
  CHECK(!MinibatchShare{}.any(false));
}

TEST_CASE("a rank's minibatch steps allocate nothing: an epoch over more patterns allocates no more") {
  for (const Case& c : cases()) {
    if (c.options.optimizer == "cg") continue;  // one line search per epoch, no minibatches
    CAPTURE(c.name);
    const Network start = student(c);
    const Matrix small = testing::teacher_data(200, 5), large = testing::teacher_data(600, 6);
    TrainingOptions options = c.options;
    options.epochs = 1;
    auto allocations_of = [&](const Matrix& data) {
      Network network = start;
      MirroredRank job;
      TrainingSetup setup;
      setup.communicator = &job;
      const long before = testing::allocations.load();
      train(network, data, options, setup);
      return testing::allocations.load() - before;
    };
    allocations_of(small);  // statics made on first use
    CHECK(allocations_of(large) == allocations_of(small));
  }
}

