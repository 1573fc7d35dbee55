// Exact enumeration split over the ranks of a job (a job of threads here, as MPI runs it
// over processes): every rank gets the one-process result to the last bit, for any count of
// ranks, on both paths (the per-pattern walk with posterior, mode and bound; the factorised
// sum, with its doubtful patterns redone), over several blocks of patterns and past 64
// shares. And the share tree itself: its merges follow the one pairwise order whoever adds
// the shares, in whatever order.
#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <thread>

#include "framework/engines/exact_inference.hpp"
#include "framework/engines/share_tree.hpp"
#include "framework/io/model_file.hpp"
#include "tests/support/extreme_networks.hpp"
#include "tests/support/random_networks.hpp"
#include "tests/support/thread_communicator.hpp"

using namespace helmholtz;

namespace {

// Merging strings with brackets records the order of the merges.
struct Text {
  std::string text;
};
void bracket(Text& left, const Text& right) { left.text = "(" + left.text + " " + right.text + ")"; }

// The pairwise tree over shares [start, start + width), written out.
std::string pairwise(std::size_t start, std::size_t width) {
  if (width == 1) return std::to_string(start);
  return "(" + pairwise(start, width / 2) + " " + pairwise(start + width / 2, width / 2) + ")";
}

// The shares [first, last) added by `threads` threads in a shuffled order.
void add_shuffled(ShareTree<Text>& tree, std::size_t first, std::size_t last, unsigned threads, unsigned seed) {
  std::vector<std::size_t> order(last - first);
  std::iota(order.begin(), order.end(), first);
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  std::mutex taking;
  std::size_t next = 0;
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (;;) {
        std::size_t s;
        {
          std::lock_guard lock(taking);
          if (next == order.size()) return;
          s = order[next++];
        }
        auto partial = tree.spare();
        partial->text = std::to_string(s);
        tree.add({s, 1, std::move(partial)});
      }
    });
  for (auto& w : workers) w.join();
}

Matrix random_patterns(std::size_t visible, std::size_t count, Rng& rng) {
  Matrix data = Matrix::from_shape({count, visible});
  for (double& x : data) x = uniform01(rng) < 0.5;
  return data;
}

// Every field of two results equal to the bit (NaN where NaN).
void check_identical(const ExactResult& a, const ExactResult& b) {
  auto same = [](const auto& x, const auto& y) {
    REQUIRE(x.size() == y.size());
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!(std::isnan(x.data()[i]) && std::isnan(y.data()[i]))) CHECK(x.data()[i] == y.data()[i]);
  };
  CHECK(a.hidden_configurations == b.hidden_configurations);
  same(a.log_likelihood, b.log_likelihood);
  same(a.posterior_marginals, b.posterior_marginals);
  same(a.posterior_mode, b.posterior_mode);
  same(a.mode_log_joint, b.mode_log_joint);
  same(a.free_energy_bound, b.free_energy_bound);
}

// exact_inference on `ranks` thread-ranks: each rank's result checked against `one`.
void check_ranks(const Network& network, const Matrix& data, ExactOptions options, const ExactResult& one,
                 std::size_t ranks) {
  std::vector<ExactResult> results(ranks);
  testing::run_ranks(ranks, [&](Communicator& communicator) {
    ExactOptions mine = options;
    mine.communicator = &communicator;
    mine.threads = 1 + static_cast<unsigned>(communicator.rank() % 2);  // threads may differ between ranks
    results[communicator.rank()] = exact_inference(network, data, mine);
  });
  for (std::size_t r = 0; r < ranks; ++r) {
    CAPTURE(r);
    check_identical(results[r], one);
  }
}

// Hidden units in two nodes above sigmoid data: the plan factorises.
std::string wide_shape(std::size_t top, std::size_t mid, std::size_t visible, const char* data_kind) {
  return "nodes:\n  - {name: top, type: binary, size: " + std::to_string(top) + "}\n  - {name: mid, type: binary, size: " +
         std::to_string(mid) + "}\n  - {name: data, type: binary, size: " + std::to_string(visible) +
         ", observed: true}\ngenerative:\n  top: {distribution: KIND}\n  mid: {distribution: KIND, parents: [top]}\n"
         "  data: {distribution: " +
         data_kind + ", parents: [mid, top]}\nrecognition:\n  mid: {distribution: KIND, parents: [data]}\n"
         "  top: {distribution: KIND, parents: [mid]}\n";
}

}  // namespace

TEST_CASE("share tree: the merges follow the pairwise order, whatever the order and the threads that add the shares") {
  for (std::size_t shares : {1u, 2u, 8u, 64u, 1024u})
    for (unsigned threads : {1u, 3u}) {
      CAPTURE(shares);
      CAPTURE(threads);
      ShareTree<Text> tree(shares, 0, shares, bracket);
      add_shuffled(tree, 0, shares, threads, static_cast<unsigned>(shares + threads));
      auto frontier = tree.take_frontier();
      REQUIRE(frontier.size() == 1);
      CHECK(frontier[0].width == shares);
      CHECK(frontier[0].partial->text == pairwise(0, shares));
    }
}

TEST_CASE("share tree: ranks' frontiers, merged over all shares, give the one-process tree for any count of ranks") {
  const std::size_t shares = 64;
  for (std::size_t ranks = 1; ranks <= 70; ranks += ranks < 8 ? 1 : 9) {
    CAPTURE(ranks);
    ShareTree<Text> whole(shares, 0, shares, bracket);
    std::vector<ShareTree<Text>::Node> sent;
    for (std::size_t r = 0; r < ranks; ++r) {
      const auto [first, last] = rank_shares(shares, r, ranks);
      ShareTree<Text> part(shares, first, last, bracket);
      add_shuffled(part, first, last, 2, static_cast<unsigned>(r));
      auto frontier = part.take_frontier();
      std::size_t covered = first;
      for (auto& node : frontier) {  // the largest aligned blocks covering [first, last), in order
        CHECK(node.start == covered);
        CHECK(node.start % node.width == 0);
        covered += node.width;
        sent.push_back(std::move(node));
      }
      CHECK(covered == last);
    }
    std::shuffle(sent.begin(), sent.end(), std::mt19937(7));  // arrival order does not matter
    for (auto& node : sent) whole.add(std::move(node));
    auto root = whole.take_frontier();
    REQUIRE(root.size() == 1);
    CHECK(root[0].partial->text == pairwise(0, shares));
  }
}

TEST_CASE("exact enumeration over 1, 2, 3 and 5 ranks gives every rank the one-process result to the last bit, over two "
          "blocks of patterns") {
  Rng rng = make_rng(151);
  for (const char* data_kind : {"sigmoid", "KIND"}) {  // the factorised sum, and the walk with whatever plugins
    CAPTURE(data_kind);
    const Network network = testing::random_network(wide_shape(3, 11, 5, data_kind), rng);
    const Matrix data = random_patterns(network.visible_units(), 2050, rng);
    for (const bool everything : {false, true}) {
      CAPTURE(everything);
      ExactOptions options;
      options.threads = 1;
      options.posterior_marginals = options.posterior_mode = options.free_energy_bound = everything;
      const ExactResult one = exact_inference(network, data, options);
      for (std::size_t ranks : {1u, 2u, 3u, 5u}) {
        CAPTURE(ranks);
        check_ranks(network, data, options, one, ranks);
      }
    }
  }
}

TEST_CASE("exact enumeration past 64 shares (2^23 and 2^24 configurations) over 3 ranks: the one-process result") {
  Rng rng = make_rng(152);
  {  // the walk: 2^23 / 2^16 = 128 shares
    const Network network = testing::random_network(wide_shape(3, 20, 3, "KIND"), rng);
    const Matrix data = random_patterns(network.visible_units(), 1, rng);
    ExactOptions options;
    options.factorised = false;
    options.posterior_mode = true;
    const ExactResult one = exact_inference(network, data, options);
    check_ranks(network, data, options, one, 3);
  }
  {  // the factorised sum: 2^14 runs of 2^10, 256 shares of 64 runs
    const Network network = testing::random_network(wide_shape(4, 20, 4, "sigmoid"), rng);
    const Matrix data = random_patterns(network.visible_units(), 6, rng);
    const ExactResult one = exact_inference(network, data, {});
    check_ranks(network, data, {}, one, 3);
  }
}

TEST_CASE("exact enumeration over ranks: a pattern the factorised sum doubts is redone by the walk, on every rank") {
  const Network network = testing::underflowing_factorised_sum();  // d on: every scaled product underflows
  Matrix data = Matrix::from_shape({3, 1});
  data(0, 0) = 1.0;
  data(1, 0) = 0.0;
  data(2, 0) = 1.0;
  const ExactResult one = exact_inference(network, data, {});
  REQUIRE(std::isfinite(one.log_likelihood(0)));
  for (std::size_t ranks : {2u, 3u}) check_ranks(network, data, {}, one, ranks);
}

TEST_CASE("exact over ranks: the cost estimate is rank 0's on every rank, and the progress on rank 0 combines the "
          "ranks'") {
  Rng rng = make_rng(153);
  const Network network = testing::random_network(wide_shape(3, 13, 4, "KIND"), rng);
  const Matrix data = random_patterns(network.visible_units(), 50, rng);
  const std::size_t ranks = 3;
  std::vector<ExactCost> costs(ranks);
  std::vector<std::vector<double>> progress(ranks);
  testing::run_ranks(ranks, [&](Communicator& communicator) {
    ExactOptions options;
    options.threads = 1;
    options.communicator = &communicator;
    options.factorised = false;
    options.progress_interval = 0;
    options.progress = [&, r = communicator.rank()](double fraction) { progress[r].push_back(fraction); };
    costs[communicator.rank()] = estimate_exact_cost(network, data, options);
    exact_inference(network, data, options);
  });
  for (std::size_t r = 0; r < ranks; ++r) {
    CHECK(costs[r].seconds == costs[0].seconds);
    CHECK(costs[r].ranks == ranks);
    CHECK(costs[r].timed_configurations == costs[0].timed_configurations);
    REQUIRE(!progress[r].empty());
    CHECK(std::is_sorted(progress[r].begin(), progress[r].end()));
    CHECK(progress[r].front() >= 0.0);
    // A rank's own fraction reaches 1 with its last batch; rank 0's is the mean of the latest
    // each rank has reported, its own share at least.
    if (r != 0) CHECK(progress[r].back() == 1.0);
    else CHECK(progress[r].back() >= 1.0 / ranks);
    CHECK(progress[r].back() <= 1.0);
  }
}
