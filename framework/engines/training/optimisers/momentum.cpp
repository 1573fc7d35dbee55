// momentum (Polyak's heavy ball): m = momentum m + rate g;  v += m.
#include <stdexcept>

#include "framework/engines/training/optimisers/step_rule.hpp"
#include "framework/error.hpp"

namespace helmholtz::optimisers {

class Momentum final : public StepRule {
 public:
  Momentum(double momentum, std::size_t parameters) : momentum_(momentum), velocity_(Vector::from_shape({parameters})) {
    velocity_.fill(0.0);
  }
  void step(Vector& v, const Vector& g, double rate) override {
    double* x = v.data();
    double* m = velocity_.data();
    const double* d = g.data();
    for (std::size_t i = 0, n = v.size(); i < n; ++i) {
      m[i] = momentum_ * m[i] + rate * d[i];
      x[i] += m[i];
    }
  }
  std::map<std::string, Vector> state() const override { return {{"velocity", velocity_}}; }
  void set_state(const std::map<std::string, Vector>& state) override {
    const auto found = state.find("velocity");
    if (found == state.end()) return;
    if (found->second.size() != velocity_.size())
      throw Error("the recorded momentum has " + std::to_string(found->second.size()) + " entries for " +
                  std::to_string(velocity_.size()) + " parameters");
    velocity_ = found->second;
  }

 private:
  double momentum_;
  Vector velocity_;
};

std::unique_ptr<StepRule> make_momentum(double momentum, std::size_t parameters) {
  return std::make_unique<Momentum>(momentum, parameters);
}

}  // namespace helmholtz::optimisers
