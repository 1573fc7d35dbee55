// sgd: v += rate g.
#include "framework/engines/training/optimisers/step_rule.hpp"

namespace helmholtz::optimisers {

class GradientStep final : public StepRule {
 public:
  void step(Vector& v, const Vector& g, double rate) override {
    double* x = v.data();
    const double* d = g.data();
    for (std::size_t i = 0, n = v.size(); i < n; ++i) x[i] += rate * d[i];
  }
  bool plain_step() const override { return true; }
};

std::unique_ptr<StepRule> make_gradient_step() { return std::make_unique<GradientStep>(); }

}  // namespace helmholtz::optimisers
