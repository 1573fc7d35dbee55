// The free-energy bound and importance estimates against enumeration by a long-double
// brute force (tests/support/log_space_reference.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/free_energy.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/thread_cpu_time.hpp"
#include "framework/numerics.hpp"
#include "tests/support/log_space_reference.hpp"
#include "tests/support/random_networks.hpp"

using namespace helmholtz;

TEST_CASE("exact bound = sum_h Q(h|d) [log P(h,d) - log Q(h|d)] by brute force, and never above log p(d)") {
  Rng rng = make_rng(21);
  for (const char* shape : {testing::layered_shape, testing::mixed_shape}) {
    for (int trial = 0; trial < 8; ++trial) {
      const Network network = testing::random_network(shape, rng, trial % 2 == 0);
      const Matrix all = all_visible_patterns(network);
      const Vector bound = exact_bound(network, all);
      const Vector log_p = exact_inference(network, all).log_likelihood;
      for (std::size_t n = 0; n < all.shape(0); ++n) {
        const long double expected = reference::free_energy_bound(network, all, n);
        if (std::isinf(expected)) {
          CHECK(bound(n) == -numerics::infinity);
          continue;
        }
        CHECK(std::abs(bound(n) - static_cast<double>(expected)) <= 1e-9 * std::max(1.0L, std::abs(expected)));
        CHECK(bound(n) <= log_p(n) + 1e-12);  // KL(Q || P) >= 0
      }
    }
  }
}

TEST_CASE("the exact bound over 2^14 configurations split between two threads agrees with brute force") {
  const char* const wide = R"(
nodes:
  - {name: top,  type: binary, size: 4}
  - {name: mid,  type: binary, size: 10}
  - {name: data, type: binary, size: 5, observed: true}
generative:
  top:  {distribution: KIND}
  mid:  {distribution: KIND, parents: [top]}
  data: {distribution: KIND, parents: [mid, top]}
)";
  Rng rng = make_rng(28);
  const Network network = testing::random_network(wide, rng, false);
  Matrix data = Matrix::from_shape({4, network.visible_units()});
  for (double& x : data) x = uniform01(rng) < 0.5;
  ExactOptions options;
  options.threads = 2;
  options.free_energy_bound = true;
  const ExactResult result = exact_inference(network, data, options);
  for (std::size_t n = 0; n < data.shape(0); ++n) {
    const long double expected = reference::free_energy_bound(network, data, n);
    CHECK(std::abs(result.free_energy_bound(n) - static_cast<double>(expected)) <= 1e-9 * std::max(1.0L, std::abs(expected)));
    CHECK(result.free_energy_bound(n) <= result.log_likelihood(n));
  }
}

namespace {

// Mean and variance under Q(.|d) of the log weight log P(h,d) - log Q(h|d), and the
// variance of the weight ratio P(h,d) / (Q(h|d) p(d)), by enumeration.
struct WeightMoments {
  long double mean_log_weight = 0, variance_log_weight = 0, variance_ratio = 0, log_p = 0;
};

WeightMoments moments(const Network& network, const Matrix& data, std::size_t row) {
  WeightMoments m;
  m.log_p = reference::log_likelihood(network, data, row);
  long double second = 0, ratio_second = 0;
  for (unsigned long long h = 0; h < (1ull << network.hidden_units()); ++h) {
    const long double log_q = reference::log_recognition(network, h, data, row);
    const long double q = std::exp(log_q);
    const long double log_w = reference::log_joint(network, h, data, row) - log_q;
    m.mean_log_weight += q * log_w;
    second += q * log_w * log_w;
    ratio_second += q * std::exp(2 * (log_w - m.log_p));
  }
  m.variance_log_weight = second - m.mean_log_weight * m.mean_log_weight;
  m.variance_ratio = ratio_second - 1;
  return m;
}

}  // namespace

TEST_CASE("the sampled bound and the importance estimate converge to their exact values as samples grow") {
  // Without extreme parameters every h has Q > 0 and P > 0, so both estimators have finite
  // variance. Sampled bound: mean of S draws, standard error sqrt(Var[log w] / S).
  // Importance: log of a mean of K ratios; by the delta method its standard error is
  // sqrt(Var[w/p] / K) and its bias about -Var[w/p] / (2K).
  Rng rng = make_rng(22);
  const Network network = testing::random_network(testing::layered_shape, rng, false);
  const Matrix all = all_visible_patterns(network);
  for (std::size_t samples : {200u, 20000u}) {
    Rng draws = make_rng(23);
    const SampledEstimates estimates = sampled_estimates(network, all, samples, draws);
    const double s = static_cast<double>(samples);
    for (std::size_t n = 0; n < all.shape(0); ++n) {
      const WeightMoments m = moments(network, all, n);
      const double bound_error = std::sqrt(static_cast<double>(m.variance_log_weight) / s);
      CHECK(std::abs(estimates.sampled_bound(n) - static_cast<double>(m.mean_log_weight)) <= 5 * bound_error + 1e-12);
      const double importance_error = std::sqrt(static_cast<double>(m.variance_ratio) / s);
      const double bias = static_cast<double>(m.variance_ratio) / (2 * s);
      CHECK(std::abs(estimates.importance_log_likelihood(n) - static_cast<double>(m.log_p)) <=
            5 * importance_error + bias + 1e-12);
    }
  }
}

TEST_CASE("with one sample the importance estimate equals the sampled bound, and more samples tighten it") {
  Rng rng = make_rng(24);
  const Network network = testing::random_network(testing::layered_shape, rng, false);
  const Matrix all = all_visible_patterns(network);
  Rng draws = make_rng(25);
  const SampledEstimates one = sampled_estimates(network, all, 1, draws);
  for (std::size_t n = 0; n < all.shape(0); ++n) CHECK(one.importance_log_likelihood(n) == doctest::Approx(one.sampled_bound(n)).epsilon(1e-12));
  // Averaged over patterns, E[importance with K samples] rises towards log p(d) with K,
  // while the sampled bound stays at -F below it.
  Rng more = make_rng(26);
  const SampledEstimates many = sampled_estimates(network, all, 2000, more);
  const Vector log_p = exact_inference(network, all).log_likelihood;
  const Vector bound = exact_bound(network, all);
  CHECK(xt::mean(many.importance_log_likelihood)() > xt::mean(bound)() + 0.5 * (xt::mean(log_p)() - xt::mean(bound)()));
}

TEST_CASE("the estimates refuse zero samples and data of the wrong width") {
  Rng rng = make_rng(27);
  const Network network = testing::random_network(testing::layered_shape, rng);
  CHECK_THROWS_AS(sampled_estimates(network, all_visible_patterns(network), 0, rng), Error);
  CHECK_THROWS_WITH_AS(exact_bound(network, Matrix(xt::zeros<double>({std::size_t{1}, std::size_t{5}}))),
                       doctest::Contains("5 columns"), Error);
}

TEST_CASE("sampled estimates are the same for any number of threads, and Ctrl-C stops them") {
  Rng make = make_rng(41);
  const Network network = testing::random_network(testing::layered_shape, make, false);
  Rng data_rng = make_rng(42);
  const Matrix data = sample_visible(network, 700, data_rng);  // eleven blocks of 64 patterns
  Rng a = make_rng(5), b = make_rng(5), c = make_rng(5);
  const SampledEstimates one = sampled_estimates(network, data, 7, a, {.threads = 1});
  const SampledEstimates two = sampled_estimates(network, data, 7, b, {.threads = 2});
  const SampledEstimates three = sampled_estimates(network, data, 7, c, {.threads = 3});
  CHECK(one.sampled_bound == two.sampled_bound);
  CHECK(one.importance_log_likelihood == two.importance_log_likelihood);
  CHECK(one.sampled_bound == three.sampled_bound);
  CHECK(a() == b());  // the caller's generator moved on by the same draws
  std::atomic<bool> stop{true};
  Rng d = make_rng(5);
  CHECK_THROWS_AS(sampled_estimates(network, data, 7, d, {.interrupt = &stop, .threads = 2}), Interrupted);
}

TEST_CASE("resample() draws as sample() does, and its log Q agrees to 1e-13, over every plugin") {
  for (std::uint64_t seed : {51u, 52u, 53u}) {
    CAPTURE(seed);
    Rng make = make_rng(seed);
    const Network network = testing::random_network(testing::layered_shape, make, false);
    Rng data_rng = make_rng(seed + 100);
    const Matrix data = sample_visible(network, 40, data_rng);
    RecognitionSampler repeated(network), fresh(network);
    Rng a = make_rng(9), b = make_rng(9);
    Vector log_q_repeated, log_q_fresh;
    for (int s = 0; s < 4; ++s) {
      const NodeStates& x =
          s == 0 ? repeated.sample_repeatedly(data, a, log_q_repeated) : repeated.resample(a, log_q_repeated);
      const NodeStates& y = fresh.sample(data, b, log_q_fresh);
      for (std::size_t node = 0; node < network.nodes.size(); ++node) CHECK(x[node] == y[node]);
      for (std::size_t n = 0; n < data.shape(0); ++n)
        CHECK(log_q_repeated(n) == doctest::Approx(log_q_fresh(n)).epsilon(1e-13));
    }
    CHECK(a() == b());
  }
}

TEST_CASE("sampled estimates report their progress on the calling thread, rising to 1") {
  Rng make = make_rng(61);
  const Network network = testing::random_network(testing::layered_shape, make, false);
  Rng data_rng = make_rng(62);
  const Matrix data = sample_visible(network, 300, data_rng);  // five blocks
  for (unsigned threads : {1u, 2u}) {
    CAPTURE(threads);
    std::vector<double> fractions;
    const auto caller = std::this_thread::get_id();
    bool on_caller = true;
    SampledOptions options;
    options.threads = threads;
    options.progress_interval = 0.0;  // every chance to report
    options.progress = [&](double fraction) {
      fractions.push_back(fraction);
      on_caller = on_caller && std::this_thread::get_id() == caller;
    };
    Rng rng = make_rng(3);
    sampled_estimates(network, data, 20, rng, options);
    REQUIRE(!fractions.empty());
    CHECK(on_caller);
    CHECK(std::is_sorted(fractions.begin(), fractions.end()));
    CHECK(fractions.front() > 0.0);
    CHECK(fractions.back() <= 1.0);
    if (threads == 1) CHECK(fractions.back() == 1.0);  // the last draw is the caller's
  }
}

TEST_CASE("estimate_sampled_seconds: within a factor of 3 of the processor time, and the caller's generator untouched") {
  Rng rng = make_rng(23);
  const Network network = testing::random_network(testing::layered_shape, rng);
  Matrix data = Matrix::from_shape({1000, network.visible_units()});
  boost::random::uniform_real_distribution<double> uniform01(0.0, 1.0);
  for (double& x : data) x = uniform01(rng) < 0.5;
  SampledOptions options;
  options.threads = 1;  // all on the calling thread, whose processor time is measured
  const Rng before = rng;
  const double estimate = estimate_sampled_seconds(network, data, 50, rng, options, 0.005);
  CHECK(rng == before);
  const double start = thread_cpu_seconds();
  sampled_estimates(network, data, 50, rng, options);
  const double seconds = thread_cpu_seconds() - start;
  INFO("estimate " << estimate << " s, measured " << seconds << " s");
  CHECK(estimate > seconds / 3);
  CHECK(estimate < seconds * 3);
  CHECK(estimate_sampled_seconds(network, Matrix::from_shape({0, network.visible_units()}), 50, rng) == 0);
}

// Q gives h = 1 a probability of e^-1000, whose exp underflows to 0, where P makes h = 1
// impossible (noisy-or with no leak): -F = -inf exactly (Q > 0 times log 0), not 0 * -inf.
TEST_CASE("the exact bound is -inf, not NaN, where Q gives an impossible h a probability below the double range "
          "(log Q = -1000)") {
  const Network network = parse_model(R"(
nodes:
  - {name: h, type: binary, size: 1}
  - {name: v, type: binary, size: 2, observed: true}
generative:
  h: {distribution: noisy-or, bias: [0]}
  v: {distribution: sigmoid, parents: [h], bias: [0.5, -0.5], weights: {h: [[1], [2]]}}
recognition:
  h: {distribution: sigmoid, parents: [v], bias: [-1000], weights: {v: [[0, 0]]}}
)", "underflow.yaml");
  const Matrix all = all_visible_patterns(network);
  const Vector bound = exact_bound(network, all);
  const Vector log_p = exact_inference(network, all).log_likelihood;
  for (std::size_t n = 0; n < all.shape(0); ++n) {
    CHECK(bound(n) == -numerics::infinity);
    CHECK(reference::free_energy_bound(network, all, n) == reference::minus_infinity);
    CHECK(std::isfinite(log_p(n)));
  }
}
