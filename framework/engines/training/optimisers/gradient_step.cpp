// sgd: v += rate g.
#include <cmath>

#include "framework/engines/training/optimisers/step_rule.hpp"

namespace helmholtz::optimisers {

class GradientStep final : public StepRule {
 public:
  void step(Vector& v, const Vector& g, double rate) override {
    double* x = v.data();
    const double* d = g.data();
    // One fused multiply-add per entry, as every in-place form of this step makes it
    // (LearningCoordinates::step_and_store, the online step in DirectionLearner).
    for (std::size_t i = 0, n = v.size(); i < n; ++i) x[i] = std::fma(rate, d[i], x[i]);
  }
  bool plain_step() const override { return true; }
};

std::unique_ptr<StepRule> make_gradient_step() { return std::make_unique<GradientStep>(); }

}  // namespace helmholtz::optimisers
