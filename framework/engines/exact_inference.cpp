#include "framework/engines/exact_inference.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <exception>
#include <limits>
#include <thread>

#include "framework/incremental_statistics.hpp"
#include "framework/linear_algebra.hpp"
#include "framework/numerics.hpp"

namespace helmholtz {
namespace {

// log 0 inside matrix products, where 0 * -inf would give NaN; anything below the
// threshold is read back as -inf.
constexpr double impossible = -1e300;
constexpr double impossible_threshold = -1e299;
constexpr std::size_t config_batch = 128;       // configurations per matrix product
constexpr std::size_t pattern_block = 2048;     // patterns enumerated together
constexpr std::uint64_t refresh_interval = 4096;  // exact recomputation of incremental statistics
constexpr std::uint64_t configurations_per_thread_minimum = 4096;

// How a node's term in log P(h, d) depends on the configuration and the data.
enum class Role {
  prior,       // hidden node, parents all hidden: one number per configuration
  likelihood,  // observed node, parents all hidden: shared firing log-probabilities
  constant,    // observed node, parents all observed: depends on the data alone
  mixed,       // anything else (a parent observed, the node or another parent hidden)
};

struct NodePlan {
  std::size_t node = 0;
  Role role = Role::prior;
  const Distribution* distribution = nullptr;
  const IncrementalStatistics* incremental = nullptr;  // null: recompute from the parents
  std::vector<std::size_t> parent_hidden_unit;  // per parent column: hidden unit, or npos if observed
  std::vector<std::size_t> parent_data_column;  // per parent column: data column, or npos if hidden
  std::size_t hidden_offset = 0;                // hidden nodes: their first hidden unit
  std::size_t data_offset = 0;                  // observed nodes: their first data column
  std::size_t likelihood_offset = 0;            // likelihood nodes: first column in the shared block
};

constexpr std::size_t npos = static_cast<std::size_t>(-1);

struct Plan {
  std::size_t hidden_units = 0;
  std::size_t visible_units = 0;
  std::size_t likelihood_units = 0;
  std::vector<std::size_t> likelihood_columns;  // data column of each likelihood unit
  std::vector<NodePlan> nodes;                  // prior, likelihood and mixed nodes
  std::vector<std::size_t> constant_nodes;      // indices into nodes
  // For each hidden unit: (plan node, parent column) of every node it is a parent of.
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> dependents;
  // For each hidden unit: the plan node it belongs to.
  std::vector<std::size_t> owner;
};

Plan make_plan(const Network& network) {
  Plan plan;
  const std::size_t count = network.nodes.size();
  std::vector<std::size_t> hidden_offset(count, npos), data_offset(count, npos);
  for (std::size_t i = 0; i < count; ++i) {
    if (network.nodes[i].observed) {
      data_offset[i] = plan.visible_units;
      plan.visible_units += network.nodes[i].size;
    } else {
      hidden_offset[i] = plan.hidden_units;
      plan.hidden_units += network.nodes[i].size;
    }
  }
  plan.dependents.resize(plan.hidden_units);
  plan.owner.assign(plan.hidden_units, npos);
  for (std::size_t node : network.generative.order) {
    const Conditional& c = network.generative.conditionals[node];
    NodePlan p;
    p.node = node;
    p.distribution = c.distribution.get();
    p.incremental = dynamic_cast<const IncrementalStatistics*>(c.distribution.get());
    p.hidden_offset = hidden_offset[node];
    p.data_offset = data_offset[node];
    bool any_observed_parent = false, any_hidden_parent = false;
    for (std::size_t parent : c.parents)
      for (std::size_t u = 0; u < network.nodes[parent].size; ++u) {
        const bool observed = network.nodes[parent].observed;
        any_observed_parent |= observed;
        any_hidden_parent |= !observed;
        p.parent_hidden_unit.push_back(observed ? npos : hidden_offset[parent] + u);
        p.parent_data_column.push_back(observed ? data_offset[parent] + u : npos);
      }
    const bool observed = network.nodes[node].observed;
    if (!any_observed_parent) p.role = observed ? Role::likelihood : Role::prior;
    else p.role = observed && !any_hidden_parent ? Role::constant : Role::mixed;
    if (p.role == Role::likelihood) {
      p.likelihood_offset = plan.likelihood_units;
      for (std::size_t u = 0; u < network.nodes[node].size; ++u) plan.likelihood_columns.push_back(p.data_offset + u);
      plan.likelihood_units += network.nodes[node].size;
    }
    const std::size_t index = plan.nodes.size();
    if (p.role == Role::constant) plan.constant_nodes.push_back(index);
    for (std::size_t k = 0; k < p.parent_hidden_unit.size(); ++k)
      if (p.parent_hidden_unit[k] != npos) plan.dependents[p.parent_hidden_unit[k]].push_back({index, k});
    if (!observed)
      for (std::size_t u = 0; u < network.nodes[node].size; ++u) plan.owner[p.hidden_offset + u] = index;
    plan.nodes.push_back(std::move(p));
  }
  return plan;
}

// Per-pattern running log-sum-exp, posterior marginal sums and mode, for one block of
// patterns and one share of the configurations.
struct Partial {
  Vector max;    // running maximum of log P(h, d) over the configurations seen
  Vector sum;    // sum of exp(log P(h, d) - max)
  Matrix marginals;  // sum of exp(log P(h, d) - max) * h
  Vector best;       // largest log P(h, d) seen
  std::vector<std::uint64_t> best_configuration;

  void reset(std::size_t patterns, std::size_t hidden_units, const ExactOptions& options) {
    ensure_shape(max, patterns);
    max.fill(-numerics::infinity);
    ensure_shape(sum, patterns);
    sum.fill(0.0);
    if (options.posterior_marginals) {
      ensure_shape(marginals, patterns, hidden_units);
      marginals.fill(0.0);
    }
    ensure_shape(best, patterns);
    best.fill(-numerics::infinity);
    best_configuration.assign(patterns, 0);
  }

  // Folds another share of the configurations into this one.
  void merge(const Partial& other, const ExactOptions& options) {
    for (std::size_t n = 0; n < max.size(); ++n) {
      if (other.best(n) > best(n)) {
        best(n) = other.best(n);
        best_configuration[n] = other.best_configuration[n];
      }
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

// Walks a contiguous share of the Gray-code sequence for one block of patterns.
class Enumerator {
 public:
  Enumerator(const Plan& plan, const ExactOptions& options) : plan_(plan), options_(options) {
    const std::size_t count = plan.nodes.size();
    stats_.resize(count);
    parent_row_.resize(count);
    log_on_.resize(count);
    log_off_.resize(count);
    prior_term_.assign(count, 0.0);
    for (std::size_t i = 0; i < count; ++i) {
      const NodePlan& p = plan.nodes[i];
      if (p.role == Role::constant) continue;
      const std::size_t units = p.distribution->shape().units;
      if (p.incremental) stats_[i].resize(units * p.incremental->statistics_per_unit());
      ensure_shape(parent_row_[i], 1, p.parent_hidden_unit.size());
      ensure_shape(log_on_[i], 1, units);
      ensure_shape(log_off_[i], 1, units);
    }
    ensure_shape(logs_, config_batch, 2 * plan.likelihood_units);
    ensure_shape(prior_, config_batch);
    if (options.posterior_marginals) ensure_shape(bits_, config_batch, plan.hidden_units);
    configurations_.resize(config_batch);
  }

  // data: patterns x visible units; shared: patterns x 2 * likelihood units, [d | 1 - d].
  void run(const Matrix& data, const Matrix& shared, std::uint64_t begin, std::uint64_t end, Partial& out) {
    data_ = &data;
    shared_ = &shared;
    out.reset(data.shape(0), plan_.hidden_units, options_);
    configuration_ = begin ^ (begin >> 1);
    recompute_all();
    std::size_t filled = 0;
    for (std::uint64_t i = begin; i < end; ++i) {
      if (i != begin) {
        const unsigned flipped = static_cast<unsigned>(std::countr_zero(i));
        configuration_ ^= std::uint64_t{1} << flipped;
        if (i % refresh_interval == 0) recompute_all();
        else flip(flipped);
      }
      record(filled++);
      if (filled == config_batch || i + 1 == end) {
        flush(filled, out);
        filled = 0;
        if (options_.interrupt && options_.interrupt->load(std::memory_order_relaxed)) throw Interrupted();
      }
    }
  }

 private:
  bool bit(std::size_t hidden_unit) const { return (configuration_ >> hidden_unit) & 1u; }

  void recompute_all() {
    for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
      const NodePlan& p = plan_.nodes[i];
      if (p.role == Role::constant || p.role == Role::mixed) continue;
      if (p.incremental) {
        p.incremental->statistics_with_parents_off(stats_[i].data());
        for (std::size_t k = 0; k < p.parent_hidden_unit.size(); ++k)
          if (bit(p.parent_hidden_unit[k])) p.incremental->switch_parent(stats_[i].data(), k, true);
      } else {
        for (std::size_t k = 0; k < p.parent_hidden_unit.size(); ++k) parent_row_[i](0, k) = bit(p.parent_hidden_unit[k]);
      }
      update_log_firing(i);
    }
    for (std::size_t i = 0; i < plan_.nodes.size(); ++i)
      if (plan_.nodes[i].role == Role::prior) update_prior_term(i);
  }

  void update_log_firing(std::size_t i) {
    const NodePlan& p = plan_.nodes[i];
    if (p.incremental)
      p.incremental->log_firing_from_statistics(stats_[i].data(), log_on_[i].data(), log_off_[i].data());
    else
      p.distribution->log_firing_probabilities(parent_row_[i], log_on_[i], log_off_[i]);
  }

  void update_prior_term(std::size_t i) {
    const NodePlan& p = plan_.nodes[i];
    double term = 0;
    for (std::size_t j = 0; j < log_on_[i].shape(1); ++j) term += bit(p.hidden_offset + j) ? log_on_[i](0, j) : log_off_[i](0, j);
    prior_term_[i] = term;
  }

  // Hidden unit `u` has just flipped: update the nodes it is a parent of, and its own node.
  void flip(unsigned u) {
    const bool on = bit(u);
    for (const auto& [i, column] : plan_.dependents[u]) {
      const NodePlan& p = plan_.nodes[i];
      if (p.role == Role::mixed) continue;
      if (p.incremental) p.incremental->switch_parent(stats_[i].data(), column, on);
      else parent_row_[i](0, column) = on ? 1.0 : 0.0;
      update_log_firing(i);
      if (p.role == Role::prior && plan_.owner[u] != i) update_prior_term(i);
    }
    if (const std::size_t own = plan_.owner[u]; plan_.nodes[own].role == Role::prior) update_prior_term(own);
  }

  // Writes the current configuration into row b of the batch.
  void record(std::size_t b) {
    configurations_[b] = configuration_;
    double prior = 0;
    for (std::size_t i = 0; i < plan_.nodes.size(); ++i)
      if (plan_.nodes[i].role == Role::prior) prior += prior_term_[i];
    prior_(b) = prior;
    const std::size_t v = plan_.likelihood_units;
    double* row = v ? &logs_(b, 0) : nullptr;
    for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
      const NodePlan& p = plan_.nodes[i];
      if (p.role != Role::likelihood) continue;
      for (std::size_t j = 0; j < log_on_[i].shape(1); ++j) {
        row[p.likelihood_offset + j] = std::max(log_on_[i](0, j), impossible);
        row[v + p.likelihood_offset + j] = std::max(log_off_[i](0, j), impossible);
      }
    }
    if (options_.posterior_marginals)
      for (std::size_t u = 0; u < plan_.hidden_units; ++u) bits_(b, u) = bit(u);
  }

  // log P(h, d) - constant terms for every pattern and the `filled` configurations of the
  // batch, then folded into the running sums.
  void flush(std::size_t filled, Partial& out) {
    const std::size_t patterns = data_->shape(0);
    ensure_shape(joint_, patterns, filled);
    if (plan_.likelihood_units) multiply_by_transpose(*shared_, logs_.data(), filled, joint_);
    else joint_.fill(0.0);
    for (std::size_t n = 0; n < patterns; ++n)
      for (std::size_t b = 0; b < filled; ++b) joint_(n, b) += prior_(b);
    add_mixed_terms(filled);
    for (std::size_t n = 0; n < patterns; ++n) {
      double* row = &joint_(n, 0);
      const double* top = std::max_element(row, row + filled);
      if (*top > out.best(n)) {
        out.best(n) = *top;
        out.best_configuration[n] = configurations_[static_cast<std::size_t>(top - row)];
      }
      if (*top <= impossible_threshold) {
        std::fill(row, row + filled, 0.0);
        continue;
      }
      const double m = std::max(out.max(n), *top);
      if (m > out.max(n) && out.sum(n) > 0.0) {
        const double rescale = std::exp(out.max(n) - m);
        out.sum(n) *= rescale;
        if (options_.posterior_marginals)
          for (std::size_t u = 0; u < plan_.hidden_units; ++u) out.marginals(n, u) *= rescale;
      }
      out.max(n) = m;
      for (std::size_t b = 0; b < filled; ++b) row[b] -= m;
      exp_in_place(row, filled);
      double s = 0;
      for (std::size_t b = 0; b < filled; ++b) s += row[b];
      out.sum(n) += s;
    }
    if (options_.posterior_marginals && plan_.hidden_units)
      multiply_add(patterns, plan_.hidden_units, filled, joint_.data(), filled, bits_.data(), plan_.hidden_units,
                   out.marginals.data(), plan_.hidden_units);
  }

  // Nodes with observed parents: the generic per-pattern path.
  void add_mixed_terms(std::size_t filled) {
    const std::size_t patterns = data_->shape(0);
    for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
      const NodePlan& p = plan_.nodes[i];
      if (p.role != Role::mixed) continue;
      const std::size_t units = p.distribution->shape().units;
      ensure_shape(mixed_parents_, patterns, p.parent_hidden_unit.size());
      ensure_shape(mixed_states_, patterns, units);
      for (std::size_t b = 0; b < filled; ++b) {
        const std::uint64_t h = configurations_[b];
        for (std::size_t n = 0; n < patterns; ++n) {
          for (std::size_t k = 0; k < p.parent_hidden_unit.size(); ++k)
            mixed_parents_(n, k) = p.parent_hidden_unit[k] != npos ? double((h >> p.parent_hidden_unit[k]) & 1u)
                                                                   : (*data_)(n, p.parent_data_column[k]);
          for (std::size_t j = 0; j < units; ++j)
            mixed_states_(n, j) = p.hidden_offset != npos ? double((h >> (p.hidden_offset + j)) & 1u)
                                                          : (*data_)(n, p.data_offset + j);
        }
        p.distribution->log_probability(mixed_parents_, mixed_states_, mixed_log_p_, workspace_);
        for (std::size_t n = 0; n < patterns; ++n) joint_(n, b) += std::max(mixed_log_p_(n), impossible);
      }
    }
  }

  const Plan& plan_;
  const ExactOptions& options_;
  const Matrix* data_ = nullptr;
  const Matrix* shared_ = nullptr;
  std::uint64_t configuration_ = 0;
  std::vector<std::vector<double>> stats_;
  std::vector<Matrix> parent_row_, log_on_, log_off_;
  std::vector<double> prior_term_;
  std::vector<std::uint64_t> configurations_;
  Matrix logs_, bits_, joint_;
  Vector prior_;
  Matrix mixed_parents_, mixed_states_;
  Vector mixed_log_p_;
  Workspace workspace_;
};

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
                (max_hidden_units < 62 ? " (raise it with --max-hidden-units, up to 62)" : ""));
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
    for (std::size_t c = 0; c < v; ++c) out(i, c) = (i >> (v - 1 - c)) & 1u;
  return out;
}

ExactResult exact_inference(const Network& network, const Matrix& data, const ExactOptions& options) {
  ExactResult result;
  result.hidden_configurations = enumerable_configurations(network, options.max_hidden_units);
  const Plan plan = make_plan(network);
  if (data.shape(1) != plan.visible_units)
    throw Error("the data have " + std::to_string(data.shape(1)) + " columns, but the network has " +
                std::to_string(plan.visible_units) + " visible units");
  const std::size_t patterns = data.shape(0);
  const std::uint64_t total = result.hidden_configurations;

  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<std::uint64_t>(
      1, std::min<std::uint64_t>(threads, total / configurations_per_thread_minimum)));
  const ScopedBlasThreads one_blas_thread(1);

  result.log_likelihood = Vector::from_shape({patterns});
  if (options.posterior_marginals) result.posterior_marginals = Matrix::from_shape({patterns, plan.hidden_units});
  if (options.posterior_mode) {
    result.posterior_mode = Matrix::from_shape({patterns, plan.hidden_units});
    result.mode_log_joint = Vector::from_shape({patterns});
  }

  std::vector<Enumerator> enumerators;
  for (unsigned t = 0; t < threads; ++t) enumerators.emplace_back(plan, options);
  std::vector<Partial> partials(threads);
  Matrix block, shared;
  Vector constant_log_p, node_log_p;
  Matrix parents, states;
  Workspace workspace;

  for (std::size_t first = 0; first < patterns; first += pattern_block) {
    const std::size_t count = std::min(pattern_block, patterns - first);
    ensure_shape(block, count, plan.visible_units);
    std::copy(data.data() + first * plan.visible_units, data.data() + (first + count) * plan.visible_units,
              block.data());
    ensure_shape(shared, count, 2 * plan.likelihood_units);
    for (std::size_t n = 0; n < count; ++n)
      for (std::size_t j = 0; j < plan.likelihood_units; ++j) {
        const double d = block(n, plan.likelihood_columns[j]);
        shared(n, j) = d;
        shared(n, plan.likelihood_units + j) = 1.0 - d;
      }

    // Terms that depend on the data alone.
    ensure_shape(constant_log_p, count);
    constant_log_p.fill(0.0);
    for (std::size_t i : plan.constant_nodes) {
      const NodePlan& p = plan.nodes[i];
      ensure_shape(parents, count, p.parent_data_column.size());
      ensure_shape(states, count, p.distribution->shape().units);
      for (std::size_t n = 0; n < count; ++n) {
        for (std::size_t k = 0; k < p.parent_data_column.size(); ++k) parents(n, k) = block(n, p.parent_data_column[k]);
        for (std::size_t j = 0; j < states.shape(1); ++j) states(n, j) = block(n, p.data_offset + j);
      }
      p.distribution->log_probability(parents, states, node_log_p, workspace);
      constant_log_p += node_log_p;
    }

    std::vector<std::exception_ptr> errors(threads);
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      const std::uint64_t begin = total / threads * t;
      const std::uint64_t end = t + 1 == threads ? total : total / threads * (t + 1);
      auto work = [&, t, begin, end] {
        try {
          enumerators[t].run(block, shared, begin, end, partials[t]);
        } catch (...) {
          errors[t] = std::current_exception();
        }
      };
      if (t + 1 == threads) work();
      else workers.emplace_back(work);
    }
    for (auto& w : workers) w.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    for (unsigned t = 1; t < threads; ++t) partials[0].merge(partials[t], options);

    const Partial& all = partials[0];
    for (std::size_t n = 0; n < count; ++n) {
      const std::size_t row = first + n;
      const double log_sum = all.sum(n) > 0.0 ? all.max(n) + std::log(all.sum(n)) : -numerics::infinity;
      result.log_likelihood(row) = log_sum + constant_log_p(n);
      if (options.posterior_marginals)
        for (std::size_t u = 0; u < plan.hidden_units; ++u)
          result.posterior_marginals(row, u) =
              all.sum(n) > 0.0 ? all.marginals(n, u) / all.sum(n) : std::numeric_limits<double>::quiet_NaN();
      if (options.posterior_mode) {
        for (std::size_t u = 0; u < plan.hidden_units; ++u)
          result.posterior_mode(row, u) = (all.best_configuration[n] >> u) & 1u;
        result.mode_log_joint(row) =
            all.best(n) <= impossible_threshold ? -numerics::infinity : all.best(n) + constant_log_p(n);
      }
    }
  }
  return result;
}

}  // namespace helmholtz
