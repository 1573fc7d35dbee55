// The exact bars distribution (datasets::bars_distribution) against the sampler and by hand,
// and KL(data || model) by exact enumeration (divergence_from) against the sum written out.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>

#include "framework/datasets/bars.hpp"
#include "framework/engines/exact_inference.hpp"
#include "tests/support/random_networks.hpp"

using namespace helmholtz;

namespace {

std::string key(const Matrix& patterns, std::size_t n) {
  std::string s;
  for (std::size_t j = 0; j < patterns.shape(1); ++j) s += patterns(n, j) != 0 ? '1' : '0';
  return s;
}

}  // namespace

TEST_CASE("the bars distribution: 30 distinct 4x4 images summing to 1, blank and full images merged") {
  const DataDistribution d = datasets::bars_distribution();
  REQUIRE(d.patterns.shape(0) == 30);  // 2 x 16 choices, two images made both ways
  double total = 0;
  std::map<std::string, double> p;
  for (std::size_t n = 0; n < d.patterns.shape(0); ++n) {
    total += d.probabilities(n);
    p[key(d.patterns, n)] = d.probabilities(n);
  }
  CHECK(p.size() == 30);
  CHECK(total == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(p[std::string(16, '0')] == doctest::Approx(std::pow(0.8, 4)).epsilon(1e-15));  // either orientation
  CHECK(p[std::string(16, '1')] == doctest::Approx(std::pow(0.2, 4)).epsilon(1e-15));
  CHECK(p["1111000000000000"] == doctest::Approx(0.5 * 0.2 * std::pow(0.8, 3)).epsilon(1e-15));  // top row
  CHECK(p["1000100010001000"] == doctest::Approx(0.5 * 0.2 * std::pow(0.8, 3)).epsilon(1e-15));  // left column
}

TEST_CASE("the bars distribution matches the frequencies of the sampler") {
  datasets::BarsOptions options;
  options.bar_probability = 0.3;
  options.vertical_probability = 0.7;
  const DataDistribution d = datasets::bars_distribution(options);
  Rng rng = make_rng(5);
  const std::size_t draws = 200000;
  const Matrix sample = datasets::bars(draws, rng, options);
  std::map<std::string, double> count;
  for (std::size_t n = 0; n < draws; ++n) count[key(sample, n)] += 1;
  CHECK(count.size() <= d.patterns.shape(0));  // nothing outside the support
  for (std::size_t n = 0; n < d.patterns.shape(0); ++n) {
    const double p = d.probabilities(n), expected = p * draws, seen = count[key(d.patterns, n)];
    CAPTURE(key(d.patterns, n));
    CHECK(std::abs(seen - expected) <= 5 * std::sqrt(expected * (1 - p)) + 1);  // within 5 standard deviations
  }
}

TEST_CASE("KL(data || model) by exact enumeration: the sum written out, 0 for the model's own distribution") {
  Rng make = make_rng(71);
  const Network model = testing::random_network(testing::layered_shape, make);
  const Network other = testing::random_network(testing::layered_shape, make);
  const Matrix all = all_visible_patterns(model);
  // The data distribution: another network's visible distribution, exactly.
  const ExactResult truth = exact_inference(other, all);
  Vector p = Vector::from_shape({all.shape(0)});
  for (std::size_t n = 0; n < all.shape(0); ++n) p(n) = std::exp(truth.log_likelihood(n));
  const ExactResult q = exact_inference(model, all);
  long double expected = 0;
  for (std::size_t n = 0; n < all.shape(0); ++n)
    if (p(n) > 0) expected += p(n) * (std::log(static_cast<long double>(p(n))) - q.log_likelihood(n));
  const double kl = divergence_from(model, all, p);
  CHECK(kl > 0);
  CHECK(kl == doctest::Approx(static_cast<double>(expected)).epsilon(1e-12));
  Vector own = Vector::from_shape({all.shape(0)});
  for (std::size_t n = 0; n < all.shape(0); ++n) own(n) = std::exp(q.log_likelihood(n));
  CHECK(std::abs(divergence_from(model, all, own)) < 1e-12);
  CHECK_THROWS_AS(divergence_from(model, all, Vector::from_shape({3})), Error);
}
