#pragma once
// Stochastic-gradient optimisers as small policies: given the learning coordinates v of one
// direction of the network and an ascent direction g (a minibatch gradient, or a natural
// gradient), move v. The algorithm decides what g is; the rule decides how far to go.
//   sgd       v += rate g
//   momentum  m = momentum m + rate g;  v += m   (Polyak's heavy ball)
// A rule's state (the momentum vector) is named so that a model file can record it and a
// resumed run continue exactly.
#include <map>
#include <memory>
#include <string>

#include "framework/matrix.hpp"

namespace helmholtz {

struct TrainingOptions;

class StepRule {
 public:
  virtual ~StepRule() = default;
  virtual void step(Vector& v, const Vector& g, double rate) = 0;
  // True for v += rate g with no state: a caller may then make the step itself, fused with
  // its other passes over v (DirectionLearner does).
  virtual bool plain_step() const { return false; }
  // Named vectors that, restored with set_state, continue the rule exactly.
  virtual std::map<std::string, Vector> state() const { return {}; }
  virtual void set_state(const std::map<std::string, Vector>& /*state*/) {}
};

// The rule named by options.optimizer ("sgd" or "momentum"); throws Error for other names.
std::unique_ptr<StepRule> make_step_rule(const TrainingOptions& options, std::size_t parameters);

}  // namespace helmholtz
