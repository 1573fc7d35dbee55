#pragma once
// The training loop shared by every algorithm: epochs of shuffled minibatches (or, with the
// conjugate-gradient optimiser, one line search over the whole data set per epoch), the
// learning-rate schedule, a report per epoch (sampled bound on the training data, exact
// log-likelihood of validation data when the network is small enough), early stopping, and
// stopping on divergence with the last good parameters kept.
//
// Randomness: epoch e draws from its own stream, seeded from (seed, e), so that a run resumed
// after e epochs continues exactly as the uninterrupted run would; reports draw from a
// stream of their own, so that reporting never changes training.
//
// Data-parallel (TrainingSetup::communicator, a job of R > 1 ranks; docs/distributed.md):
// every rank holds the whole data set and runs this same loop, drawing the same order; each
// minibatch is cut into R contiguous parts, rank r trains on part r (minibatch_share.hpp),
// the learners sum the gradients over the ranks, and every rank takes the same steps, so
// that all hold the same parameters, bit for bit, at all times. What depends on R is only
// the order of the floating-point additions in the sums. The stop requests, the report's
// sampled values and the validation are agreed on, so that every rank stops at the same
// step with the same outcome.
#include <functional>
#include <limits>
#include <optional>
#include <string>

#include "framework/distributed/communicator.hpp"
#include "framework/engines/training/algorithm.hpp"
#include "framework/engines/training/training_options.hpp"
#include "framework/graph/network.hpp"

namespace helmholtz {

struct EpochReport {
  std::size_t epoch = 0;  // 1-based, counting the epochs of a resumed run
  double seconds = 0;
  double patterns_per_second = 0;
  // Mean sampled bound -F (one sample from Q per pattern) on up to the first 1000 patterns.
  double sampled_bound = 0;
  // The algorithm's own objective (mean per pattern) where it follows one, else NaN.
  double objective = std::numeric_limits<double>::quiet_NaN();
  // On the validation data, when given: exact mean log p(d) and exact bound when the network
  // has at most `validation_max_hidden_units` hidden units (else NaN), and the sampled bound.
  double validation_log_likelihood = std::numeric_limits<double>::quiet_NaN();
  double validation_exact_bound = std::numeric_limits<double>::quiet_NaN();
  double validation_sampled_bound = std::numeric_limits<double>::quiet_NaN();
};

struct TrainingOutcome {
  std::size_t epochs_completed = 0;  // in total, counting those before a resume
  bool interrupted = false;
  bool diverged = false;      // stopped on non-finite numbers, last good parameters kept
  bool stopped_early = false;  // patience ran out, best parameters restored
  std::size_t best_epoch = 0;  // with validation data: the epoch whose parameters are kept
  std::string message;         // what happened, for the user, when it is not a plain finish
};

struct TrainingSetup {
  const Matrix* validation = nullptr;           // patterns for reports and early stopping
  std::size_t validation_max_hidden_units = 20;  // exact validation only up to this size
  const AlgorithmRegistry* algorithms = nullptr;  // default: builtin_algorithms()
  // Where a resumed run starts: epochs already completed and the optimiser's state (as in
  // TrainingRecord). Updated on return, ready to be recorded.
  std::size_t epochs_completed = 0;
  std::map<std::string, std::map<std::string, Vector>> optimiser_state;
  // Called before the first epoch with each of the algorithm's notes (e.g. a slower fallback).
  std::function<void(const std::string&)> on_note;
  // Called between minibatches, at most every half second, with the fraction of this run's
  // epochs done, for progress displays.
  std::function<void(double fraction)> on_progress;

  // The job of a data-parallel run: each minibatch is split over its ranks (see above). Every
  // rank calls train() with the same network, data, options and setup (rank 0's on_epoch
  // alone decides whether reports are computed). nullptr, or a job of one rank: one process,
  // bit for bit and step for step as without a job.
  Communicator* communicator = nullptr;
  // Called once everything is checked (options, data, the algorithm made) and before the
  // first collective call: a job agrees there that every rank is ready (cli::job_ready()),
  // so that a mistake is reported as one, not from inside collective work.
  std::function<void()> on_ready;
};

// Trains `network` in place on data (patterns x visible units, held as bytes) for
// options.epochs epochs. Minibatches are converted to double, or to float with
// options.single_precision, as they are drawn. Throws Error for bad options or a network
// the algorithm cannot train.
TrainingOutcome train(Network& network, const ByteMatrix& data, const TrainingOptions& options, TrainingSetup& setup,
                      const std::function<void(const EpochReport&)>& on_epoch = {});
// The same for data as doubles (each 0 or 1; converted to bytes first).
TrainingOutcome train(Network& network, const Matrix& data, const TrainingOptions& options, TrainingSetup& setup,
                      const std::function<void(const EpochReport&)>& on_epoch = {});

// The random stream of epoch e (1-based) of a run with this seed.
Rng epoch_rng(std::uint64_t seed, std::size_t epoch);

}  // namespace helmholtz
