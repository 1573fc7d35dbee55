// Drawing one part of a batch (row_share.hpp), as each rank of data-parallel training draws
// its part of a minibatch. Facts checked, for parts cut anywhere (empty ones included):
//   the parts' states, side by side, are the whole batch's states to the bit, and each
//   part's generator ends in the state the whole batch leaves it in: for the recognition
//   model (with log Q, with K replicas per pattern, with cues mixed in at weight 0.5), for
//   ancestral sampling, and for sample_bernoulli itself, in double and in float;
//   a part of the whole batch (nothing before or after) draws as without a RowShare.
// The states are compared to the bit, the log Q to 1e-14 (relative): the firing probabilities
// of a part come from a matrix product over its rows, which BLAS may round differently from
// the product over the whole batch (its kernel depends on the shape; one row is a dgemv). A
// uniform falling between the two values of a probability (a chance of about 1e-16 per draw)
// would draw another state; with these seeds none does, so the check on states is exact.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/cues.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/io/model_file.hpp"
#include "tests/support/random_networks.hpp"
#include "tests/support/teacher_student.hpp"

using namespace helmholtz;

namespace {

// The student with both hidden nodes cued, so that sample_with_cues draws a uniform per unit.
Network cued_student() { return parse_model(testing::cued_student_text(), "cued.yaml"); }

// Parts of a batch of `total` rows: cut after each row of `cuts` (sorted, may repeat, so
// that some parts are empty).
std::vector<std::pair<std::size_t, std::size_t>> parts_of(std::size_t total, const std::vector<std::size_t>& cuts) {
  std::vector<std::pair<std::size_t, std::size_t>> parts;
  std::size_t first = 0;
  for (std::size_t cut : cuts) {
    parts.push_back({first, cut});
    first = cut;
  }
  parts.push_back({first, total});
  return parts;
}

const std::vector<std::vector<std::size_t>> cut_lists = {{}, {5}, {1, 1, 6}, {0, 3, 4, 9}, {9, 9}};
constexpr std::size_t batch_rows = 9;

template <class T>
Tensor<T, 2> rows_of(const Tensor<T, 2>& m, std::size_t first, std::size_t last) {
  Tensor<T, 2> out = Tensor<T, 2>::from_shape({last - first, m.shape(1)});
  std::copy(m.data() + first * m.shape(1), m.data() + last * m.shape(1), out.data());
  return out;
}

// Each part drawn from a copy of `start` must give the whole batch's rows of every node (K
// rows per pattern) and end with the generator where the whole batch left it.
template <class T, class Draw>
void check_parts_draw_the_whole(const Rng& start, std::size_t replicas, Draw&& draw) {
  Rng whole_rng = start;
  const BasicNodeStates<T> whole = draw(0, batch_rows, whole_rng, RowShare{});
  for (const auto& cuts : cut_lists) {
    CAPTURE(cuts.size());
    for (const auto& [first, last] : parts_of(batch_rows, cuts)) {
      Rng rng = start;
      const BasicNodeStates<T> part = draw(first, last, rng, RowShare{first, batch_rows - last});
      CHECK(rng == whole_rng);
      REQUIRE(part.size() == whole.size());
      for (std::size_t node = 0; node < whole.size(); ++node) {
        const Tensor<T, 2> expected = rows_of(whole[node], first * replicas, last * replicas);
        REQUIRE(part[node].shape(0) == expected.shape(0));
        for (std::size_t i = 0; i < expected.size(); ++i) CHECK(part[node].data()[i] == expected.data()[i]);
      }
    }
  }
}

template <class T>
void check_recognition(Network& network) {
  Rng rng = make_rng(11);
  const Matrix data64 = testing::teacher_data(batch_rows, 5);
  Tensor<T, 2> data = Tensor<T, 2>::from_shape({data64.shape(0), data64.shape(1)});
  std::copy(data64.begin(), data64.end(), data.begin());
  BasicRecognitionSampler<T> sampler(network);
  SUBCASE("states") {
    check_parts_draw_the_whole<T>(rng, 1, [&](std::size_t first, std::size_t last, Rng& r, RowShare share) {
      return sampler.sample(rows_of(data, first, last), r, share);
    });
  }
  SUBCASE("K = 3 replicas per pattern, with log Q") {
    Tensor<T, 1> whole_log_q;
    Rng whole_rng = rng;
    sampler.sample(data, whole_rng, whole_log_q, 3);
    const Tensor<T, 1> expected_log_q = whole_log_q;
    check_parts_draw_the_whole<T>(rng, 3, [&](std::size_t first, std::size_t last, Rng& r, RowShare share) {
      Tensor<T, 1> log_q;
      BasicNodeStates<T> states = sampler.sample(rows_of(data, first, last), r, log_q, 3, share);
      for (std::size_t i = 0; i < log_q.size(); ++i)
        CHECK(log_q(i) == doctest::Approx(expected_log_q(first * 3 + i)).epsilon(1e-14));
      return states;
    });
  }
  SUBCASE("cues mixed in at weight 0.5") {
    check_parts_draw_the_whole<T>(rng, 1, [&](std::size_t first, std::size_t last, Rng& r, RowShare share) {
      return sampler.sample_with_cues(rows_of(data, first, last), r, 0.5, share);
    });
  }
}

}  // namespace

TEST_CASE("recognition: the parts of a batch, each with its RowShare, draw the whole batch's states and end where it ends") {
  Network network = cued_student();
  SUBCASE("double") { check_recognition<double>(network); }
  SUBCASE("float") {
    network.generative.enable_single_precision();
    network.recognition.enable_single_precision();
    check_recognition<float>(network);
  }
}

TEST_CASE("ancestral sampling: the parts of a batch of fantasies draw the whole batch's, and end where it ends") {
  Rng shape_rng = make_rng(3);
  const Network network = testing::random_network(testing::layered_shape, shape_rng);  // every plugin, extremes
  AncestralSampler sampler(network);
  check_parts_draw_the_whole<double>(make_rng(21), 1, [&](std::size_t first, std::size_t last, Rng& r, RowShare share) {
    return sampler.sample(last - first, r, share);
  });
}

TEST_CASE("sample_bernoulli and mix_in_cue with a RowShare of the whole batch draw as without one") {
  Matrix p = Matrix::from_shape({4, 3});
  for (std::size_t i = 0; i < p.size(); ++i) p.data()[i] = 0.1 * static_cast<double>(i % 10);
  Matrix plain, shared;
  Rng a = make_rng(1), b = make_rng(1);
  sample_bernoulli(p, plain, a);
  sample_bernoulli(p, shared, b, RowShare{});
  CHECK(plain == shared);
  CHECK(a == b);
  Matrix cue = xt::ones<double>({4, 3});
  mix_in_cue(cue, 0.5, plain, a);
  mix_in_cue(cue, 0.5, shared, b, RowShare{0, 0});
  CHECK(plain == shared);
  CHECK(a == b);
  SUBCASE("skipping: rows before and after take their draws") {
    Matrix row = rows_of(p, 1, 2), one;
    Rng whole = make_rng(2), part = make_rng(2);
    Matrix all;
    sample_bernoulli(p, all, whole);
    sample_bernoulli(row, one, part, RowShare{1, 2});
    CHECK(part == whole);
    for (std::size_t j = 0; j < 3; ++j) CHECK(one(0, j) == all(1, j));
  }
}
