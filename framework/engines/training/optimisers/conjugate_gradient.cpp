#include "framework/engines/training/optimisers/conjugate_gradient.hpp"

#include <cmath>

#include "framework/error.hpp"

namespace helmholtz {
namespace {

double dot(const Vector& a, const Vector& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a(i) * b(i);
  return sum;
}

constexpr double armijo = 1e-4;
constexpr int max_halvings = 40;
constexpr int max_doublings = 10;

}  // namespace

double ConjugateGradient::iterate(Vector& x, const Function& f) {
  const std::size_t n = x.size();
  if (!known_) {
    ensure_shape(gradient_, n);
    f_ = f(x, gradient_);
    ++evaluations_;
    known_ = true;
  }
  const Vector g = gradient_;
  // Polak-Ribiere+ direction; the gradient itself on the first iteration, after a failed
  // line search, or when the direction would not go uphill.
  Vector d = g;
  if (direction_.size() == n && previous_gradient_.size() == n) {
    const double previous = dot(previous_gradient_, previous_gradient_);
    if (previous > 0) {
      double numerator = 0;
      for (std::size_t i = 0; i < n; ++i) numerator += g(i) * (g(i) - previous_gradient_(i));
      const double beta = std::max(0.0, numerator / previous);
      for (std::size_t i = 0; i < n; ++i) d(i) = g(i) + beta * direction_(i);
    }
  }
  double slope = dot(g, d);
  if (!(slope > 0)) {
    d = g;
    slope = dot(g, g);
  }
  previous_gradient_ = g;
  direction_ = d;
  if (!(slope > 0) || !std::isfinite(slope)) return f_;  // a stationary point

  const Vector start = x;
  const double f0 = f_;
  double a = step_ > 0 ? step_ : initial_step_ / std::sqrt(slope > 0 ? dot(d, d) : 1.0);
  Vector trial = Vector::from_shape({n}), trial_gradient = Vector::from_shape({n});
  double last_alpha = 0;
  auto evaluate_at = [&](double alpha) {
    for (std::size_t i = 0; i < n; ++i) trial(i) = start(i) + alpha * d(i);
    ++evaluations_;
    last_alpha = alpha;
    return f(trial, trial_gradient);
  };
  auto accepted = [&](double value, double alpha) {
    return std::isfinite(value) && value >= f0 + armijo * alpha * slope && value >= f0;
  };
  // Backtrack until the step raises f enough.
  double value = evaluate_at(a);
  int halvings = 0;
  while (!accepted(value, a) && halvings < max_halvings) {
    a *= 0.5;
    value = evaluate_at(a);
    ++halvings;
  }
  if (!accepted(value, a)) {
    // No step along d raises f: go back, and restart from the gradient next time.
    x = start;
    f_ = f(x, gradient_);
    ++evaluations_;
    direction_ = Vector();
    previous_gradient_ = Vector();
    step_ = 0;
    return f_;
  }
  Vector best = trial, best_gradient = trial_gradient;
  double best_value = value, best_a = a;
  // Expand while f keeps rising (only when the first trial needed no backtracking).
  if (halvings == 0)
    for (int i = 0; i < max_doublings; ++i) {
      const double bigger = evaluate_at(2 * best_a);
      if (!(std::isfinite(bigger) && bigger > best_value)) break;
      best = trial;
      best_gradient = trial_gradient;
      best_value = bigger;
      best_a *= 2;
    }
  x = best;
  if (last_alpha == best_a) {
    f_ = best_value;
    gradient_ = best_gradient;
  } else {  // the parameters are at a rejected trial: move them back to the best point
    f_ = f(x, gradient_);
    ++evaluations_;
  }
  step_ = best_a;
  return f_;
}

std::map<std::string, Vector> ConjugateGradient::state() const {
  std::map<std::string, Vector> out;
  if (direction_.size()) out["direction"] = direction_;
  if (previous_gradient_.size()) out["previous_gradient"] = previous_gradient_;
  Vector step = Vector::from_shape({1});
  step(0) = step_;
  out["step"] = step;
  return out;
}

void ConjugateGradient::set_state(const std::map<std::string, Vector>& state) {
  if (auto d = state.find("direction"); d != state.end()) direction_ = d->second;
  if (auto g = state.find("previous_gradient"); g != state.end()) previous_gradient_ = g->second;
  if (auto s = state.find("step"); s != state.end() && s->second.size() == 1) step_ = s->second(0);
  known_ = false;
}

}  // namespace helmholtz
