// Reading a label off a hidden node (framework/engines/probe.hpp): the read-outs on readings
// built by hand, a node that copies a data unit, and the shifter's labels for patterns that
// do not tell their direction.
#include <doctest/doctest.h>

#include "framework/datasets/dataset.hpp"
#include "framework/engines/probe.hpp"
#include "framework/error.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

using namespace helmholtz;

TEST_CASE("probe: centroids and modal states fitted on the first half, scored on the second, -1 left out") {
  // Two units; label 1 iff the first unit is mostly on. Pattern 2 is left out.
  NodeReadings r{Matrix::from_shape({7, 2}), {"10", "01", "11", "10", "01", "10", "00"}};
  const double means[7][2] = {{0.9, 0.1}, {0.2, 0.8}, {0.5, 0.5}, {0.8, 0.3}, {0.1, 0.7}, {0.7, 0.2}, {0.3, 0.1}};
  for (std::size_t n = 0; n < 7; ++n)
    for (std::size_t u = 0; u < 2; ++u) r.means(n, u) = means[n][u];
  const std::vector<int> labels = {1, 0, -1, 1, 0, 1, 0};
  const ProbeResult p = probe(r, labels);
  CHECK(p.left_out == 1);
  CHECK(p.fitted == 3);  // patterns 0, 1, 3
  CHECK(p.scored == 3);  // patterns 4, 5, 6
  // Centroids: label 1 at (0.85, 0.2), label 0 at (0.2, 0.8). Pattern 4 -> 0 (right),
  // 5 -> 1 (right), 6 (0.3, 0.1) -> 1 (wrong: it is nearer the label-1 centroid).
  CHECK(p.centroid_accuracy == doctest::Approx(2.0 / 3.0));
  // Modal states: "10" -> 1, "01" -> 0 from the fitting half; "00" unseen -> the majority
  // label of the fitting half (1, two of three): wrong for pattern 6.
  CHECK(p.modal_accuracy == doctest::Approx(2.0 / 3.0));
  CHECK(p.majority_accuracy == doctest::Approx(1.0 / 3.0));
  CHECK_THROWS_WITH_AS(probe(r, std::vector<int>(7, -1)),
                       "probe: 0 labelled patterns; at least 2 are needed (half to fit, half to score)", Error);
  CHECK_THROWS_AS(probe(r, std::vector<int>(3, 1)), Error);
}

TEST_CASE("read_node: a node that copies a data unit reads it exactly, and the probe finds it") {
  const Network network = parse_model(R"(
name: copy
nodes:
  - {name: h, type: binary, size: 1}
  - {name: d, type: binary, size: 2, observed: true}
generative:
  h: {distribution: sigmoid}
  d: {distribution: sigmoid, parents: [h]}
recognition:
  h: {distribution: sigmoid, parents: [d], bias: [-40], weights: {d: [[80, 0]]}}
)",
                                      "copy.yaml");
  Matrix data = Matrix::from_shape({40, 2});
  std::vector<int> labels(40);
  for (std::size_t n = 0; n < 40; ++n) {
    data(n, 0) = static_cast<double>((n * 7 + 3) % 5 < 2);
    data(n, 1) = static_cast<double>(n % 2);
    labels[n] = static_cast<int>(data(n, 0));
  }
  Rng rng = make_rng(1);
  const NodeReadings r = read_node(network, data, 0, 20, rng);
  for (std::size_t n = 0; n < 40; ++n) {
    CHECK(r.means(n, 0) == data(n, 0));  // sigmoid(+-40) draws 0 or 1 every time
    CHECK(r.modal[n] == (data(n, 0) != 0 ? "1" : "0"));
  }
  const ProbeResult p = probe(r, labels);
  CHECK(p.centroid_accuracy == 1.0);
  CHECK(p.modal_accuracy == 1.0);
  // The second data unit is not what the node copies: at most chance.
  for (std::size_t n = 0; n < 40; ++n) labels[n] = static_cast<int>(data(n, 1));
  CHECK(probe(r, labels).centroid_accuracy <= 0.6);
  CHECK_THROWS_AS(read_node(network, data, 1, 20, rng), Error);  // observed
}

TEST_CASE("shifter labels: -1 exactly for the patterns both shifts give, the direction otherwise") {
  const DatasetGenerator& shifter = builtin_datasets().get("shifter");
  Rng rng = make_rng(4);
  const GeneratedData d = shifter.generate(3000, rng, {{"on-probability", 0.3}});
  std::size_t ambiguous = 0;
  for (std::size_t n = 0; n < d.patterns.shape(0); ++n) {
    bool same = true;  // the bottom row shifted left equals it shifted right
    for (std::size_t c = 0; c < 8; ++c) same = same && d.patterns(n, 16 + (c + 7) % 8) == d.patterns(n, 16 + (c + 1) % 8);
    CAPTURE(n);
    if (same) {
      CHECK(d.labels[n] == -1);
      ++ambiguous;
    } else {
      // The top row is the bottom row shifted in the labelled direction.
      const bool right = d.labels[n] == 1;
      for (std::size_t c = 0; c < 8; ++c)
        CHECK(d.patterns(n, c) == d.patterns(n, 24 + (right ? (c + 7) % 8 : (c + 1) % 8)));
    }
  }
  CHECK(ambiguous > 0);  // all-off rows alone: 0.7^8 of the patterns, about 170
}
