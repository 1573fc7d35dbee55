#include "framework/engines/configuration_terms.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <limits>
#ifdef __BMI2__
#include <immintrin.h>
#endif

#include "framework/incremental_statistics.hpp"
#include "framework/linear_likelihood.hpp"
#include "framework/linear_algebra.hpp"

namespace helmholtz {

UnitLayout::UnitLayout(const Network& network)
    : hidden_offset(network.nodes.size(), npos), data_offset(network.nodes.size(), npos) {
  std::vector<std::size_t> declared_offset(network.nodes.size(), npos);
  for (std::size_t node = 0; node < network.nodes.size(); ++node) {
    if (network.nodes[node].observed) {
      data_offset[node] = visible_units;
      visible_units += network.nodes[node].size;
    } else {
      declared_offset[node] = hidden_units;
      hidden_units += network.nodes[node].size;
    }
  }
  declared_unit.resize(hidden_units);
  std::size_t bit = 0;
  for (auto node = network.generative.order.rbegin(); node != network.generative.order.rend(); ++node) {
    if (network.nodes[*node].observed) continue;
    hidden_offset[*node] = bit;
    for (std::size_t j = 0; j < network.nodes[*node].size; ++j) declared_unit[bit++] = declared_offset[*node] + j;
  }
}

namespace {

// A prior node's term that a flip leaves below 1 / cancellation_limit of what it was has lost
// its digits to cancellation, and is recomputed.
constexpr double cancellation_limit = 65536.0;

// Tables of 2^22 doubles (32 MB) at most in all, per plan, and only for parents that leave
// at least two hidden bits out (each entry then serves four configurations or more).
constexpr std::size_t most_table_bits = 22;
constexpr std::size_t most_table_entries = std::size_t{1} << most_table_bits;

// The bits of `h` under `mask`, packed into the low bits in order: one instruction with BMI2
// (x86-64-v3), a loop over the mask's bits on a processor without it.
std::uint64_t gather_bits(std::uint64_t h, std::uint64_t mask) {
#ifdef __BMI2__
  return _pext_u64(h, mask);
#else
  std::uint64_t out = 0;
  for (std::uint64_t bit = 1; mask != 0; mask &= mask - 1, bit <<= 1)
    if (h & mask & -mask) out |= bit;
  return out;
#endif
}

// residual_sum_from_statistics for every configuration of the node's hidden parents, in a
// Gray walk of their own; entry k has parent bit j (the j-th lowest bit of parent_mask) from
// bit j of k, as pext gathers it.
void tabulate_residual(TermNode& t) {
  const std::size_t columns = t.parent_hidden_unit.size();
  std::vector<std::size_t> column_of_bit(columns);
  std::iota(column_of_bit.begin(), column_of_bit.end(), std::size_t{0});
  std::sort(column_of_bit.begin(), column_of_bit.end(),
            [&](std::size_t a, std::size_t b) { return t.parent_hidden_unit[a] < t.parent_hidden_unit[b]; });
  std::vector<double> stats(t.units * t.incremental->statistics_per_unit());
  t.residual_table.assign(std::size_t{1} << columns, 0.0);
  const auto recompute = [&](std::uint64_t key) {
    t.incremental->statistics_with_parents_off(stats.data());
    for (std::size_t j = 0; j < columns; ++j)
      if ((key >> j) & 1u) t.incremental->switch_parent(stats.data(), column_of_bit[j], true);
  };
  gray_walk(
      0, std::uint64_t{1} << columns, recompute,
      [&](std::size_t j, std::uint64_t key) {
        if (!t.incremental->switch_parent_keeping_digits(stats.data(), column_of_bit[j], (key >> j) & 1u))
          recompute(key);
      },
      [&](std::uint64_t, std::uint64_t key) {
        t.residual_table[key] = std::max(t.linear->residual_sum_from_statistics(stats.data()), impossible);
      });
}

}  // namespace

TermPlan::TermPlan(const Network& network, const DirectedModel& model, const UnitLayout& layout)
    : hidden_units(layout.hidden_units), dependents(layout.hidden_units), owner(layout.hidden_units, UnitLayout::npos) {
  std::size_t table_entries = 0;
  for (std::size_t node : model.order) {
    const Conditional& c = model.conditionals[node];
    if (!c.distribution) continue;
    TermNode t;
    t.node = node;
    t.distribution = c.distribution.get();
    t.incremental = dynamic_cast<const IncrementalStatistics*>(c.distribution.get());
    t.units = network.nodes[node].size;
    t.hidden_offset = layout.hidden_offset[node];
    t.data_offset = layout.data_offset[node];
    bool observed_parent = false, hidden_parent = false;
    for (std::size_t parent : c.parents)
      for (std::size_t u = 0; u < network.nodes[parent].size; ++u) {
        const bool observed = network.nodes[parent].observed;
        (observed ? observed_parent : hidden_parent) = true;
        t.parent_hidden_unit.push_back(observed ? UnitLayout::npos : layout.hidden_offset[parent] + u);
        t.parent_data_column.push_back(observed ? layout.data_offset[parent] + u : UnitLayout::npos);
      }
    const bool observed = network.nodes[node].observed;
    if (!observed_parent) t.role = observed ? TermRole::likelihood : TermRole::prior;
    else if (!hidden_parent) t.role = observed ? TermRole::constant : TermRole::recognised;
    else t.role = TermRole::mixed;
    if (t.role == TermRole::likelihood) t.linear = dynamic_cast<const LinearLikelihood*>(c.distribution.get());
    if (t.linear) {
      any_linear = true;
      t.residual_from_statistics = t.incremental && !t.linear->residual_depends_on_state() &&
                                   t.linear->sums_residual_from_statistics();
      if (t.linear->residual_depends_on_state()) {
        t.block_offset = residual_units;
        residual_units += t.units;
      }
    } else if (t.role == TermRole::likelihood) {
      t.block_offset = likelihood_units;
      likelihood_units += t.units;
    } else if (t.role == TermRole::recognised) {
      t.block_offset = recognised_units;
      recognised_units += t.units;
    }
    if (!(t.role == TermRole::prior || t.role == TermRole::constant ||
          (t.linear && !t.linear->residual_depends_on_state())))
      factorises = false;
    const std::size_t index = nodes.size();
    if (t.role == TermRole::prior || t.role == TermRole::likelihood)
      for (std::size_t k = 0; k < t.parent_hidden_unit.size(); ++k)
        dependents[t.parent_hidden_unit[k]].push_back({index, k});
    if (!observed)
      for (std::size_t u = 0; u < t.units; ++u) owner[t.hidden_offset + u] = index;
    if (t.residual_from_statistics) {
      for (std::size_t unit : t.parent_hidden_unit) t.parent_mask |= std::uint64_t{1} << unit;
      const auto bits = static_cast<std::size_t>(std::popcount(t.parent_mask));
      if (bits == t.parent_hidden_unit.size() && bits <= most_table_bits && bits + 2 <= layout.hidden_units &&
          table_entries + (std::size_t{1} << bits) <= most_table_entries) {
        tabulate_residual(t);
        table_entries += t.residual_table.size();
      }
    }
    nodes.push_back(std::move(t));
  }
}

void TermBlock::prepare(const TermPlan& plan, const Matrix& block) {
  data = &block;
  const std::size_t patterns = block.shape(0);
  ensure_shape(likelihood_states, patterns, 2 * plan.likelihood_units);
  ensure_shape(recognised_logs, patterns, 2 * plan.recognised_units);
  ensure_shape(constant, patterns);
  constant.fill(0.0);
  ensure_shape(linear_offset, patterns);
  linear_offset.fill(0.0);
  ensure_shape(linear_slope, plan.any_linear ? plan.hidden_units : 0, patterns);
  linear_slope.fill(0.0);
  on_rows.assign(plan.residual_units ? patterns : 0, {});
  Matrix parents, states, log_on, log_off;
  Vector log_p;
  Workspace workspace;
  std::vector<double> slope;
  for (const TermNode& t : plan.nodes) {
    if (t.linear) {
      const bool residual_rows = t.linear->residual_depends_on_state();
      slope.resize(t.parent_hidden_unit.size());
      for (std::size_t n = 0; n < patterns; ++n) {
        const double* d = &block(n, t.data_offset);
        double offset = 0;
        t.linear->linear_terms(d, offset, slope.data());
        linear_offset(n) += offset;
        for (std::size_t k = 0; k < slope.size(); ++k) linear_slope(t.parent_hidden_unit[k], n) += slope[k];
        if (residual_rows)
          for (std::size_t j = 0; j < t.units; ++j)
            if (d[j] != 0.0) on_rows[n].push_back(static_cast<std::uint32_t>(t.block_offset + j));
      }
      continue;
    }
    if (t.role == TermRole::likelihood) {
      for (std::size_t n = 0; n < patterns; ++n)
        for (std::size_t j = 0; j < t.units; ++j) {
          const double d = block(n, t.data_offset + j);
          likelihood_states(n, t.block_offset + j) = d;
          likelihood_states(n, plan.likelihood_units + t.block_offset + j) = 1.0 - d;
        }
      continue;
    }
    if (t.role != TermRole::recognised && t.role != TermRole::constant) continue;
    ensure_shape(parents, patterns, t.parent_data_column.size());
    for (std::size_t n = 0; n < patterns; ++n)
      for (std::size_t k = 0; k < t.parent_data_column.size(); ++k) parents(n, k) = block(n, t.parent_data_column[k]);
    if (t.role == TermRole::recognised) {
      t.distribution->log_firing_probabilities(parents, log_on, log_off);
      for (std::size_t n = 0; n < patterns; ++n)
        for (std::size_t j = 0; j < t.units; ++j) {
          recognised_logs(n, t.block_offset + j) = std::max(log_on(n, j), impossible);
          recognised_logs(n, plan.recognised_units + t.block_offset + j) = std::max(log_off(n, j), impossible);
        }
    } else {
      ensure_shape(states, patterns, t.units);
      for (std::size_t n = 0; n < patterns; ++n)
        for (std::size_t j = 0; j < t.units; ++j) states(n, j) = block(n, t.data_offset + j);
      t.distribution->log_probability(parents, states, log_p, workspace);
      for (std::size_t n = 0; n < patterns; ++n) constant(n) += log_p(n);
    }
  }
  // One vector add per unit on costs about as much as 4 multiply-adds of the product per unit.
  std::size_t on = 0;
  for (const auto& rows : on_rows) on += rows.size();
  residual_product = plan.residual_units && 4 * on > patterns * plan.residual_units;
  ensure_shape(on_states, residual_product ? patterns : 0, plan.residual_units);
  on_states.fill(0.0);
  if (residual_product)
    for (std::size_t n = 0; n < patterns; ++n)
      for (std::uint32_t r : on_rows[n]) on_states(n, r) = 1.0;
}

TermWalker::TermWalker(const TermPlan& plan) : plan_(plan) {
  const std::size_t count = plan.nodes.size();
  stats_.resize(count);
  parent_row_.resize(count);
  log_on_.resize(count);
  log_off_.resize(count);
  prior_term_.assign(count, 0.0);
  for (std::size_t i = 0; i < count; ++i) {
    const TermNode& t = plan.nodes[i];
    if (t.role != TermRole::prior && t.role != TermRole::likelihood) continue;
    if (t.incremental) stats_[i].resize(t.units * t.incremental->statistics_per_unit());
    ensure_shape(parent_row_[i], 1, t.parent_hidden_unit.size());
    ensure_shape(log_on_[i], 1, t.units);
    ensure_shape(log_off_[i], 1, t.units);
  }
  ensure_shape(likelihood_logs_, batch_capacity, 2 * plan.likelihood_units);
  ensure_shape(likelihood_diff_, batch_capacity, plan.likelihood_units);
  ensure_shape(likelihood_base_, batch_capacity);
  ensure_shape(recognised_bits_, batch_capacity, 2 * plan.recognised_units);
  ensure_shape(prior_, batch_capacity);
  ensure_shape(linear_shared_, batch_capacity);
  ensure_shape(residual_diff_, plan.residual_units, batch_capacity);
  std::size_t widest = 0;
  for (const TermNode& t : plan.nodes)
    if (t.linear) widest = std::max(widest, t.units);
  on_residual_.resize(widest);
  off_residual_.resize(widest);
}

void TermWalker::attach_shared_only() {
  block_ = nullptr;
  per_pattern_ = false;
}

void TermWalker::attach(const TermBlock& block) {
  block_ = &block;
  per_pattern_ = plan_.any_linear;
  if (!plan_.any_linear) return;
  const std::size_t patterns = block.data->shape(0);
  ensure_shape(running_, patterns);
  ensure_shape(linear_rows_, batch_capacity, patterns);
}

void TermWalker::update_firing(std::size_t i) {
  const TermNode& t = plan_.nodes[i];
  if (t.residual_from_statistics) return;  // record_linear reads the statistics themselves
  if (t.incremental) t.incremental->log_firing_from_statistics(stats_[i].data(), log_on_[i].data(), log_off_[i].data());
  else t.distribution->log_firing_probabilities(parent_row_[i], log_on_[i], log_off_[i]);
}

void TermWalker::update_prior(std::size_t i, std::uint64_t h) {
  const TermNode& t = plan_.nodes[i];
  double term = 0;
  for (std::size_t j = 0; j < t.units; ++j) term += (h >> (t.hidden_offset + j)) & 1u ? log_on_[i](0, j) : log_off_[i](0, j);
  prior_term_[i] = term;
}

void TermWalker::recompute_statistics(std::size_t i, std::uint64_t h) {
  const TermNode& t = plan_.nodes[i];
  t.incremental->statistics_with_parents_off(stats_[i].data());
  for (std::size_t k = 0; k < t.parent_hidden_unit.size(); ++k)
    if ((h >> t.parent_hidden_unit[k]) & 1u) t.incremental->switch_parent(stats_[i].data(), k, true);
}

void TermWalker::reset(std::uint64_t h) {
  if (per_pattern_) {  // exact recomputation of every pattern's offset + slope . h
    const std::size_t patterns = running_.size();
    std::copy(block_->linear_offset.data(), block_->linear_offset.data() + patterns, running_.data());
    for (std::size_t u = 0; u < plan_.hidden_units; ++u)
      if ((h >> u) & 1u) {
        const double* slope = &block_->linear_slope(u, 0);
        for (std::size_t n = 0; n < patterns; ++n) running_(n) += slope[n];
      }
  }
  for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
    const TermNode& t = plan_.nodes[i];
    if (t.role != TermRole::prior && t.role != TermRole::likelihood) continue;
    if (t.incremental) {
      recompute_statistics(i, h);
    } else {
      for (std::size_t k = 0; k < t.parent_hidden_unit.size(); ++k)
        parent_row_[i](0, k) = static_cast<double>((h >> t.parent_hidden_unit[k]) & 1u);
    }
    update_firing(i);
    if (t.role == TermRole::prior) update_prior(i, h);
  }
}

void TermWalker::flip(std::size_t u, std::uint64_t h) {
  const bool on = (h >> u) & 1u;
  if (per_pattern_) {
    const std::size_t patterns = running_.size();
    const double* slope = &block_->linear_slope(u, 0);
    double* running = running_.data();
    if (on)
      for (std::size_t n = 0; n < patterns; ++n) running[n] += slope[n];
    else
      for (std::size_t n = 0; n < patterns; ++n) running[n] -= slope[n];
  }
  for (const auto& [i, column] : plan_.dependents[u]) {
    const TermNode& t = plan_.nodes[i];
    if (!t.residual_table.empty()) continue;  // read from its table at record
    if (!t.incremental) parent_row_[i](0, column) = on ? 1.0 : 0.0;
    else if (!t.incremental->switch_parent_keeping_digits(stats_[i].data(), column, on)) recompute_statistics(i, h);
    update_firing(i);
    if (t.role == TermRole::prior) update_prior(i, h);
  }
  const std::size_t own = plan_.owner[u];
  if (own == UnitLayout::npos || plan_.nodes[own].role != TermRole::prior) return;
  // Only unit u's own term changed: add the difference, unless an impossible state (-inf)
  // is involved, which only a recomputation gets right. The term is a sum of log-probabilities,
  // all <= 0: one that falls below 2^-16 of what it was has cancelled a large term against
  // the rounding of the others (unit u leaving a state of log-probability -1e100 beside
  // units of -2), and is summed afresh, as it is where an infinity is involved.
  const std::size_t j = u - plan_.nodes[own].hidden_offset;
  const double log_on = log_on_[own](0, j), log_off = log_off_[own](0, j);
  const double before = prior_term_[own];
  if (std::isfinite(log_on) && std::isfinite(log_off) && std::isfinite(before)) {
    prior_term_[own] += on ? log_on - log_off : log_off - log_on;
    if (!(prior_term_[own] * cancellation_limit <= before)) update_prior(own, h);
  } else {
    update_prior(own, h);
  }
}

void TermWalker::record_linear(std::size_t i, std::size_t b, std::uint64_t h) {
  const TermNode& t = plan_.nodes[i];
  const double* log_on = log_on_[i].data();
  const double* log_off = log_off_[i].data();
  double shared = 0;
  if (!t.residual_table.empty()) {
    shared = t.residual_table[gather_bits(h, t.parent_mask)];
  } else if (t.residual_from_statistics) {
    shared = t.linear->residual_sum_from_statistics(stats_[i].data());
  } else if (!t.linear->residual_depends_on_state()) {
    t.linear->residuals(log_on, log_off, nullptr, off_residual_.data());
    for (std::size_t j = 0; j < t.units; ++j) shared += off_residual_[j];
  } else {
    t.linear->residuals(log_on, log_off, on_residual_.data(), off_residual_.data());
    for (std::size_t j = 0; j < t.units; ++j) {
      double off = off_residual_[j];
      if (off == -std::numeric_limits<double>::infinity()) {  // certainly on: its off state is impossible
        certain_on_.push_back({b, t.data_offset + j});
        off = 0.0;
      }
      shared += off;
      residual_diff_(t.block_offset + j, b) = std::max(on_residual_[j], impossible) - off;
    }
  }
  linear_shared_(b) += std::max(shared, impossible);
}

void TermWalker::record(std::size_t b, std::uint64_t h) {
  if (b == 0) {
    batch_has_certain_unit_ = false;
    certain_on_.clear();
  }
  if (plan_.any_linear) linear_shared_(b) = 0.0;
  if (per_pattern_) std::copy(running_.data(), running_.data() + running_.size(), &linear_rows_(b, 0));
  double prior = 0, base = 0;
  for (std::size_t i = 0; i < plan_.nodes.size(); ++i) {
    const TermNode& t = plan_.nodes[i];
    if (t.linear) {
      record_linear(i, b, h);
      continue;
    }
    switch (t.role) {
      case TermRole::prior: prior += prior_term_[i]; break;
      case TermRole::likelihood: {
        double* row = &likelihood_logs_(b, 0);
        double* diff = &likelihood_diff_(b, 0);
        for (std::size_t j = 0; j < t.units; ++j) {
          const double on = std::max(log_on_[i](0, j), impossible), off = std::max(log_off_[i](0, j), impossible);
          row[t.block_offset + j] = on;
          row[plan_.likelihood_units + t.block_offset + j] = off;
          diff[t.block_offset + j] = on - off;
          base += off;
          batch_has_certain_unit_ |= on == impossible || off == impossible;
        }
        break;
      }
      case TermRole::recognised: {
        double* row = &recognised_bits_(b, 0);
        for (std::size_t j = 0; j < t.units; ++j) {
          const double on = static_cast<double>((h >> (t.hidden_offset + j)) & 1u);
          row[t.block_offset + j] = on;
          row[plan_.recognised_units + t.block_offset + j] = 1.0 - on;
        }
        break;
      }
      default: break;
    }
  }
  prior_(b) = prior;
  likelihood_base_(b) = base;
}

void TermWalker::evaluate(const TermBlock& block, std::size_t filled, const std::vector<std::uint64_t>& configurations,
                          Matrix& out) {
  const std::size_t patterns = block.data->shape(0);
  ensure_shape(out, patterns, filled);
  const std::size_t v = plan_.likelihood_units;
  const bool differences = v && !batch_has_certain_unit_;
  for (std::size_t n = 0; n < patterns; ++n)
    for (std::size_t b = 0; b < filled; ++b) out(n, b) = prior_(b) + (differences ? likelihood_base_(b) : 0.0);
  if (differences)  // d (the first half of [d, 1 - d]) times the differences
    multiply_by_transpose(patterns, v, block.likelihood_states.data(), 2 * v, likelihood_diff_.data(), filled,
                          out.data(), true);
  else if (v)
    multiply_by_transpose(block.likelihood_states, likelihood_logs_.data(), filled, out, true);
  if (plan_.recognised_units) multiply_by_transpose(block.recognised_logs, recognised_bits_.data(), filled, out, true);
  if (plan_.any_linear) add_linear(block, filled, out);
  add_mixed(block, filled, configurations, out);
}

void TermWalker::add_linear(const TermBlock& block, std::size_t filled, Matrix& out) const {
  const std::size_t patterns = out.shape(0);
  // out(n, b) += linear_rows_(b, n) + shared(b): a transpose, in tiles that stay in cache.
  constexpr std::size_t tile = 16;
  const double* shared = linear_shared_.data();
  for (std::size_t n0 = 0; n0 < patterns; n0 += tile) {
    const std::size_t n1 = std::min(patterns, n0 + tile);
    for (std::size_t b = 0; b < filled; ++b) {
      const double* row = &linear_rows_(b, 0);
      for (std::size_t n = n0; n < n1; ++n) out(n, b) += row[n] + shared[b];
    }
  }
  if (block.residual_product)
    multiply_add(patterns, filled, plan_.residual_units, block.on_states.data(), plan_.residual_units,
                 residual_diff_.data(), batch_capacity, out.data(), filled);
  else if (plan_.residual_units)  // one vector add over the batch per unit on in the pattern
    for (std::size_t n = 0; n < patterns; ++n) {
      double* o = &out(n, 0);
      for (std::uint32_t r : block.on_rows[n]) {
        const double* diff = &residual_diff_(r, 0);
        for (std::size_t b = 0; b < filled; ++b) o[b] += diff[b];
      }
    }
  const Matrix& data = *block.data;
  for (const auto& [b, column] : certain_on_)
    for (std::size_t n = 0; n < patterns; ++n)
      if (data(n, column) == 0.0) out(n, b) += impossible;
}

void TermWalker::add_mixed(const TermBlock& block, std::size_t filled, const std::vector<std::uint64_t>& configurations,
                           Matrix& out) {
  const Matrix& data = *block.data;
  const std::size_t patterns = data.shape(0);
  for (const TermNode& t : plan_.nodes) {
    if (t.role != TermRole::mixed) continue;
    ensure_shape(mixed_parents_, patterns, t.parent_hidden_unit.size());
    ensure_shape(mixed_states_, patterns, t.units);
    for (std::size_t b = 0; b < filled; ++b) {
      const std::uint64_t h = configurations[b];
      for (std::size_t n = 0; n < patterns; ++n) {
        for (std::size_t k = 0; k < t.parent_hidden_unit.size(); ++k)
          mixed_parents_(n, k) = t.parent_hidden_unit[k] != UnitLayout::npos
                                     ? static_cast<double>((h >> t.parent_hidden_unit[k]) & 1u)
                                     : data(n, t.parent_data_column[k]);
        for (std::size_t j = 0; j < t.units; ++j)
          mixed_states_(n, j) = t.hidden_offset != UnitLayout::npos ? static_cast<double>((h >> (t.hidden_offset + j)) & 1u)
                                                                    : data(n, t.data_offset + j);
      }
      t.distribution->log_probability(mixed_parents_, mixed_states_, mixed_log_p_, workspace_);
      for (std::size_t n = 0; n < patterns; ++n) out(n, b) += std::max(mixed_log_p_(n), impossible);
    }
  }
}

}  // namespace helmholtz
