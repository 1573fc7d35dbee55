// The stochastic-gradient rules by name (conjugate gradient is a line-search optimiser over
// the whole data set, see conjugate_gradient.hpp).
#include "framework/engines/training/optimisers/step_rule.hpp"

#include "framework/engines/training/training_options.hpp"
#include "framework/error.hpp"

namespace helmholtz {

namespace optimisers {
std::unique_ptr<StepRule> make_gradient_step();
std::unique_ptr<StepRule> make_momentum(double momentum, std::size_t parameters);
}  // namespace optimisers

std::unique_ptr<StepRule> make_step_rule(const TrainingOptions& options, std::size_t parameters) {
  if (options.optimizer == "sgd") return optimisers::make_gradient_step();
  if (options.optimizer == "momentum") {
    if (!(options.momentum >= 0.0 && options.momentum < 1.0)) throw Error("the momentum must be in [0, 1)");
    return optimisers::make_momentum(options.momentum, parameters);
  }
  throw Error("unknown optimizer '" + options.optimizer + "' (available: sgd, momentum, cg)");
}

}  // namespace helmholtz
