// Training in single precision (--precision float32): the plugins' float calls against their
// double ones, float32 training against float64 training from the same seed, no allocation
// per minibatch, and clear refusals where single precision does not apply.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "framework/engines/exact_inference.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/data_file.hpp"
#include "framework/patterns.hpp"
#include "plugins/builtin.hpp"

using namespace helmholtz;

#include "tests/support/allocation_counter.hpp"
#include "tests/support/teacher_student.hpp"

using helmholtz::testing::allocations;

namespace {

double mean_log_likelihood(const Network& network, const Matrix& data) {
  return xt::mean(exact_inference(network, data).log_likelihood)();
}

double largest_difference(const Vector& a, const Vector& b) {
  double out = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) out = std::max(out, std::abs(a(i) - b(i)));
  return out;
}

MatrixF to_single(const Matrix& m) {
  MatrixF out = MatrixF::from_shape({m.shape(0), m.shape(1)});
  std::copy(m.begin(), m.end(), out.begin());
  return out;
}

TrainingOutcome train_with(Network& network, const Matrix& data, const TrainingOptions& options) {
  TrainingSetup setup;
  return train(network, data, options, setup);
}

}  // namespace

TEST_CASE("each plugin's single-precision calls agree with its double calls to float precision") {
  // A node of 5 units with 6 parent units, at random parameters, on random binary parents:
  // sigmoid runs its own sgemm path, noisy-or and odds-sum the default through double.
  Rng rng = make_rng(3);
  for (const std::string kind : {"sigmoid", "noisy-or", "odds-sum"}) {
    CAPTURE(kind);
    Network network = testing::student_network(kind);
    network.generative.enable_single_precision();
    const std::size_t node = network.index_of("data");
    const Distribution& d = *network.generative.conditionals[node].distribution;
    const std::size_t parents = d.shape().parent_units(), units = d.shape().units, patterns = 7;
    Matrix x = Matrix::from_shape({patterns, parents}), s = Matrix::from_shape({patterns, units});
    for (double& v : x) v = uniform01(rng) < 0.5 ? 1.0 : 0.0;
    for (double& v : s) v = uniform01(rng) < 0.5 ? 1.0 : 0.0;
    Vector weights = Vector::from_shape({patterns});
    for (double& w : weights) w = uniform01(rng);
    VectorF weights_f = VectorF::from_shape({patterns});
    std::copy(weights.begin(), weights.end(), weights_f.begin());

    Matrix p;
    d.probabilities(x, p);
    MatrixF p_f;
    WorkspaceF work_f;
    d.probabilities_single(to_single(x), p_f, work_f);
    for (std::size_t i = 0; i < p.size(); ++i) CHECK(p_f.data()[i] == doctest::Approx(p.data()[i]).epsilon(1e-6));

    Vector log_p;
    Workspace work;
    d.log_probability(x, s, log_p, work);
    VectorF log_p_f;
    d.log_probability_single(to_single(x), to_single(s), log_p_f, work_f);
    for (std::size_t n = 0; n < patterns; ++n) CHECK(log_p_f(n) == doctest::Approx(log_p(n)).epsilon(1e-5));

    Vector gradient = Vector::from_shape({d.parameter_count()});
    gradient.fill(0.0);
    d.accumulate_gradient(x, s, weights, std::span<double>(gradient.data(), gradient.size()), work);
    VectorF gradient_f = VectorF::from_shape({d.parameter_count()});
    gradient_f.fill(0.5f);  // accumulates: += on what is there
    d.accumulate_gradient_single(to_single(x), to_single(s), weights_f,
                                 std::span<float>(gradient_f.data(), gradient_f.size()), work_f);
    for (std::size_t i = 0; i < gradient.size(); ++i)
      CHECK(gradient_f(i) - 0.5f == doctest::Approx(gradient(i)).epsilon(1e-5).scale(1.0));
  }
}

TEST_CASE("float32 training follows float64 training from the same seed") {
  // The same seed draws the same uniforms; float rounding moves a firing probability by about
  // 1e-7, so a draw that lands between the two flips a sample only rarely. The documented
  // tolerance (docs/training.md): parameters within 1e-3 after 10 epochs, held-out
  // log-likelihood within 0.05 nats.
  const Matrix data = testing::teacher_data(500, 21), held_out = testing::teacher_data(500, 22);
  struct Case {
    std::string algorithm, kind;
    std::size_t batch;
  };
  for (const Case& c : {Case{"wake-sleep", "sigmoid", 1}, Case{"wake-sleep", "sigmoid", 10},
                        Case{"rws", "sigmoid", 10}, Case{"wake-sleep", "noisy-or", 10}, Case{"rws", "odds-sum", 5}}) {
    CAPTURE(c.algorithm);
    CAPTURE(c.kind);
    CAPTURE(c.batch);
    TrainingOptions options;
    options.algorithm = c.algorithm;
    options.epochs = 10;
    options.seed = 4;
    options.batch_size = c.batch;
    options.samples = 10;
    options.generative_rate = options.recognition_rate = 0.05;
    Network doubles = testing::student_network(c.kind), singles = doubles;
    train_with(doubles, data, options);
    options.single_precision = true;
    train_with(singles, data, options);
    CHECK(singles.generative.single.size() == 0);  // the float copy lives only while training
    const double moved = largest_difference(doubles.generative.parameters,
                                            testing::student_network(c.kind).generative.parameters);
    CHECK(moved > 0.1);  // training did move them
    CHECK(largest_difference(doubles.generative.parameters, singles.generative.parameters) < 1e-3);
    CHECK(largest_difference(doubles.recognition.parameters, singles.recognition.parameters) < 1e-3);
    CHECK(std::abs(mean_log_likelihood(doubles, held_out) - mean_log_likelihood(singles, held_out)) < 0.05);
  }
}

TEST_CASE("float32 training allocates nothing per minibatch") {
  const Matrix small = testing::teacher_data(100, 8), large = testing::teacher_data(1000, 9);
  for (const std::string algorithm : {"wake-sleep", "rws"})
    for (const std::string kind : {"sigmoid", "noisy-or"})
      for (const std::size_t batch : {std::size_t{1}, std::size_t{10}}) {
        CAPTURE(algorithm);
        CAPTURE(kind);
        CAPTURE(batch);
        TrainingOptions options;
        options.algorithm = algorithm;
        options.epochs = 1;
        options.seed = 1;
        options.batch_size = batch;
        options.single_precision = true;
        const ByteMatrix small_bytes = to_bytes(small), large_bytes = to_bytes(large);
        Network a = testing::student_network(kind), b = a, warm_up = a;
        TrainingSetup setup;
        train(warm_up, small_bytes, options, setup);
        const long start = allocations.load();
        train(a, small_bytes, options, setup);
        const long for_small = allocations.load() - start;
        train(b, large_bytes, options, setup);
        const long for_large = allocations.load() - start - for_small;
        CHECK(for_large == for_small);
      }
}

TEST_CASE("algorithms without a single-precision path refuse float32 and say which can") {
  const Matrix data = testing::teacher_data(20, 5);
  for (const std::string algorithm : {"natural-wake-sleep", "natural-rws", "deterministic"}) {
    CAPTURE(algorithm);
    Network network = testing::student_network();
    const Vector before = network.generative.parameters;
    TrainingOptions options;
    options.algorithm = algorithm;
    options.epochs = 1;
    options.single_precision = true;
    bool refused = false;
    try {
      train_with(network, data, options);
    } catch (const Error& e) {
      refused = true;
      CHECK(std::string(e.what()).find("double precision only") != std::string::npos);
    }
    CHECK(refused);
    CHECK(network.generative.parameters == before);
  }
}

TEST_CASE("data held as bytes: the same patterns and checksum as doubles") {
  std::istringstream text("# a comment\n0110\n1 0 0 1\n\n1111\n");
  const ByteMatrix bytes = parse_patterns(text, 4, "x.data");
  REQUIRE(bytes.shape(0) == 3);
  const Matrix doubles = to_matrix(bytes);
  CHECK(doubles(1, 0) == 1.0);
  CHECK(doubles(1, 1) == 0.0);
  CHECK(data_checksum(bytes) == data_checksum(doubles));
  CHECK(to_bytes(doubles) == bytes);
  Matrix bad = doubles;
  bad(0, 0) = 0.5;
  CHECK_THROWS_AS(to_bytes(bad), Error);
  // A 1000 x 784 file fills exactly the bytes it needs, reserved once from the file size.
  std::string big;
  for (int r = 0; r < 1000; ++r) big += std::string(392, '1') + std::string(392, '0') + "\n";
  std::istringstream in(big);
  const long start = allocations.load();
  const ByteMatrix read = parse_patterns(in, 784, "big.data");
  CHECK(allocations.load() - start <= 4);  // the reserved vector (and the line buffer), no doublings
  CHECK(read.shape(0) == 1000);
  CHECK(read(999, 391) == 1);
  CHECK(read(999, 392) == 0);
}
