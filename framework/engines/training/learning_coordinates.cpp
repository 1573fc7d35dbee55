#include "framework/engines/training/learning_coordinates.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <limits>

#include "framework/error.hpp"
#include "framework/vector_math.hpp"

namespace helmholtz {

LearningCoordinates::LearningCoordinates(DirectedModel& model, bool natural) : model_(model) {
  for (std::size_t node = 0; node < model.conditionals.size(); ++node) {
    const Conditional& c = model.conditionals[node];
    if (!c.distribution) continue;
    for (const ParameterBlock& b : c.distribution->blocks()) {
      if (b.size == 0) continue;
      Segment s;
      s.begin = model.offsets[node] + b.offset;
      s.end = s.begin + b.size;
      s.transform = natural ? Reparameterisation::identity : b.learn_as;
      s.natural_range = b.learning;
      // The transforms are increasing, so the range maps end to end (log 0 = -inf is kept
      // finite by clamp()).
      s.learning_range = {to_learning(s.transform, b.learning.lower), to_learning(s.transform, b.learning.upper)};
      s.fixed = std::find(c.fixed.begin(), c.fixed.end(), b.name) != c.fixed.end();
      s.decays = b.layout == BlockLayout::per_unit_and_parent;
      s.lowest = s.natural_range.clamp(-std::numeric_limits<double>::max());
      s.highest = s.natural_range.clamp(std::numeric_limits<double>::max());
      if (s.fixed || s.transform != Reparameterisation::identity) plain_ = false;
      segments_.push_back(s);
    }
  }
  if (!plain_) v_ = Vector::from_shape({model.parameters.size()});
  load();
}

namespace {

// Has a step left v[i] (theta[i] its value before the step) not a finite number, that is,
// overflowed? Under log and log-hazard coordinates v = -inf is theta = 0, and an exact 0
// is kept at v = -DBL_MAX, so that a step that has taken a parameter to 0 leaves momentum
// behind it which carries v on to -inf: a parameter that was 0 and stays 0 has not
// overflowed. Any other infinity or NaN has.
bool overflows(Reparameterisation transform, const double* v, const double* theta, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (std::isfinite(v[i])) continue;
    const bool stays_zero = v[i] == -std::numeric_limits<double>::infinity() && theta[i] == 0.0 &&
                            transform != Reparameterisation::identity;
    if (!stays_zero) return true;
  }
  return false;
}

}  // namespace

void LearningCoordinates::load() {
  overflowed_ = false;
  if (plain_) return;  // v is the parameters
  const double* theta = model_.parameters.data();
  double* v = v_.data();
  for (const Segment& s : segments_) {
    if (s.transform == Reparameterisation::identity) {
      std::copy(theta + s.begin, theta + s.end, v + s.begin);
      continue;
    }
    for (std::size_t i = s.begin; i < s.end; ++i) v[i] = s.learning_range.clamp(to_learning(s.transform, theta[i]));
  }
}

void LearningCoordinates::store() {
  double* theta = model_.parameters.data();
  double* v = values().data();  // theta itself when plain(): the copies below are then no-ops
  for (const Segment& s : segments_) {
    if (s.fixed) continue;
    // One branch-free vectorised pass finds a value that is not a finite number; only then
    // the careful per-value clamp.
    const bool finite = vector_math::all_finite(v + s.begin, s.end - s.begin);
    if (!finite && overflows(s.transform, v + s.begin, theta + s.begin, s.end - s.begin)) overflowed_ = true;
    if (s.transform == Reparameterisation::identity) {
      const double lowest = s.lowest, highest = s.highest;
      if (!finite) {
        for (std::size_t i = s.begin; i < s.end; ++i) theta[i] = v[i] = s.natural_range.clamp(v[i]);
      } else if (lowest == -std::numeric_limits<double>::max() && highest == std::numeric_limits<double>::max()) {
        if (v != theta) std::copy(v + s.begin, v + s.end, theta + s.begin);  // any finite value is in range
      } else {
        for (std::size_t i = s.begin; i < s.end; ++i) theta[i] = v[i] = std::min(std::max(v[i], lowest), highest);
      }
      continue;
    }
    for (std::size_t i = s.begin; i < s.end; ++i) {
      // Clamped again in theta: exp(log(DBL_MAX)) may round up to infinity. Then v is taken
      // back from theta exactly as load() takes it, so that a run resumed from the written
      // parameters sees the very same v (v -> theta -> v is not the identity in floating point).
      theta[i] = s.natural_range.clamp(to_natural(s.transform, s.learning_range.clamp(v[i])));
      v[i] = s.learning_range.clamp(to_learning(s.transform, theta[i]));
    }
  }
  model_.parameters_changed();
}

namespace {

// theta[i] += rate (g[i] + extra[i]) with g[i], extra[i] = 0 and the float copy written, over
// [begin, end); returns true if a result is not a finite number. Without `extra` the sum is
// rate g[i] itself, so that a step is the very one GradientStep makes.
template <bool with_extra, bool with_copy>
bool fused_step(double* __restrict theta, double* __restrict g, float* __restrict extra, float* __restrict copy,
                double rate, std::size_t begin, std::size_t end, double lowest, double highest) {
  std::uint64_t exponent_all_ones = 0;
  for (std::size_t i = begin; i < end; ++i) {
    double d = g[i];
    g[i] = 0.0;
    if constexpr (with_extra) {
      d += static_cast<double>(extra[i]);
      extra[i] = 0.0f;
    }
    double x = std::fma(rate, d, theta[i]);  // as GradientStep
    exponent_all_ones |= ((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff) == 0x7ff;
    x = std::min(std::max(x, lowest), highest);
    theta[i] = x;
    if constexpr (with_copy) copy[i] = static_cast<float>(x);
  }
  return exponent_all_ones != 0;
}

}  // namespace

void LearningCoordinates::step_and_store(Vector& g, VectorF* g_single, double rate) {
  if (!plain_) throw Error("internal: step_and_store needs plain learning coordinates");
  double* theta = model_.parameters.data();
  double* gradient = g.data();
  float* extra = g_single ? g_single->data() : nullptr;
  float* copy = model_.single.size() == model_.parameters.size() ? model_.single.data() : nullptr;
  for (const Segment& s : segments_) {
    // min(max(x, lowest), highest) with the range's own ends: the identity on finite values
    // of an unbounded block, store()'s clamp on a bounded one. A value that is not a finite
    // number was seen before it (NaN passes through unchanged) and is clamped below.
    const double lowest = s.lowest, highest = s.highest;
    const bool bad =
        extra ? (copy ? fused_step<true, true>(theta, gradient, extra, copy, rate, s.begin, s.end, lowest, highest)
                      : fused_step<true, false>(theta, gradient, extra, copy, rate, s.begin, s.end, lowest, highest))
              : (copy ? fused_step<false, true>(theta, gradient, extra, copy, rate, s.begin, s.end, lowest, highest)
                      : fused_step<false, false>(theta, gradient, extra, copy, rate, s.begin, s.end, lowest, highest));
    if (!bad) continue;
    overflowed_ = true;  // as store(): every value clamped into the block's range
    for (std::size_t i = s.begin; i < s.end; ++i) {
      theta[i] = s.natural_range.clamp(theta[i]);
      if (copy) copy[i] = static_cast<float>(theta[i]);
    }
  }
  model_.refresh_distributions();
}

void LearningCoordinates::gradient_to_learning(const Vector& natural_gradient, Vector& out) const {
  ensure_shape(out, size());
  out.fill(0.0);
  const double* g = natural_gradient.data();
  const double* theta = model_.parameters.data();
  for (const Segment& s : segments_) {
    if (s.fixed) continue;
    if (s.transform == Reparameterisation::identity) {
      std::copy(g + s.begin, g + s.end, out.data() + s.begin);
      continue;
    }
    for (std::size_t i = s.begin; i < s.end; ++i) {
      const double slope = natural_derivative(s.transform, v_(i), theta[i]);
      out(i) = slope == 0.0 ? 0.0 : slope * g[i];  // an exact 0 stays put even if g is infinite
    }
  }
}

void LearningCoordinates::displacement_to_learning(const Vector& natural_displacement, Vector& out,
                                                   double rate) const {
  ensure_shape(out, size());
  out.fill(0.0);
  const double* d = natural_displacement.data();
  const double* theta = model_.parameters.data();
  for (const Segment& s : segments_) {
    if (s.fixed) continue;
    if (s.transform == Reparameterisation::identity) {
      std::copy(d + s.begin, d + s.end, out.data() + s.begin);
      continue;
    }
    for (std::size_t i = s.begin; i < s.end; ++i) {
      const double slope = natural_derivative(s.transform, v_(i), theta[i]);
      double step = slope > 0.0 ? d[i] / slope : 0.0;  // to first order
      if (rate * step > 1.0) {
        // A step that would multiply theta (or its hazard) by more than e: the first order
        // is far off there (theta = 1e-300 with a displacement of 0.5 went to 1.8e308), and
        // the step is taken exactly, to theta + rate d in the range.
        const double target = s.natural_range.clamp(to_natural(s.transform, v_(i)) + rate * d[i]);
        step = (s.learning_range.clamp(to_learning(s.transform, target)) - v_(i)) / rate;
      } else if (std::isinf(step) && std::isfinite(d[i])) {
        // A slope that underflows (theta = 5e-324) acts like the slope 0 of an exact 0 on the
        // way down: the parameter stays put rather than take an infinite step. (A
        // displacement that is not finite itself goes through, to be seen.)
        step = 0.0;
      }
      out(i) = step;
    }
  }
}

double LearningCoordinates::add_weight_decay(double lambda, Vector* natural_gradient) const {
  if (lambda == 0.0) return 0.0;
  const double* theta = model_.parameters.data();
  double penalty = 0.0;
  for (const Segment& s : segments_) {
    if (s.fixed || !s.decays) continue;
    for (std::size_t i = s.begin; i < s.end; ++i) {
      penalty += theta[i] * theta[i];
      if (natural_gradient) (*natural_gradient)(i) -= lambda * theta[i];
    }
  }
  return 0.5 * lambda * penalty;
}

bool LearningCoordinates::finite() const {
  const Vector& v = values();
  return vector_math::all_finite(v.data(), v.size());
}

}  // namespace helmholtz
