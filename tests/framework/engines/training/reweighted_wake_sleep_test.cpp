// Reweighted wake-sleep (rws) and its natural-gradient form (natural-rws): K = 1 is
// wake-sleep's wake phase bit for bit; with many samples the steps are the exact posterior
// expectations; samples impossible under P, or whose log Q is NaN or -inf, get weight
// exactly 0; both learn a known network; no allocation per minibatch.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include <xtensor/xview.hpp>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/numerics.hpp"
#include "framework/weighted_distribution.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/allocation_counter.hpp"
#include "tests/support/teacher_student.hpp"
#include "tests/support/log_space_reference.hpp"
#include "tests/support/opaque_distribution.hpp"
#include "tests/support/same_bits.hpp"

using namespace helmholtz;

using helmholtz::testing::allocations;

namespace {

double mean_log_likelihood(const Network& network, const Matrix& data) {
  return xt::mean(exact_inference(network, data).log_likelihood)();
}

using testing::same_bits;

// One train_batch of `algorithm` on `network` with plain sgd at the given rate.
void one_batch(Network& network, const Matrix& batch, TrainingOptions options, std::uint64_t seed) {
  DirectionLearner generative(network.generative, options, options.generative_rate);
  DirectionLearner recognition(network.recognition, options, options.recognition_rate);
  Learners learners{generative, recognition};
  const auto algorithm = builtin_algorithms().create(options.algorithm, network, options);
  Rng rng = make_rng(seed);
  algorithm->train_batch(batch, rng, learners, 1.0);
}

double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

}  // namespace

TEST_CASE("rws with K = 1: every weight is 1 and the P step is wake-sleep's wake step, bit for bit") {
  const Matrix data = testing::teacher_data(20, 1);
  for (const std::size_t batch_size : {1, 7, 20}) {
    CAPTURE(batch_size);
    const Matrix batch = xt::view(data, xt::range(0, batch_size), xt::all());
    const Network original = testing::student_network();
    TrainingOptions options;
    options.generative_rate = 0.3;
    options.recognition_rate = 0.2;
    options.samples = 1;
    Network rws = original, wake_sleep = original;
    options.algorithm = "rws";
    one_batch(rws, batch, options, 17);
    options.algorithm = "wake-sleep";
    one_batch(wake_sleep, batch, options, 17);
    CHECK(!same_bits(rws.generative.parameters, original.generative.parameters));
    CHECK(same_bits(rws.generative.parameters, wake_sleep.generative.parameters));

    // The Q step, separately: phi + rate (1/B) sum_n d/dphi log Q(h_n | d_n) at the same
    // samples (the same seed gives the same h_n).
    Rng rng = make_rng(17);
    RecognitionSampler sampler(original);
    const NodeStates& h = sampler.sample(batch, rng);
    Vector expected = original.recognition.parameters;
    for (std::size_t node = 0; node < original.nodes.size(); ++node) {
      const Conditional& c = original.recognition.conditionals[node];
      if (!c.distribution) continue;
      Matrix parents;
      gather_parents(c, h, batch_size, parents);
      Vector gradient = xt::zeros<double>({c.distribution->parameter_count()});
      Workspace work;
      c.distribution->accumulate_gradient(parents, h[node], 1.0 / static_cast<double>(batch_size), gradient, work);
      for (std::size_t i = 0; i < gradient.size(); ++i) {  // one fused multiply-add, as the sgd step makes it
        double& phi = expected(original.recognition.offsets[node] + i);
        phi = std::fma(options.recognition_rate, gradient(i), phi);
      }
    }
    CHECK(same_bits(rws.recognition.parameters, expected));
  }
}

TEST_CASE("with many samples the rws steps are the exact posterior expectations of the P and Q gradients") {
  // One sgd step at rate 1 moves theta by the rws gradient, which for large K must be
  //   P: (1/B) sum_n E_{P(h|d_n)} d/dtheta log P(h, d_n)   (the gradient of mean log p(d))
  //   Q: (1/B) sum_n E_{P(h|d_n)} d/dphi log Q(h | d_n),
  // written out here for sigmoid units by hand, with the posterior by enumeration. Q is far
  // from the posterior, so unweighted samples (wake-sleep) would miss both by a lot.
  Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 2}
  - {name: d, type: binary, size: 3, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.3, -0.4]}
  d: {distribution: sigmoid, parents: [h], bias: [-1, 0.5, 0.2], weights: {h: [[2, -1], [0.5, 1.5], [-2, 1]]}}
recognition:
  h: {distribution: sigmoid, parents: [d], bias: [0.1, -0.2], weights: {d: [[0.5, -0.5, 0.3], [0.2, 0.4, -0.6]]}}
)", "exact.yaml");
  const Matrix batch = {{1, 0, 1}, {0, 1, 1}};
  const Network original = network;
  const ParameterView b_h = original.generative.conditionals[0].distribution->parameters();
  const ParameterView pd = original.generative.conditionals[1].distribution->parameters();  // [b_d | W]
  const ParameterView q = original.recognition.conditionals[0].distribution->parameters();  // [c | V]

  Vector p_gradient = xt::zeros<double>({original.generative.parameters.size()});
  Vector p_gradient_under_q = p_gradient;  // E_Q(h|d) instead: what wake-sleep's wake phase follows
  Vector q_gradient = xt::zeros<double>({original.recognition.parameters.size()});
  const std::size_t b_d = original.generative.offsets[1], w = b_d + 3;
  for (std::size_t n = 0; n < 2; ++n) {
    double log_p[4], total = -numerics::infinity;
    for (unsigned h = 0; h < 4; ++h) {
      log_p[h] = static_cast<double>(reference::log_joint(original, h, batch, n));
      total = numerics::log_add_exp(total, log_p[h]);
    }
    for (unsigned h = 0; h < 4; ++h) {
      const double x[2] = {double(h & 1u), double((h >> 1) & 1u)};
      const double posterior = std::exp(log_p[h] - total) / 2;  // and 1/B
      double q_delta[2], q_h = 0.5;                              // Q(h | d_n), and 1/B
      for (std::size_t k = 0; k < 2; ++k) {
        double a = q(k);
        for (std::size_t j = 0; j < 3; ++j) a += q(2 + 3 * k + j) * batch(n, j);
        q_delta[k] = x[k] - sigmoid(a);
        q_h *= x[k] ? sigmoid(a) : 1 - sigmoid(a);
      }
      for (std::size_t k = 0; k < 2; ++k) {
        p_gradient(k) += posterior * (x[k] - sigmoid(b_h(k)));
        p_gradient_under_q(k) += q_h * (x[k] - sigmoid(b_h(k)));
        q_gradient(k) += posterior * q_delta[k];
        for (std::size_t j = 0; j < 3; ++j) q_gradient(2 + 3 * k + j) += posterior * q_delta[k] * batch(n, j);
      }
      for (std::size_t j = 0; j < 3; ++j) {
        const double delta = batch(n, j) - sigmoid(pd(j) + pd(3 + 2 * j) * x[0] + pd(4 + 2 * j) * x[1]);
        p_gradient(b_d + j) += posterior * delta;
        p_gradient_under_q(b_d + j) += q_h * delta;
        for (std::size_t k = 0; k < 2; ++k) {
          p_gradient(w + 2 * j + k) += posterior * delta * x[k];
          p_gradient_under_q(w + 2 * j + k) += q_h * delta * x[k];
        }
      }
    }
  }
  // The weights matter here: unweighted samples would be off by more than 0.1 in both (under
  // Q itself the mean of Q's own gradient is 0).
  REQUIRE(xt::amax(xt::abs(p_gradient - p_gradient_under_q))() > 0.1);
  REQUIRE(xt::amax(xt::abs(q_gradient))() > 0.1);

  TrainingOptions options;
  options.algorithm = "rws";
  options.samples = 20000;
  options.generative_rate = options.recognition_rate = 1.0;
  one_batch(network, batch, options, 3);
  const Vector p_step = network.generative.parameters - original.generative.parameters;
  const Vector q_step = network.recognition.parameters - original.recognition.parameters;
  MESSAGE("largest error: P " << xt::amax(xt::abs(p_step - p_gradient))() << ", Q "
                              << xt::amax(xt::abs(q_step - q_gradient))());
  for (std::size_t i = 0; i < p_step.size(); ++i) CHECK(std::abs(p_step(i) - p_gradient(i)) < 0.02);
  for (std::size_t i = 0; i < q_step.size(); ++i) CHECK(std::abs(q_step(i) - q_gradient(i)) < 0.02);
}

TEST_CASE("samples impossible under P get weight exactly 0, and a pattern with no possible sample drops out") {
  // Under P a data unit that is on needs h on: the noisy-or's leak is 0, so P(h = 0, d = 1) = 0
  // and log P = -inf. The posterior of d = 1 is then h = 1 for certain, and the rws steps are
  // exactly its gradients, whatever share of the K samples Q spends on h = 0.
  const auto network_with = [](const char* recognition) {
    return parse_model(std::string(R"(
nodes:
  - {name: h, type: binary, size: 1}
  - {name: d, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.2]}
  d: {distribution: noisy-or, parents: [h], bias: [0], weights: {h: [[0.7]]}}
recognition:
  h: {distribution: sigmoid, parents: [d], )") + recognition + "}\n",
                       "impossible.yaml");
  };
  TrainingOptions options;
  options.algorithm = "rws";
  options.samples = 8;
  options.generative_rate = 0.5;
  options.recognition_rate = 0.25;
  const double rate = options.generative_rate;

  SUBCASE("Q(h = 1 | d) = 1/2: about half the samples are impossible") {
    Network network = network_with("bias: [0], weights: {d: [[0]]}");
    one_batch(network, Matrix{{1.0}}, options, 5);
    const Vector& p = network.generative.parameters;
    const Vector& q = network.recognition.parameters;
    CHECK(xt::all(xt::isfinite(p)));
    CHECK(p(0) == doctest::Approx(0.2 + rate * (1 - sigmoid(0.2))).epsilon(1e-14));  // E_post[h - sigma(b)]
    CHECK(q(0) == doctest::Approx(options.recognition_rate * 0.5).epsilon(1e-14));   // E_post[h - 1/2]
    CHECK(q(1) == doctest::Approx(options.recognition_rate * 0.5).epsilon(1e-14));   // times d = 1
  }
  SUBCASE("Q never proposes h = 1 for d = 1: the pattern drops out, its share is not handed on") {
    for (const std::size_t k : {1, 8}) {
      CAPTURE(k);
      options.samples = k;
      const Network original = network_with("bias: [40], weights: {d: [[-80]]}");
      Network alone = original;
      one_batch(alone, Matrix{{1.0}}, options, 5);  // every weight 0: no step at all
      CHECK(same_bits(alone.generative.parameters, original.generative.parameters));
      CHECK(same_bits(alone.recognition.parameters, original.recognition.parameters));
      // Beside a possible pattern (d = 0, for which Q proposes h = 1): half its step.
      Network mixed = original;
      one_batch(mixed, Matrix{{1.0}, {0.0}}, options, 5);
      CHECK(xt::all(xt::isfinite(mixed.generative.parameters)));
      CHECK(xt::all(xt::isfinite(mixed.recognition.parameters)));
      CHECK(mixed.generative.parameters(0) == doctest::Approx(0.2 + rate * 0.5 * (1 - sigmoid(0.2))).epsilon(1e-14));
    }
  }
}

namespace {

// A sigmoid unit whose log_probability and log_firing_probabilities report `claim` (NaN, or
// -inf: "impossible") for unit 0 on, although probabilities() lets it fire half the time:
// what a plugin whose log-probability disagrees with its sampler would hand rws (which takes
// log Q of a first recognition layer from the firing log-probabilities, once per pattern).
class Lying final : public WeightedDistribution {
 public:
  Lying(NodeShape shape, double claim)
      : WeightedDistribution(std::move(shape), BlockSpec{}, BlockSpec{}), claim_(claim) {}
  std::string_view kind() const override { return "lying"; }
  void probabilities(const Matrix& parents, Matrix& p) const override {
    affine(parents, p);
    for (double& x : p) x = numerics::sigmoid(x);
  }
  void log_firing_probabilities(const Matrix& parents, Matrix& log_on, Matrix& log_off) const override {
    affine(parents, log_on);
    log_off = log_on;
    for (double& x : log_on) x = numerics::log_sigmoid(x);
    for (double& x : log_off) x = numerics::log_sigmoid(-x);
    for (std::size_t n = 0; n < log_on.shape(0); ++n) log_on(n, 0) = claim_;
  }
  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p, Workspace& work) const override {
    affine(parents, work.first);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n) {
      log_p(n) = 0;
      for (std::size_t j = 0; j < units(); ++j)
        log_p(n) += numerics::log_sigmoid(states(n, j) != 0.0 ? work.first(n, j) : -work.first(n, j));
      if (states(n, 0) != 0.0) log_p(n) = claim_;
    }
  }
  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                           std::span<double> gradient, Workspace& work) const override {
    probabilities(parents, work.first);
    work.first = states - work.first;
    accumulate_affine_gradient(parents, work.first, weights, gradient);
  }
  std::unique_ptr<Distribution> clone() const override { return std::make_unique<Lying>(*this); }

 private:
  double claim_;
};

}  // namespace

TEST_CASE("a log Q of NaN or -inf for a sample Q drew gives that sample weight 0, never a NaN weight") {
  // Q(h = 1 | d) = 1/2 but its log is reported as NaN or -inf (log weight NaN or +inf): those
  // samples count as impossible, and the steps are those of the h = 0 samples alone, whose
  // weights are all equal:  d b_h = rate (0 - sigmoid(b_h)),  d c = rate_Q (0 - 1/2).
  for (const double claim : {std::numeric_limits<double>::quiet_NaN(), -numerics::infinity}) {
    CAPTURE(claim);
    Registry registry;
    register_builtin_plugins(registry);
    registry.add("lying", [claim](NodeShape shape) { return std::make_unique<Lying>(std::move(shape), claim); });
    Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 1}
  - {name: d, type: binary, size: 1, observed: true}
generative:
  h: {distribution: sigmoid, bias: [0.2]}
  d: {distribution: sigmoid, parents: [h], bias: [0.3], weights: {h: [[1.5]]}}
recognition:
  h: {distribution: lying, parents: [d], bias: [0], weights: {d: [[0]]}}
)", "lying.yaml", registry);
    TrainingOptions options;
    options.algorithm = "rws";
    options.samples = 8;
    options.generative_rate = 0.5;
    options.recognition_rate = 0.25;
    one_batch(network, Matrix{{1.0}}, options, 5);
    CHECK(xt::all(xt::isfinite(network.generative.parameters)));
    CHECK(xt::all(xt::isfinite(network.recognition.parameters)));
    CHECK(network.generative.parameters(0) == doctest::Approx(0.2 - 0.5 * sigmoid(0.2)).epsilon(1e-14));
    CHECK(network.recognition.parameters(0) == doctest::Approx(-0.25 * 0.5).epsilon(1e-14));
  }
}

namespace {

struct Learned {
  double before, after, truth;
};

Learned learn_teacher(TrainingOptions options) {
  const Network teacher = testing::teacher_network();
  Rng rng = make_rng(1);
  const Matrix train_data = sample_visible(teacher, 2000, rng);
  const Matrix held_out = sample_visible(teacher, 1000, rng);
  Network student = testing::student_network();
  Learned result;
  result.truth = mean_log_likelihood(teacher, held_out);
  result.before = mean_log_likelihood(student, held_out);
  TrainingSetup setup;
  train(student, train_data, options, setup);
  result.after = mean_log_likelihood(student, held_out);
  MESSAGE(options.algorithm << ": held-out mean log p(d) " << result.before << " -> " << result.after
                            << " (true network " << result.truth << ")");
  return result;
}

}  // namespace

TEST_CASE("rws with K = 10 learns a known network to within 0.5 nats of its held-out log-likelihood") {
  TrainingOptions options;
  options.algorithm = "rws";
  options.samples = 10;
  options.epochs = 20;
  options.batch_size = 1;
  options.generative_rate = options.recognition_rate = 0.05;
  options.seed = 4;
  const Learned l = learn_teacher(options);
  CHECK(l.after > l.truth - 0.5);
}

TEST_CASE("natural-rws learns a known network to within 0.5 nats of its held-out log-likelihood") {
  // Natural steps want minibatches of about 100: a Fisher block taken over a handful of
  // samples is nearly singular along the directions they miss, and its inverse throws single
  // patterns far (online, natural-rws ends below where it started).
  TrainingOptions options;
  options.algorithm = "natural-rws";
  options.samples = 10;
  options.epochs = 20;
  options.batch_size = 100;
  options.generative_rate = options.recognition_rate = 0.1;
  options.seed = 4;
  const Learned l = learn_teacher(options);
  CHECK(l.after > l.truth - 0.5);
}

TEST_CASE("rws and natural-rws allocate nothing per minibatch (natural-wake-sleep too)") {
  // One epoch over 100 patterns and one over 1000 must allocate the same: whatever is
  // allocated is set-up, not per-minibatch work.
  Rng rng = make_rng(8);
  const Network teacher = testing::teacher_network();
  const Matrix small = sample_visible(teacher, 100, rng);
  const Matrix large = sample_visible(teacher, 1000, rng);
  for (const std::string algorithm : {"rws", "natural-rws", "natural-wake-sleep"}) {
    for (const std::size_t batch_size : {1, 10}) {
      for (const bool sleep_updates : {false, true}) {
        CAPTURE(algorithm);
        CAPTURE(batch_size);
        CAPTURE(sleep_updates);
        TrainingOptions options;
        options.algorithm = algorithm;
        options.epochs = 1;
        options.batch_size = batch_size;
        options.sleep_updates = sleep_updates;
        options.weight_decay = 1e-3;
        options.seed = 1;
        Network a = testing::student_network(), b = a, warm_up = a;
        TrainingSetup setup;
        train(warm_up, small, options, setup);  // statics made on first use (the algorithm registry)
        const long start = allocations.load();
        TrainingSetup setup_a;
        train(a, small, options, setup_a);
        const long for_small = allocations.load() - start;
        TrainingSetup setup_b;
        train(b, large, options, setup_b);
        const long for_large = allocations.load() - start - for_small;
        CHECK(for_large == for_small);
      }
    }
  }
}

TEST_CASE("rws refuses K = 0 samples, naming the option") {
  Network network = testing::student_network();
  TrainingOptions options;
  options.samples = 0;
  for (const std::string algorithm : {"rws", "natural-rws"})
    CHECK_THROWS_WITH_AS(builtin_algorithms().create(algorithm, network, options),
                         (algorithm + ": the number of samples per pattern (--samples) must be at least 1").c_str(),
                         Error);
}

TEST_CASE("rws folds the K samples of its first recognition layer into one row per pattern: the same steps") {
  // With the recognition plugins wrapped (OpaqueDistribution: gradient_affine_in_states is
  // false), every one of the K B rows goes through the plugin; unwrapped, sigmoid's first
  // layer folds them. Same draws, so the steps agree to rounding.
  const Matrix batch = testing::teacher_data(6, 71);
  TrainingOptions options;
  options.algorithm = "rws";
  options.samples = 7;
  options.generative_rate = options.recognition_rate = 0.3;
  Network folded = testing::student_network(), plain = folded;
  for (auto& c : plain.recognition.conditionals)
    if (c.distribution) c.distribution = std::make_unique<testing::OpaqueDistribution>(std::move(c.distribution));
  plain.recognition = DirectedModel(plain.recognition);  // re-attach the wrapped plugins' storage
  REQUIRE(!plain.recognition.conditionals[plain.index_of("mid")].distribution->gradient_affine_in_states());
  REQUIRE(folded.recognition.conditionals[folded.index_of("mid")].distribution->gradient_affine_in_states());
  const Vector before = folded.recognition.parameters;
  one_batch(folded, batch, options, 23);
  one_batch(plain, batch, options, 23);
  CHECK(xt::amax(xt::abs(folded.recognition.parameters - before))() > 1e-3);
  CHECK(xt::amax(xt::abs(folded.recognition.parameters - plain.recognition.parameters))() < 1e-13);
  CHECK(xt::amax(xt::abs(folded.generative.parameters - plain.generative.parameters))() < 1e-13);
}

TEST_CASE("rws allocates nothing per minibatch with two first recognition layers of different widths") {
  // Both recognition nodes read the data alone: each is computed once per pattern, in
  // buffers of its own (one shared buffer would be resized at every node of every step).
  const Network network = parse_model(R"(
nodes:
  - {name: a, type: binary, size: 3}
  - {name: b, type: binary, size: 2}
  - {name: data, type: binary, size: 6, observed: true}
generative:
  a: {distribution: sigmoid}
  b: {distribution: sigmoid}
  data: {distribution: sigmoid, parents: [a, b]}
recognition:
  a: {distribution: sigmoid, parents: [data]}
  b: {distribution: sigmoid, parents: [data]}
)", "two.yaml");
  Rng rng = make_rng(9);
  const Matrix small = sample_visible(network, 100, rng), large = sample_visible(network, 1000, rng);
  for (const bool single : {false, true}) {
    CAPTURE(single);
    TrainingOptions options;
    options.algorithm = "rws";
    options.samples = 3;
    options.batch_size = 10;
    options.epochs = 1;
    options.seed = 1;
    options.single_precision = single;
    Network a = network, b = network, warm_up = network;
    TrainingSetup setup;
    train(warm_up, small, options, setup);
    const long start = allocations.load();
    train(a, small, options, setup);
    const long for_small = allocations.load() - start;
    train(b, large, options, setup);
    CHECK(allocations.load() - start - for_small == for_small);
  }
}
