#pragma once
// Nonlinear conjugate gradient with a line search over the whole data set, as the
// deterministic Helmholtz machine was trained (Dayan et al. 1995, section 4): maximise f(x)
// by moving along d_t = g_t + beta_t d_{t-1}, beta_t = max(0, g_t.(g_t - g_{t-1}) / |g_{t-1}|^2)
// (Polak-Ribiere+, which restarts from the gradient by itself when progress stalls). The
// line search brackets and zooms to a step meeting the strong Wolfe conditions (sufficient
// increase c1 = 1e-4, curvature c2 = 0.1), by quadratic interpolation with the gradients it
// already has; a point that does not raise f enough is never accepted, so f never falls from
// one iteration to the next.
#include <functional>
#include <map>
#include <string>

#include "framework/matrix.hpp"

namespace helmholtz {

class ConjugateGradient {
 public:
  // Moves the parameters to x (which it may change, e.g. clamp into range) and returns f(x),
  // writing the gradient of f at the (changed) x into `gradient`.
  using Function = std::function<double(Vector& x, Vector& gradient)>;

  explicit ConjugateGradient(double initial_step) : initial_step_(initial_step) {}

  // One iteration from x (the parameters must be at x on entry and are at the result on
  // return). Returns f at the new x.
  double iterate(Vector& x, const Function& f);
  // The state that continues the iterations exactly (direction, last gradient, step).
  std::map<std::string, Vector> state() const;
  void set_state(const std::map<std::string, Vector>& state);
  std::size_t evaluations() const { return evaluations_; }

 private:
  double initial_step_;
  double step_ = 0;  // the last accepted step length (0: none yet)
  Vector direction_, previous_gradient_;  // d_{t-1}, g_{t-1}
  Vector gradient_;                        // g at the current x, when known_
  bool known_ = false;  // f_ and gradient_ hold f and its gradient at the current x
  double f_ = 0;
  std::size_t evaluations_ = 0;
};

}  // namespace helmholtz
