#include "framework/engines/exact_inference.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <memory>
#include <tuple>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <thread>
#include <chrono>
#include <functional>

#include "framework/engines/configuration_terms.hpp"
#include "framework/engines/share_tree.hpp"
#include "framework/engines/factorised_sum.hpp"
#include "framework/engines/thread_cpu_time.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/numerics.hpp"
#include "framework/vector_math.hpp"
#include "framework/patterns.hpp"

namespace helmholtz {
namespace {

constexpr std::size_t pattern_block = 2048;       // patterns enumerated together
constexpr std::uint64_t configurations_per_share_minimum = 4096;
constexpr std::size_t batch = TermWalker::batch_capacity;

// Per-pattern running results for one block of patterns and one share of the configurations.
struct Partial {
  Vector max;        // running maximum of log P(h, d) over the configurations seen
  Vector sum;        // sum of exp(log P(h, d) - max)
  Matrix marginals;  // sum of exp(log P(h, d) - max) * h
  Vector best;       // largest log P(h, d) seen, and where
  std::vector<std::uint64_t> best_configuration;
  Vector bound;       // sum of Q(h|d) [log P(h,d) - log Q(h|d)]
  Vector q_total;     // sum of Q(h|d), 1 up to rounding

  void reset(std::size_t patterns, std::size_t hidden_units, const ExactOptions& options) {
    max = Vector::from_shape({patterns});
    max.fill(-numerics::infinity);
    sum = xt::zeros<double>({patterns});
    if (options.posterior_marginals) marginals = xt::zeros<double>({patterns, hidden_units});
    best = Vector::from_shape({patterns});
    best.fill(-numerics::infinity);
    best_configuration.assign(patterns, 0);
    bound = xt::zeros<double>({patterns});
    q_total = xt::zeros<double>({patterns});
  }

  // Appends this partial to `out` as doubles (a configuration as its two 32-bit halves, so
  // that all 62 bits survive), for sending between ranks; unpack reads it back.
  void pack(std::vector<double>& out) const {
    const std::size_t patterns = max.size();
    for (std::size_t n = 0; n < patterns; ++n) {
      out.insert(out.end(), {max(n), sum(n), best(n), bound(n), q_total(n)});
      out.push_back(static_cast<double>(best_configuration[n] >> 32));
      out.push_back(static_cast<double>(best_configuration[n] & 0xffffffffu));
      if (marginals.size() != 0) out.insert(out.end(), &marginals(n, 0), &marginals(n, 0) + marginals.shape(1));
    }
  }
  static std::size_t packed_size(std::size_t patterns, std::size_t hidden_units, const ExactOptions& options) {
    return patterns * (7 + (options.posterior_marginals ? hidden_units : 0));
  }
  void unpack(const double*& in, std::size_t patterns, std::size_t hidden_units, const ExactOptions& options) {
    reset(patterns, hidden_units, options);
    for (std::size_t n = 0; n < patterns; ++n) {
      max(n) = *in++;
      sum(n) = *in++;
      best(n) = *in++;
      bound(n) = *in++;
      q_total(n) = *in++;
      best_configuration[n] = static_cast<std::uint64_t>(in[0]) << 32 | static_cast<std::uint64_t>(in[1]);
      in += 2;
      if (options.posterior_marginals)
        for (std::size_t i = 0; i < hidden_units; ++i) marginals(n, i) = *in++;
    }
  }

  // Folds another share of the configurations into this one.
  void merge(const Partial& other, const ExactOptions& options) {
    for (std::size_t n = 0; n < max.size(); ++n) {
      if (other.best(n) > best(n)) {
        best(n) = other.best(n);
        best_configuration[n] = other.best_configuration[n];
      }
      bound(n) += other.bound(n);
      q_total(n) += other.q_total(n);
      if (other.sum(n) == 0.0) continue;
      const double m = std::max(max(n), other.max(n));
      const double mine = sum(n) == 0.0 ? 0.0 : std::exp(max(n) - m);
      const double theirs = std::exp(other.max(n) - m);
      sum(n) = sum(n) * mine + other.sum(n) * theirs;
      if (options.posterior_marginals)
        for (std::size_t i = 0; i < marginals.shape(1); ++i)
          marginals(n, i) = marginals(n, i) * mine + other.marginals(n, i) * theirs;
      max(n) = m;
    }
  }
};

struct Plans {
  UnitLayout layout;
  TermPlan generative;
  std::optional<TermPlan> recognition;
  Plans(const Network& network, bool with_recognition)
      : layout(network), generative(network, network.generative, layout) {
    if (with_recognition) recognition.emplace(network, network.recognition, layout);
  }
};

// Walks a contiguous share of the Gray-code sequence for one block of patterns.
class Enumerator {
 public:
  // Progress: configurations done, added after every batch, and a call after every batch
  // (set on the enumerator that runs on the calling thread only).
  std::atomic<std::uint64_t>* done = nullptr;
  std::function<void()> on_batch;

  Enumerator(const Plans& plans, const ExactOptions& options) : plans_(plans), options_(options), p_(plans.generative) {
    if (plans.recognition) q_.emplace(*plans.recognition);
    if (options.posterior_marginals) ensure_shape(bits_, batch, plans.layout.hidden_units);
    configurations_.resize(batch);
  }

  void run(const TermBlock& p_block, const TermBlock* q_block, std::uint64_t begin, std::uint64_t end, Partial& out) {
    out.reset(p_block.data->shape(0), plans_.layout.hidden_units, options_);
    p_.attach(p_block);
    if (q_) q_->attach(*q_block);
    std::size_t filled = 0;
    gray_walk(
        begin, end, [&](std::uint64_t h) { reset(h); }, [&](std::size_t u, std::uint64_t h) { flip(u, h); },
        [&](std::uint64_t i, std::uint64_t h) {
          record(filled++, h);
          if (filled == batch || i + 1 == end) {
            flush(p_block, q_block, filled, out);
            if (done) done->fetch_add(filled, std::memory_order_relaxed);
            if (on_batch) on_batch();
            filled = 0;
            if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) throw Interrupted();
          }
        });
  }

 private:
  void reset(std::uint64_t h) {
    p_.reset(h);
    if (q_) q_->reset(h);
  }
  void flip(unsigned u, std::uint64_t h) {
    p_.flip(u, h);
    if (q_) q_->flip(u, h);
  }
  void record(std::size_t b, std::uint64_t h) {
    configurations_[b] = h;
    p_.record(b, h);
    if (q_) q_->record(b, h);
    if (options_.posterior_marginals)
      for (std::size_t u = 0; u < plans_.layout.hidden_units; ++u) bits_(b, u) = static_cast<double>((h >> u) & 1u);
  }

  void flush(const TermBlock& p_block, const TermBlock* q_block, std::size_t filled, Partial& out) {
    p_.evaluate(p_block, filled, configurations_, log_p_);
    if (q_) {
      q_->evaluate(*q_block, filled, configurations_, log_q_);
      accumulate_bound(filled, out);
    }
    const std::size_t patterns = log_p_.shape(0);
    for (std::size_t n = 0; n < patterns; ++n) {
      double* row = &log_p_(n, 0);
      const double top = vector_math::maximum(row, filled);
      if (top > out.best(n)) {
        out.best(n) = top;
        out.best_configuration[n] = configurations_[static_cast<std::size_t>(std::find(row, row + filled, top) - row)];
      }
      if (top <= impossible_threshold) {  // nothing possible in this batch
        std::fill(row, row + filled, 0.0);
        continue;
      }
      const double m = std::max(out.max(n), top);
      if (m > out.max(n) && out.sum(n) > 0.0) {
        const double rescale = std::exp(out.max(n) - m);
        out.sum(n) *= rescale;
        if (options_.posterior_marginals)
          for (std::size_t u = 0; u < plans_.layout.hidden_units; ++u) out.marginals(n, u) *= rescale;
      }
      out.max(n) = m;
      out.sum(n) += vector_math::exp_shifted_sum(row, filled, m);
    }
    // log_p_ now holds exp(log P(h,d) - max): the posterior weights, up to normalisation.
    const std::size_t h_units = plans_.layout.hidden_units;
    if (options_.posterior_marginals && h_units)
      multiply_add(patterns, h_units, filled, log_p_.data(), filled, bits_.data(), h_units, out.marginals.data(), h_units);
  }

  void accumulate_bound(std::size_t filled, Partial& out) {
    for (std::size_t n = 0; n < log_q_.shape(0); ++n)
      for (std::size_t b = 0; b < filled; ++b) {
        const double log_q = log_q_(n, b);
        if (log_q <= impossible_threshold) continue;  // Q(h|d) = 0 contributes nothing
        const double q = std::exp(log_q);
        // Q(h|d) > 0 where P(h, d) = 0 makes -F = -inf, however small Q is: its exp may
        // underflow to 0 (log Q = -1e3), and 0 * -inf would be NaN.
        const double log_p = log_p_(n, b);
        out.bound(n) += log_p <= impossible_threshold ? -numerics::infinity : q * (log_p - log_q);
        out.q_total(n) += q;
      }
  }

  const Plans& plans_;
  const ExactOptions& options_;
  TermWalker p_;
  std::optional<TermWalker> q_;
  std::vector<std::uint64_t> configurations_;
  Matrix bits_, log_p_, log_q_;
};

// Runs work(t) for t = 0 .. threads - 1, the last on the calling thread, and rethrows the
// first error any of them threw.
template <class Work>
void run_threads(unsigned threads, Work&& work) {
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    auto guarded = [&, t] {
      try {
        work(t);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    };
    if (t + 1 == threads) guarded();
    else workers.emplace_back(guarded);
  }
  for (auto& w : workers) w.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// The configurations are cut into a fixed number of shares, whatever the number of threads
// and ranks (share_tree.hpp): each share sums into a partial of its own, and the partials
// merge in one fixed order, so that the results are the same to the last bit with any number
// of threads or ranks. (2^H, and so the count of shares, is a power of two: every share is
// the same size.) A rank takes the shares [first, last) of the tree; its threads take them in
// turn, and work(t, s, partial) sums share s on thread t.
inline constexpr std::size_t most_shares = 1024;
template <class Partial, class Work>
void run_shares(unsigned threads, ShareTree<Partial>& tree, std::size_t first, std::size_t last, Work&& work) {
  std::atomic<std::size_t> next{first};
  run_threads(threads, [&](unsigned t) {
    for (std::size_t s = next++; s < last; s = next++) {
      std::unique_ptr<Partial> partial = tree.spare();
      work(t, s, *partial);
      tree.add({s, 1, std::move(partial)});
    }
  });
}

// The root of the tree, on every rank: this rank's frontier (one node, the root itself, in a
// job of one process) sent to rank 0 in one gather, the tree completed there from every
// rank's frontier in the order one process merges, and the root sent back to every rank.
// pack(partial, out) appends a partial to out; unpack(in, partial) reads one back.
template <class Partial, class Pack, class Unpack>
std::unique_ptr<Partial> combine_ranks(ShareTree<Partial>& tree, std::size_t shares, Communicator* communicator,
                                       typename ShareTree<Partial>::Merge merge, Pack&& pack, Unpack&& unpack,
                                       std::size_t packed_size) {
  auto frontier = tree.take_frontier();
  if (!communicator || communicator->size() == 1) return std::move(frontier.front().partial);
  std::vector<double> mine;
  for (auto& node : frontier) {
    mine.push_back(static_cast<double>(node.start));
    mine.push_back(static_cast<double>(node.width));
    pack(*node.partial, mine);
    tree.recycle(std::move(node.partial));
  }
  const std::vector<double> all = communicator->gather(mine);
  std::vector<double> root;
  if (communicator->rank() == 0) {
    ShareTree<Partial> whole(shares, 0, shares, std::move(merge));
    for (const double* in = all.data(); in != all.data() + all.size();) {
      const auto start = static_cast<std::size_t>(in[0]), width = static_cast<std::size_t>(in[1]);
      in += 2;
      std::unique_ptr<Partial> partial = whole.spare();
      unpack(in, *partial);
      whole.add({start, width, std::move(partial)});
    }
    pack(*whole.take_frontier().front().partial, root);
  }
  root.resize(packed_size);
  communicator->broadcast(root);
  auto out = tree.spare();
  const double* in = root.data();
  unpack(in, *out);
  return out;
}

// Progress of the configurations x pattern blocks done, reported from the calling thread.
// In a job of several ranks, each rank's fraction of its own share of the work, combined
// (on rank 0) over the ranks.
struct ProgressReporter {
  ProgressReporter(const ExactOptions& options, double work) : options_(options), work_(work) {}
  std::atomic<std::uint64_t> done{0};
  void report() {
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_).count() < options_.progress_interval) return;
    last_ = now;
    const double mine = work_ > 0 ? static_cast<double>(done.load(std::memory_order_relaxed)) / work_ : 1.0;
    options_.progress(options_.communicator ? options_.communicator->combined_progress(mine) : mine);
  }

 private:
  const ExactOptions& options_;
  double work_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Whether log p(d) goes by matrix products (factorised_sum.hpp) rather than the per-pattern walk.
bool uses_factorised_sum(const Plans& plans, const ExactOptions& options) {
  return options.factorised && plans.generative.factorises && !options.posterior_marginals && !options.posterior_mode &&
         !options.free_energy_bound;
}

unsigned requested_threads(const ExactOptions& options) {
  return options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
}

// The shares the configurations are cut into, by the per-pattern walk and by the factorised
// sum (whose shares are whole runs of 2^L configurations): up to 64 shares of at least 4096
// configurations (or one run) each, enough for the threads of one machine; beyond that, for
// the ranks of a job, up to 1024 shares large enough to keep each share's setup negligible
// (65536 configurations; 64 runs, a full matrix product).
inline constexpr std::size_t machine_shares = 64;
std::size_t walk_shares(std::uint64_t total) {
  return static_cast<std::size_t>(std::max<std::uint64_t>(
      {1, std::min<std::uint64_t>(machine_shares, total / configurations_per_share_minimum),
       std::min<std::uint64_t>(most_shares, total / (16 * configurations_per_share_minimum))}));
}
std::size_t factorised_shares(const Plans& plans, std::uint64_t total) {
  const std::uint64_t runs = total >> FactorisedWalker::low_bits(plans.layout.hidden_units);
  return static_cast<std::size_t>(std::max<std::uint64_t>(
      {1, std::min<std::uint64_t>(machine_shares, runs),
       std::min<std::uint64_t>(most_shares, runs / FactorisedWalker::runs_per_product)}));
}

// This rank's part of the shares, and the threads that do it (no more than its shares).
struct RankPart {
  std::size_t first = 0, last = 1;
  unsigned threads = 1;
  RankPart(std::size_t shares, unsigned requested, const Communicator* communicator) {
    std::tie(first, last) = communicator ? rank_shares(shares, communicator->rank(), communicator->size())
                                         : std::pair<std::size_t, std::size_t>{0, shares};
    threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(requested, last - first)));
  }
};

// log p(d) by matrix products (factorised_sum.hpp) for a network whose plan factorises.
// Patterns whose sum may have lost precision get NaN, for the per-pattern walk to redo.
Vector factorised_log_likelihood(const Plans& plans, const Matrix& data, std::uint64_t total, unsigned threads,
                                 const ExactOptions& options) {
  const std::size_t patterns = data.shape(0);
  const std::uint64_t columns = std::uint64_t{1} << FactorisedWalker::low_bits(plans.layout.hidden_units);
  const std::uint64_t runs = total / columns;
  const std::size_t shares = factorised_shares(plans, total);
  const RankPart part(shares, threads, options.communicator);
  std::vector<FactorisedWalker> walkers;
  for (unsigned t = 0; t < part.threads; ++t) {
    walkers.emplace_back(plans.generative);
    walkers.back().interrupt = options.interrupt;
  }
  const std::size_t blocks = (patterns + pattern_block - 1) / pattern_block;
  ProgressReporter progress(options, static_cast<double>(total / shares * (part.last - part.first)) * static_cast<double>(blocks));
  if (options.progress) {
    for (auto& w : walkers) w.done = &progress.done;
    walkers.back().on_batch = [&] { progress.report(); };
  }
  Vector out = Vector::from_shape({patterns});
  ShareTree<FactorisedPartial> tree(shares, part.first, part.last,
                                    [](FactorisedPartial& a, const FactorisedPartial& b) { a.merge(b); });
  Matrix block;
  TermBlock terms;
  FactorisedBlock factors;
  for (std::size_t first = 0; first < patterns; first += pattern_block) {
    const std::size_t count = std::min(pattern_block, patterns - first);
    copy_rows(data, first, count, block);
    terms.prepare(plans.generative, block);
    factors.prepare(plans.generative, terms);
    run_shares(part.threads, tree, part.first, part.last, [&](unsigned t, std::size_t s, FactorisedPartial& partial) {
      walkers[t].run(terms, factors, runs / shares * s * columns, runs / shares * (s + 1) * columns, partial);
    });
    auto all = combine_ranks(
        tree, shares, options.communicator, [](FactorisedPartial& a, const FactorisedPartial& b) { a.merge(b); },
        [](const FactorisedPartial& p, std::vector<double>& to) {
          for (std::size_t n = 0; n < p.max.size(); ++n) to.insert(to.end(), {p.max(n), p.sum(n), p.lost(n)});
        },
        [count](const double*& in, FactorisedPartial& p) {
          p.reset(count);
          for (std::size_t n = 0; n < count; ++n, in += 3) std::tie(p.max(n), p.sum(n), p.lost(n)) = std::tie(in[0], in[1], in[2]);
        },
        3 * count);
    for (std::size_t n = 0; n < count; ++n) out(first + n) = all->log_sum(n, factors) + terms.constant(n);
    tree.recycle(std::move(all));
  }
  if (options.communicator) options.communicator->end_progress();
  return out;
}

std::string power_of_two(std::size_t h) {
  if (h < 64) return std::to_string(std::uint64_t{1} << h);
  return "about " + format_number(std::ldexp(1.0, static_cast<int>(h)));
}

}  // namespace

std::uint64_t enumerable_configurations(const Network& network, std::size_t max_hidden_units) {
  const std::size_t h = network.hidden_units();
  const std::size_t limit = std::min<std::size_t>(max_hidden_units, 62);
  if (h > limit)
    throw Error("exact inference enumerates all 2^H configurations of the hidden units, and this network has H = " +
                std::to_string(h) + " hidden units (2^" + std::to_string(h) + " = " + power_of_two(h) +
                " configurations), above the limit of " + std::to_string(limit) +
                (max_hidden_units < 62 ? " (ExactOptions::max_hidden_units, at most 62)" : ""));
  return std::uint64_t{1} << h;
}

Matrix all_visible_patterns(const Network& network, std::size_t max_visible_units) {
  const std::size_t v = network.visible_units();
  if (v > max_visible_units)
    throw Error("--all-patterns lists all 2^V visible patterns, and this network has V = " + std::to_string(v) +
                " visible units, above the limit of " + std::to_string(max_visible_units));
  const std::size_t count = std::size_t{1} << v;
  Matrix out = Matrix::from_shape({count, v});
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t c = 0; c < v; ++c) out(i, c) = static_cast<double>((i >> (v - 1 - c)) & 1u);
  return out;
}

ExactResult exact_inference(const Network& network, const Matrix& data, const ExactOptions& options) {
  ExactResult result;
  result.hidden_configurations = enumerable_configurations(network, options.max_hidden_units);
  const Plans plans(network, options.free_energy_bound);
  const std::size_t visible = plans.layout.visible_units, hidden = plans.layout.hidden_units;
  if (data.shape(1) != visible)
    throw Error("the data have " + std::to_string(data.shape(1)) + " columns, but the network has " +
                std::to_string(visible) + " visible units");
  const std::size_t patterns = data.shape(0);
  const std::uint64_t total = result.hidden_configurations;

  const unsigned threads = requested_threads(options);
  const std::size_t shares = walk_shares(total);
  const ScopedBlasThreads one_blas_thread(1);  // the threads are ours

  if (uses_factorised_sum(plans, options)) {
    result.log_likelihood = factorised_log_likelihood(plans, data, total, threads, options);
    std::vector<std::size_t> doubtful;
    for (std::size_t n = 0; n < patterns; ++n)
      if (std::isnan(result.log_likelihood(n))) doubtful.push_back(n);
    if (!doubtful.empty()) {  // extreme parameters: these patterns by the per-pattern walk
      Matrix rows = Matrix::from_shape({doubtful.size(), visible});
      for (std::size_t i = 0; i < doubtful.size(); ++i)
        std::copy(data.data() + doubtful[i] * visible, data.data() + (doubtful[i] + 1) * visible, rows.data() + i * visible);
      ExactOptions walk = options;
      walk.factorised = false;
      walk.progress = nullptr;
      const ExactResult redone = exact_inference(network, rows, walk);
      for (std::size_t i = 0; i < doubtful.size(); ++i) result.log_likelihood(doubtful[i]) = redone.log_likelihood(i);
    }
    return result;
  }

  result.log_likelihood = Vector::from_shape({patterns});
  if (options.posterior_marginals) result.posterior_marginals = Matrix::from_shape({patterns, hidden});
  if (options.posterior_mode) {
    result.posterior_mode = Matrix::from_shape({patterns, hidden});
    result.mode_log_joint = Vector::from_shape({patterns});
  }
  if (options.free_energy_bound) result.free_energy_bound = Vector::from_shape({patterns});

  const RankPart part(shares, threads, options.communicator);
  std::vector<Enumerator> enumerators;
  for (unsigned t = 0; t < part.threads; ++t) enumerators.emplace_back(plans, options);
  // Progress: every thread counts its configurations; the calling thread reports.
  const std::size_t blocks = (patterns + pattern_block - 1) / pattern_block;
  ProgressReporter progress(options, static_cast<double>(total / shares * (part.last - part.first)) * static_cast<double>(blocks));
  if (options.progress) {
    for (auto& e : enumerators) e.done = &progress.done;
    enumerators.back().on_batch = [&] { progress.report(); };
  }
  ShareTree<Partial> tree(shares, part.first, part.last,
                          [&options](Partial& a, const Partial& b) { a.merge(b, options); });
  Matrix block;
  TermBlock p_block, q_block;

  for (std::size_t first = 0; first < patterns; first += pattern_block) {
    const std::size_t count = std::min(pattern_block, patterns - first);
    copy_rows(data, first, count, block);
    p_block.prepare(plans.generative, block);
    if (plans.recognition) q_block.prepare(*plans.recognition, block);

    run_shares(part.threads, tree, part.first, part.last, [&](unsigned t, std::size_t s, Partial& partial) {
      enumerators[t].run(p_block, plans.recognition ? &q_block : nullptr, total / shares * s, total / shares * (s + 1),
                         partial);
    });
    std::unique_ptr<Partial> root = combine_ranks(
        tree, shares, options.communicator, [&options](Partial& a, const Partial& b) { a.merge(b, options); },
        [](const Partial& p, std::vector<double>& to) { p.pack(to); },
        [&](const double*& in, Partial& p) { p.unpack(in, count, hidden, options); },
        Partial::packed_size(count, hidden, options));

    const Partial& all = *root;
    for (std::size_t n = 0; n < count; ++n) {
      const std::size_t row = first + n;
      const double constant = p_block.constant(n);
      const double log_sum = all.sum(n) > 0.0 ? all.max(n) + std::log(all.sum(n)) : -numerics::infinity;
      result.log_likelihood(row) = log_sum + constant;
      // A pattern of probability 0 has no posterior, whether every configuration is impossible
      // (a sum of 0) or the data's own terms are (a constant of -inf): NaN marks it.
      const bool possible = result.log_likelihood(row) > -numerics::infinity;
      // Walk bit u is hidden unit declared_unit[u] of the results.
      const std::vector<std::size_t>& declared = plans.layout.declared_unit;
      // A marginal is a part of the sum over its whole; the two are accumulated in different
      // orders (a matrix product, a streaming sum), so the quotient may round an ulp above 1.
      if (options.posterior_marginals)
        for (std::size_t u = 0; u < hidden; ++u)
          result.posterior_marginals(row, declared[u]) =
              possible ? std::min(all.marginals(n, u) / all.sum(n), 1.0) : std::numeric_limits<double>::quiet_NaN();
      if (options.posterior_mode) {
        for (std::size_t u = 0; u < hidden; ++u)
          result.posterior_mode(row, declared[u]) = static_cast<double>((all.best_configuration[n] >> u) & 1u);
        result.mode_log_joint(row) = all.best(n) <= impossible_threshold ? -numerics::infinity : all.best(n) + constant;
      }
      if (options.free_energy_bound) result.free_energy_bound(row) = all.bound(n) + constant * all.q_total(n);
    }
    tree.recycle(std::move(root));
  }
  if (options.communicator) options.communicator->end_progress();
  return result;
}

ExactCost estimate_exact_cost(const Network& network, const Matrix& data, const ExactOptions& options,
                              double calibration_seconds) {
  auto since = [](double start) { return thread_cpu_seconds() - start; };
  ExactCost cost;
  cost.configurations = enumerable_configurations(network, options.max_hidden_units);
  cost.patterns = data.shape(0);
  const Plans plans(network, options.free_energy_bound);
  if (data.shape(1) != plans.layout.visible_units)
    throw Error("the data have " + std::to_string(data.shape(1)) + " columns, but the network has " +
                std::to_string(plans.layout.visible_units) + " visible units");
  if (cost.patterns == 0) return cost;
  const ScopedBlasThreads one_blas_thread(1);  // as in the enumeration itself
  const std::uint64_t total = cost.configurations;
  const bool factorised = uses_factorised_sum(plans, options);
  // As exact_inference picks them: no more threads than shares of the walk, nor for the
  // factorised sum than its own shares.
  // The slowest rank's part: the most shares a rank has, on as many threads as it has shares.
  const std::size_t shares = factorised ? factorised_shares(plans, total) : walk_shares(total);
  const std::size_t ranks = options.communicator ? options.communicator->size() : 1;
  cost.ranks = std::min(ranks, shares);
  const std::size_t largest_part = (shares + ranks - 1) / ranks;
  cost.threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(requested_threads(options), largest_part)));
  const double part_of_total = static_cast<double>(largest_part) / static_cast<double>(shares);

  // The first block of patterns, prepared as the enumeration prepares every block.
  const std::size_t count = std::min(pattern_block, cost.patterns);
  Matrix block;
  copy_rows(data, 0, count, block);
  const double preparing = thread_cpu_seconds();
  TermBlock p_block, q_block;
  FactorisedBlock factors;
  p_block.prepare(plans.generative, block);
  if (factorised) factors.prepare(plans.generative, p_block);
  else if (plans.recognition) q_block.prepare(*plans.recognition, block);
  const double prepare_seconds = since(preparing);

  // Slices of the configurations, from the first, on one thread: the smallest the engine
  // works in (a batch of the walk, or one matrix product of the factorised sum), then
  // doubling until the slices have taken calibration_seconds or every configuration is done.
  std::optional<Enumerator> enumerator;
  std::optional<FactorisedWalker> walker;
  Partial partial;
  FactorisedPartial factorised_partial;
  std::uint64_t step = batch;
  if (factorised) {
    walker.emplace(plans.generative);
    walker->interrupt = options.interrupt;
    step = (std::uint64_t{1} << FactorisedWalker::low_bits(plans.layout.hidden_units)) * FactorisedWalker::runs_per_product;
  } else {
    enumerator.emplace(plans, options);  // progress is reported by the caller of run(), not here
  }
  auto run = [&](std::uint64_t begin, std::uint64_t end) {
    if (walker) walker->run(p_block, factors, begin, end, factorised_partial);
    else enumerator->run(p_block, plans.recognition ? &q_block : nullptr, begin, end, partial);
  };
  // The first slice also pays for the walkers' first allocations: it counts only if it is all
  // there is.
  std::uint64_t done = std::min(step, total);
  const double warming = thread_cpu_seconds();
  run(0, done);
  double seconds = since(warming);
  std::uint64_t timed = done;
  if (done < total) {
    seconds = 0;
    timed = 0;
  }
  while (done < total && seconds < calibration_seconds) {
    const std::uint64_t end = std::min(total, done + step);
    const double start = thread_cpu_seconds();
    run(done, end);
    seconds += since(start);
    timed += end - done;
    done = end;
    step *= 2;
  }
  cost.timed_configurations = timed;
  cost.timed_seconds = seconds;
  // Per configuration, a block costs a part shared by its patterns and a part per pattern; the
  // first block is the largest (blocks are full but for the last), so scaling its time by
  // patterns / count over-estimates a little when the shared part matters.
  const double blocks = static_cast<double>(cost.patterns) / static_cast<double>(count);
  const double per_configuration = timed ? seconds / static_cast<double>(timed) : 0.0;
  cost.seconds = blocks * (prepare_seconds + per_configuration * static_cast<double>(total) * part_of_total / cost.threads);
  if (options.communicator && ranks > 1) {  // rank 0's measurement, so that every rank decides alike
    std::array<double, 3> measured{cost.seconds, cost.timed_seconds, static_cast<double>(cost.timed_configurations)};
    options.communicator->broadcast(measured);
    cost.seconds = measured[0];
    cost.timed_seconds = measured[1];
    cost.timed_configurations = static_cast<std::uint64_t>(measured[2]);
  }
  return cost;
}

double divergence_from(const Network& network, const Matrix& patterns, const Vector& probabilities,
                       const ExactOptions& options) {
  if (probabilities.size() != patterns.shape(0))
    throw Error("divergence_from: " + std::to_string(probabilities.size()) + " probabilities for " +
                std::to_string(patterns.shape(0)) + " patterns");
  const ExactResult result = exact_inference(network, patterns, options);
  double kl = 0;
  for (std::size_t n = 0; n < probabilities.size(); ++n) {
    const double p = probabilities(n);
    if (p > 0) kl += p * (std::log(p) - result.log_likelihood(n));  // log P = -inf gives +inf, as it should
  }
  return kl;
}

}  // namespace helmholtz
