#pragma once
// The part of a minibatch an algorithm is given (Learners::share). In one process it is the
// whole minibatch. In a data-parallel run (TrainingSetup::communicator, docs/distributed.md)
// the trainer cuts each minibatch of B patterns into R contiguous parts, one per rank, and
// each rank's algorithm trains on its own part:
// - every pattern weighs 1/B, the whole minibatch's mean (total()), not 1/(its part);
// - the samplers draw what the whole minibatch would draw and keep their rows' numbers
//   (`rows`, row_share.hpp), so that the draws are the same for any R;
// - the learners sum their gradients over the ranks before they step (DirectionLearner), so
//   that every rank takes the same step and holds the same parameters, bit for bit;
// - a choice that depends on the patterns of the minibatch is made for all ranks (any()).
// A part may be empty (a last minibatch of fewer than R patterns): its rank still draws, sums
// and steps with the others.
#include <cstddef>
#include <span>

#include "framework/distributed/communicator.hpp"
#include "framework/engines/row_share.hpp"
#include "framework/matrix.hpp"

namespace helmholtz {

struct MinibatchShare {
  RowShare rows;                   // the minibatch's rows before and after this part
  Communicator* ranks = nullptr;   // the job of a data-parallel run; null in one process

  // B, the patterns of the whole minibatch, for a part of `count`.
  std::size_t total(std::size_t count) const { return rows.before + count + rows.after; }
  // Whether `mine` holds on some rank: collective in a data-parallel run (every rank asks).
  bool any(bool mine) const;
};

// Whether `mine` holds on some rank of `ranks` (null: one process, `mine`). Collective.
inline bool on_any_rank(Communicator* ranks, bool mine) {
  if (!ranks) return mine;
  double count = mine ? 1.0 : 0.0;
  ranks->sum(std::span<double>(&count, 1));
  return count > 0.0;
}

inline bool MinibatchShare::any(bool mine) const { return on_any_rank(ranks, mine); }

// weights(n) = 1/B for each of the `count` patterns of the part (the minibatch's mean, B =
// share.total(count)); left alone when they are that already, so that a step allocates nothing.
template <class T>
void fill_mean_weights(Tensor<T, 1>& weights, std::size_t count, const MinibatchShare& share) {
  const T weight = T(1) / static_cast<T>(share.total(count));
  if (weights.size() == count && (count == 0 || weights(0) == weight)) return;
  if (weights.size() != count) weights = Tensor<T, 1>::from_shape({count});
  weights.fill(weight);
}

}  // namespace helmholtz
