#include "framework/engines/training/optimisers/conjugate_gradient.hpp"

#include <cmath>
#include <optional>

#include "framework/error.hpp"

namespace helmholtz {
namespace {

double dot(const Vector& a, const Vector& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a(i) * b(i);
  return sum;
}

constexpr double armijo = 1e-4;    // c1: sufficient increase
constexpr double curvature = 0.1;  // c2: strong Wolfe, as usual for conjugate gradient
constexpr int max_bracket_steps = 30;
constexpr int max_zoom_steps = 30;

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

  // The line search of Nocedal & Wright (algorithms 3.5 and 3.6) for phi(a) = f(x + a d):
  // bracket a step satisfying the strong Wolfe conditions
  //   phi(a) >= phi(0) + c1 a phi'(0)   and   |phi'(a)| <= c2 phi'(0),
  // then zoom in by safeguarded quadratic interpolation. Only points of the first kind are
  // ever kept, so f never falls.
  const Vector start = x;
  const double f0 = f_;
  Vector trial = Vector::from_shape({n}), trial_gradient = Vector::from_shape({n});
  double last_alpha = -1;
  struct Point {
    double alpha, value, slope;
  };
  auto evaluate_at = [&](double alpha) {
    for (std::size_t i = 0; i < n; ++i) trial(i) = start(i) + alpha * d(i);
    ++evaluations_;
    last_alpha = alpha;
    const double value = f(trial, trial_gradient);
    return Point{alpha, value, dot(trial_gradient, d)};
  };
  std::optional<Point> best;  // the best point with a sufficient increase
  Vector best_x, best_gradient;
  auto sufficient = [&](const Point& p) {
    return std::isfinite(p.value) && p.value >= f0 + armijo * p.alpha * slope && p.value >= f0;
  };
  auto consider = [&](const Point& p) {
    if (sufficient(p) && (!best || p.value > best->value)) {
      best = p;
      best_x = trial;
      best_gradient = trial_gradient;
    }
  };
  auto curvature_ok = [&](const Point& p) { return std::abs(p.slope) <= curvature * slope; };

  auto zoom = [&](Point lo, Point hi) {
    for (int i = 0; i < max_zoom_steps; ++i) {
      // Minimiser of the quadratic through phi(lo), phi'(lo), phi(hi), kept inside the
      // middle of the bracket.
      const double width = hi.alpha - lo.alpha;
      const double denominator = 2 * (hi.value - lo.value - lo.slope * width);
      double alpha = lo.alpha + width / 2;
      if (denominator != 0 && std::isfinite(hi.value)) {
        const double candidate = lo.alpha - lo.slope * width * width / denominator;
        const double low = std::min(lo.alpha, hi.alpha), high = std::max(lo.alpha, hi.alpha);
        const double margin = 0.1 * (high - low);
        if (candidate > low + margin && candidate < high - margin) alpha = candidate;
      }
      const Point p = evaluate_at(alpha);
      consider(p);
      if (!sufficient(p) || p.value <= lo.value) {
        hi = p;
      } else {
        if (curvature_ok(p)) return;
        if (p.slope * (hi.alpha - lo.alpha) <= 0) hi = lo;
        lo = p;
      }
      if (std::abs(hi.alpha - lo.alpha) <= 1e-12 * std::abs(lo.alpha)) return;
    }
  };

  Point previous{0.0, f0, slope};
  double alpha = step_ > 0 ? step_ : initial_step_ / std::sqrt(dot(d, d));
  for (int i = 0; i < max_bracket_steps; ++i) {
    const Point p = evaluate_at(alpha);
    consider(p);
    if (!sufficient(p) || (i > 0 && p.value <= previous.value)) {
      zoom(previous, p);
      break;
    }
    if (curvature_ok(p)) break;
    if (p.slope <= 0) {
      zoom(p, previous);
      break;
    }
    previous = p;
    alpha *= 2;
  }

  if (!best) {
    // No step along d raises f: go back, and restart from the gradient next time.
    x = start;
    f_ = f(x, gradient_);
    ++evaluations_;
    direction_ = Vector();
    previous_gradient_ = Vector();
    step_ = 0;
    return f_;
  }
  x = best_x;
  if (last_alpha == best->alpha) {
    f_ = best->value;
    gradient_ = best_gradient;
  } else {  // the parameters are at another trial: move them to the best point
    f_ = f(x, gradient_);
    ++evaluations_;
  }
  // The next line search starts from this step length (CG directions change scale slowly).
  step_ = best->alpha;
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
