#include "framework/engines/mean_field_pass.hpp"

#include <cmath>
#include <limits>
#include <tuple>

namespace helmholtz {
namespace {

// log of the smallest positive double: where log p = -inf makes F infinite, the gradient is
// taken at this finite value instead.
const double impossible_log_probability = std::log(std::numeric_limits<double>::denorm_min());

// a (log a - log b) with 0 log 0 = 0: one half of a Bernoulli KL divergence.
double kl_term(double a, double log_a, double log_b) { return a == 0.0 ? 0.0 : a * (log_a - log_b); }

// The same term's derivative with respect to log a (without the dropped + a), log b capped.
double kl_slope(double a, double log_a, double log_b) {
  if (a == 0.0) return 0.0;
  return a * (log_a - (log_b == -std::numeric_limits<double>::infinity() ? impossible_log_probability : log_b));
}

}  // namespace

MeanFieldRules mean_field_rules(const Network& network, const std::string& algorithm) {
  MeanFieldRules rules;
  for (const auto& [model, direction, out] :
       {std::tuple{&network.generative, "generative", &rules.generative},
        std::tuple{&network.recognition, "recognition", &rules.recognition}}) {
    out->assign(network.nodes.size(), nullptr);
    for (std::size_t i = 0; i < network.nodes.size(); ++i) {
      const Distribution* d = model->conditionals[i].distribution.get();
      if (!d) continue;
      const auto* rule = dynamic_cast<const MeanField*>(d);
      if (!rule)
        throw Error("the " + algorithm + " algorithm propagates probabilities through every distribution by its " +
                    "mean-field rule, but the " + direction + " distribution of node '" + network.nodes[i].name +
                    "' (" + std::string(d->kind()) + ") has none: its plugin does not implement MeanField " +
                    "(framework/mean_field.hpp)");
      (*out)[i] = rule;
    }
  }
  for (std::size_t i : network.hidden_nodes())
    if (!rules.recognition[i])
      throw Error("the " + algorithm + " algorithm needs a recognition distribution for every hidden node, but node '" +
                  network.nodes[i].name + "' has none");
  return rules;
}

MeanFieldPass::MeanFieldPass(const Network& network, const MeanFieldRules& rules)
    : network_(network), rules_(rules), observed_(network.observed_nodes()), is_observed_(network.nodes.size(), false) {
  for (std::size_t i : observed_) is_observed_[i] = true;
  const std::size_t nodes = network.nodes.size();
  for (auto* v : {&log_q_on_, &log_q_off_, &log_p_on_, &log_p_off_, &generative_parents_, &recognition_parents_, &g_,
                  &d_on_, &d_off_, &generative_mean_gradient_, &recognition_mean_gradient_})
    v->resize(nodes);
  generative_work_.resize(nodes);
  recognition_work_.resize(nodes);
}

const Vector& MeanFieldPass::forward(const Matrix& data, std::size_t first, std::size_t count) {
  if (data.shape(1) != network_.visible_units())
    throw Error("the data have " + std::to_string(data.shape(1)) + " columns, but the network has " +
                std::to_string(network_.visible_units()) + " visible units");
  if (first + count > data.shape(0)) throw Error("MeanFieldPass::forward: rows out of range");
  patterns_ = count;
  ensure_states(network_, count, q_);

  // The observed nodes' means are the data, their columns side by side in declaration order.
  const std::size_t width = data.shape(1);
  for (std::size_t n = 0; n < count; ++n) {
    const double* row = data.data() + (first + n) * width;
    for (std::size_t i : observed_) {
      Matrix& q = q_[i];
      std::copy(row, row + q.shape(1), q.data() + n * q.shape(1));
      row += q.shape(1);
    }
  }

  // Hidden means bottom-up, in recognition order: q = exp(log q), 1 - q = exp(log(1 - q)).
  for (std::size_t node : network_.recognition.order) {
    const MeanField* rule = rules_.recognition[node];
    if (!rule) continue;
    gather_parents(network_.recognition.conditionals[node], q_, count, recognition_parents_[node]);
    rule->mean_field(recognition_parents_[node], log_q_on_[node], log_q_off_[node]);
    const Matrix& log_q = log_q_on_[node];
    Matrix& q = q_[node];
    for (std::size_t k = 0, size = q.size(); k < size; ++k) q.data()[k] = std::exp(log_q.data()[k]);
  }

  // Every node's generative probabilities from its generative parents' means, and the KL terms.
  ensure_shape(free_energy_, count);
  free_energy_.fill(0.0);
  for (std::size_t node : network_.generative.order) {
    const MeanField* rule = rules_.generative[node];
    if (!rule) continue;
    gather_parents(network_.generative.conditionals[node], q_, count, generative_parents_[node]);
    rule->mean_field(generative_parents_[node], log_p_on_[node], log_p_off_[node]);
    const Matrix &q = q_[node], &log_p_on = log_p_on_[node], &log_p_off = log_p_off_[node];
    const std::size_t units = q.shape(1);
    for (std::size_t n = 0; n < count; ++n) {
      double sum = 0;
      for (std::size_t j = 0; j < units; ++j) {
        const double on = q(n, j);
        if (is_observed_[node]) {
          sum += kl_term(on, std::log(on), log_p_on(n, j)) + kl_term(1.0 - on, std::log1p(-on), log_p_off(n, j));
        } else {
          const double log_off = log_q_off_[node](n, j);
          sum += kl_term(on, log_q_on_[node](n, j), log_p_on(n, j)) +
                 kl_term(std::exp(log_off), log_off, log_p_off(n, j));
        }
      }
      free_energy_(n) += sum;
    }
  }
  return free_energy_;
}

void MeanFieldPass::add_to_parents(const Conditional& conditional, const Matrix& mean_gradient) {
  std::size_t column = 0;
  const std::size_t stride = mean_gradient.shape(1);
  for (std::size_t parent : conditional.parents) {
    const std::size_t units = network_.nodes[parent].size;
    if (!is_observed_[parent]) {
      Matrix& g = g_[parent];
      for (std::size_t n = 0; n < patterns_; ++n) {
        const double* from = mean_gradient.data() + n * stride + column;
        double* to = g.data() + n * units;
        for (std::size_t j = 0; j < units; ++j) to[j] += from[j];
      }
    }
    column += units;
  }
}

void MeanFieldPass::backward(double scale, Vector& generative_gradient, Vector& recognition_gradient) {
  const std::size_t count = patterns_;
  for (std::size_t node = 0; node < network_.nodes.size(); ++node)
    if (!is_observed_[node]) {
      ensure_shape(g_[node], count, network_.nodes[node].size);
      g_[node].fill(0.0);
    }

  // Generative rules: dF/dlog p = -q, dF/dlog(1 - p) = -(1 - q).
  for (std::size_t node : network_.generative.order) {
    const MeanField* rule = rules_.generative[node];
    if (!rule) continue;
    const Matrix& q = q_[node];
    Matrix &d_on = d_on_[node], &d_off = d_off_[node];
    ensure_shape(d_on, count, q.shape(1));
    ensure_shape(d_off, count, q.shape(1));
    for (std::size_t k = 0, size = q.size(); k < size; ++k) {
      const double on = q.data()[k];
      const double off = is_observed_[node] ? 1.0 - on : std::exp(log_q_off_[node].data()[k]);
      d_on.data()[k] = -scale * on;
      d_off.data()[k] = -scale * off;
    }
    rule->mean_field_backward(generative_parents_[node], d_on, d_off,
                              network_.generative.slice(generative_gradient, node),
                              generative_mean_gradient_[node], generative_work_[node]);
    add_to_parents(network_.generative.conditionals[node], generative_mean_gradient_[node]);
  }

  // Recognition rules, children before parents, so that g is complete when a node is reached.
  const auto& order = network_.recognition.order;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const std::size_t node = *it;
    const MeanField* rule = rules_.recognition[node];
    if (!rule) continue;
    const Matrix &q = q_[node], &g = g_[node];
    const Matrix &log_q_on = log_q_on_[node], &log_q_off = log_q_off_[node];
    const Matrix &log_p_on = log_p_on_[node], &log_p_off = log_p_off_[node];
    Matrix &d_on = d_on_[node], &d_off = d_off_[node];
    ensure_shape(d_on, count, q.shape(1));
    ensure_shape(d_off, count, q.shape(1));
    for (std::size_t k = 0, size = q.size(); k < size; ++k) {
      const double on = q.data()[k], log_off = log_q_off.data()[k];
      d_on.data()[k] = scale * kl_slope(on, log_q_on.data()[k], log_p_on.data()[k]) + g.data()[k] * on;
      d_off.data()[k] = scale * kl_slope(std::exp(log_off), log_off, log_p_off.data()[k]);
    }
    rule->mean_field_backward(recognition_parents_[node], d_on, d_off,
                              network_.recognition.slice(recognition_gradient, node),
                              recognition_mean_gradient_[node], recognition_work_[node]);
    add_to_parents(network_.recognition.conditionals[node], recognition_mean_gradient_[node]);
  }
}

}  // namespace helmholtz
