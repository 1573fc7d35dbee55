#pragma once
// log prod_nodes P(node | parents) of one direction of a network (generative P or
// recognition Q) for every pair of a data pattern d and a hidden configuration h, for a
// block of patterns and a batch of configurations at a time: the kernel of exact
// enumeration. Each node's term  sum_j s_j log P(on_j) + (1 - s_j) log P(off_j)  is
// computed according to what it depends on:
//   prior       hidden node, hidden parents only: firing and states depend on h alone, so
//               the term is one number per configuration;
//   likelihood  observed node, hidden parents only: the firing log-probabilities depend
//               on h alone and are shared by all patterns, the states are the data. With the
//               plugin's LinearLikelihood capability, log P(d | h) = offset(d) + slope(d) . h
//               + residual(h, d): each pattern's linear part follows the Gray-code walk (a flip
//               of unit k adds +-slope_k to every pattern's running value, one vector add), the
//               residual is one number per configuration (sigmoid), plus one per unit on in
//               the pattern (noisy-or): O(1) per (pattern, configuration). Without it, a
//               matrix product [d, 1 - d] x [log on, log off]^T per batch, O(units);
//   recognised  hidden node, observed parents only: the firing log-probabilities depend on
//               d alone and are computed once per block, the states are h: a matrix product
//               [log on, log off] x [h, 1 - h]^T per batch;
//   constant    observed node, observed parents only: depends on d alone;
//   mixed       anything else: recomputed per pattern and configuration (generic, slow).
// Prior and likelihood nodes follow the Gray-code walk: when a hidden unit flips, the nodes
// it is a parent of are updated through the plugin's IncrementalStatistics in O(units) (and
// recomputed from the parents that are on where a subtraction cancelled most of a sum), or
// recomputed from their parents by plugins without that capability.
#include <bit>
#include <cstdint>
#include <vector>

#include "framework/distribution.hpp"
#include "framework/graph/network.hpp"

namespace helmholtz {

class IncrementalStatistics;
class LinearLikelihood;

// log 0 inside matrix products, where 0 * -inf would give NaN; anything at or below
// impossible_threshold is read as -inf.
inline constexpr double impossible = -1e300;
inline constexpr double impossible_threshold = -1e299;

// Which node and parent column each hidden unit is, in the walk's numbering: bit i of a
// configuration is walk unit i. Hidden nodes take the bits in reverse generative topological
// order, so that the nodes nearest the data flip most often and their ancestors, whose flips
// update whole layers below them, least (in Gray-code order bit i flips every 2^(i+1)
// configurations). Results are reported in the declared numbering (hidden nodes in
// declaration order, then units): declared_unit maps one to the other.
struct UnitLayout {
  explicit UnitLayout(const Network& network);
  std::size_t hidden_units = 0;
  std::size_t visible_units = 0;
  std::vector<std::size_t> hidden_offset;  // per node: first walk bit, or npos if observed
  std::vector<std::size_t> data_offset;    // per node: first data column, or npos if hidden
  std::vector<std::size_t> declared_unit;  // per walk bit: the hidden unit in declared numbering
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

enum class TermRole { prior, likelihood, recognised, constant, mixed };

struct TermNode {
  std::size_t node = 0;
  TermRole role = TermRole::prior;
  const Distribution* distribution = nullptr;
  const IncrementalStatistics* incremental = nullptr;  // null: recompute from the parents
  const LinearLikelihood* linear = nullptr;            // likelihood nodes only; null: matrix product
  // A linear node whose shared residual comes straight from its incremental statistics
  // (LinearLikelihood::residual_sum_from_statistics): no firing log-probabilities needed.
  bool residual_from_statistics = false;
  // Such a node whose parents are a few of the hidden units (a layered network's data under
  // its lowest layer) has its residual tabulated once for every configuration of its parents,
  // indexed by the parents' bits of h gathered by parent_mask (pext), and the walk reads the
  // table instead of updating the node's statistics at every flip. Empty otherwise.
  std::vector<double> residual_table;
  std::uint64_t parent_mask = 0;
  std::size_t units = 0;
  std::vector<std::size_t> parent_hidden_unit;  // per parent column: hidden unit, or npos
  std::vector<std::size_t> parent_data_column;  // per parent column: data column, or npos
  std::size_t hidden_offset = UnitLayout::npos;
  std::size_t data_offset = UnitLayout::npos;
  // likelihood: column in the shared block, or (linear, state-dependent residual) row in the
  // residual block; recognised: column in the recognised block.
  std::size_t block_offset = 0;
};

// Visits the configurations of Gray-code indices [begin, end), one hidden unit flipping
// between neighbours: reset(h) at the first and every refresh_interval-th index (an exact
// recomputation, which bounds the rounding drift of incremental statistics), flip(u, h)
// otherwise, then visit(i, h).
inline constexpr std::uint64_t refresh_interval = 1024;
template <class Reset, class Flip, class Visit>
void gray_walk(std::uint64_t begin, std::uint64_t end, Reset&& reset, Flip&& flip, Visit&& visit) {
  std::uint64_t h = begin ^ (begin >> 1);  // Gray code of the first index
  for (std::uint64_t i = begin; i < end; ++i) {
    if (i == begin || i % refresh_interval == 0) {
      if (i != begin) h ^= std::uint64_t{1} << std::countr_zero(i);
      reset(h);
    } else {
      const auto flipped = static_cast<std::size_t>(std::countr_zero(i));
      h ^= std::uint64_t{1} << flipped;
      flip(flipped, h);
    }
    visit(i, h);
  }
}

// The immutable plan of one direction of the network.
struct TermPlan {
  TermPlan(const Network& network, const DirectedModel& model, const UnitLayout& layout);
  std::size_t hidden_units = 0;
  std::size_t likelihood_units = 0;  // columns of the likelihood block (times 2)
  std::size_t recognised_units = 0;  // columns of the recognised block (times 2)
  bool any_linear = false;           // some likelihood node has the LinearLikelihood capability
  std::size_t residual_units = 0;    // rows of the residual block: units of linear nodes whose
                                     // residual depends on the state
  std::vector<TermNode> nodes;       // every node with a distribution, parents first
  // For each hidden unit: (term node, parent column) of every node it is a parent of.
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> dependents;
  // For each hidden unit: the term node it belongs to, or npos if none in this direction.
  std::vector<std::size_t> owner;
  // True when log P(h, d) = offset(d) + slope(d) . h + shared(h) + constant(d): every node is
  // a prior or constant node, or a linear likelihood node whose residual does not depend on
  // the state (sigmoid). Then the sum over h factorises into matrix products
  // (factorised_sum.hpp).
  bool factorises = true;
};

// What a block of patterns contributes, shared read-only by the threads.
struct TermBlock {
  const Matrix* data = nullptr;  // patterns x visible units
  Matrix likelihood_states;      // patterns x 2 * likelihood units: [d, 1 - d]
  Matrix recognised_logs;        // patterns x 2 * recognised units: [log on, log off]
  Vector constant;               // patterns: the constant nodes' terms
  // Linear likelihood nodes: the sum of their offsets per pattern, the sum of their slopes per
  // hidden unit (hidden units x patterns), and per pattern the residual rows of its units on.
  Vector linear_offset;
  Matrix linear_slope;
  std::vector<std::vector<std::uint32_t>> on_rows;
  // When the patterns' units are mostly on, a matrix product [d] x [on - off residual] is
  // cheaper than one vector add per unit on: on_states (patterns x residual units) is then set.
  bool residual_product = false;
  Matrix on_states;

  void prepare(const TermPlan& plan, const Matrix& block);
};

// Walks the configurations for one direction of the network, in one thread.
class TermWalker {
 public:
  explicit TermWalker(const TermPlan& plan);

  // The block of patterns the walk is for (needed by linear likelihood nodes); call before
  // reset, and again whenever the block changes.
  void attach(const TermBlock& block);
  // Everything recomputed for configuration h.
  void reset(std::uint64_t h);
  // Hidden unit u has just flipped; h is the new configuration.
  void flip(std::size_t u, std::uint64_t h);
  // Stores configuration h as entry b of the batch (b < batch_capacity).
  void record(std::size_t b, std::uint64_t h);
  // Instead of attach(): the walk keeps only the terms shared by all patterns (no per-pattern
  // running sums), for shared() on a plan that factorises.
  void attach_shared_only();
  // The part of log P(h, d) of recorded entry b that is the same for every pattern: the prior
  // nodes' terms and the linear nodes' shared residuals (the whole of it, apart from
  // offset + slope . h and the constant terms, when the plan factorises).
  double shared(std::size_t b) const { return prior_(b) + (plan_.any_linear ? linear_shared_(b) : 0.0); }
  // out(n, b) = log-product for pattern n and the b-th recorded configuration, b < filled,
  // without the constant terms (block.constant). configurations[b] is the b-th h.
  void evaluate(const TermBlock& block, std::size_t filled, const std::vector<std::uint64_t>& configurations,
                Matrix& out);

  static constexpr std::size_t batch_capacity = 128;

 private:
  void recompute_statistics(std::size_t i, std::uint64_t h);
  void update_firing(std::size_t i);
  void update_prior(std::size_t i, std::uint64_t h);
  void record_linear(std::size_t i, std::size_t b, std::uint64_t h);
  void add_linear(const TermBlock& block, std::size_t filled, Matrix& out) const;
  void add_mixed(const TermBlock& block, std::size_t filled, const std::vector<std::uint64_t>& configurations,
                 Matrix& out);

  const TermPlan& plan_;
  std::vector<std::vector<double>> stats_;
  std::vector<Matrix> parent_row_, log_on_, log_off_;
  std::vector<double> prior_term_;
  // The likelihood nodes' firing log-probabilities of each configuration of the batch, in two
  // layouts. Usually log P(d|h) = sum_j log off_j + sum_j d_j (log on_j - log off_j), a product
  // over V columns; a batch where some unit is certain (log 0, kept as `impossible`) cannot
  // take differences, and uses [d, 1 - d] x [log on, log off], over 2V columns.
  Matrix likelihood_logs_;     // batch x 2 * likelihood units: [log on, log off]
  Matrix likelihood_diff_;     // batch x likelihood units: log on - log off
  Vector likelihood_base_;     // batch: sum of log off
  bool batch_has_certain_unit_ = false;
  // Linear likelihood nodes: every pattern's running offset + slope . h, a copy of it per
  // configuration of the batch (batch x patterns), the residual shared by all patterns, the
  // state-dependent residual on - off (residual units x batch), and the (configuration, data
  // column) pairs where a unit is certainly on, so that patterns with it off are impossible.
  const TermBlock* block_ = nullptr;
  bool per_pattern_ = false;  // attached to a block with linear nodes: keep running_
  Vector running_;
  Matrix linear_rows_;
  Vector linear_shared_;
  Matrix residual_diff_;
  std::vector<std::pair<std::size_t, std::size_t>> certain_on_;
  std::vector<double> on_residual_, off_residual_;
  Matrix recognised_bits_;  // batch x 2 * recognised units
  Vector prior_;            // batch
  Matrix mixed_parents_, mixed_states_;
  Vector mixed_log_p_;
  Workspace workspace_;
};

}  // namespace helmholtz
