#pragma once
// The coordinates in which training moves one direction of a network. A model file and the
// network hold natural values theta; each parameter block declares the transform v(theta)
// it learns in (framework/graph/parameter_block.hpp). Optimisers see only v and gradients
// with respect to v; this class converts both ways, keeps v inside each block's learning
// range, and leaves the blocks a model file fixed exactly as they are.
#include <vector>

#include "framework/graph/network.hpp"

namespace helmholtz {

class LearningCoordinates {
 public:
  // natural = true: learn every block in its natural coordinates (v = theta).
  LearningCoordinates(DirectedModel& model, bool natural);

  std::size_t size() const { return model_.parameters.size(); }
  // v. When every block learns in its natural coordinates and none is fixed (plain()), v is
  // the model's parameter vector itself, so that a step writes the parameters directly.
  Vector& values() { return plain_ ? model_.parameters : v_; }
  const Vector& values() const { return plain_ ? model_.parameters : v_; }

  // v from the model's current natural values.
  void load();
  // v clamped into the learning ranges, theta = v's natural values written into the model
  // (fixed blocks untouched, bit for bit), and every distribution refreshed.
  void store();

  // For plain() coordinates only: theta += rate g, then store(), in one pass over the
  // parameters that also sets g to 0 and rounds theta into the model's float copy when it
  // has one. `g_single`, when given, is a float gradient added to g first (and set to 0 as
  // well). Bit for bit the same theta as adding rate (g + g_single) and calling store().
  void step_and_store(Vector& g, VectorF* g_single, double rate);

  // out = (d theta / d v) * g: a gradient with respect to theta as one with respect to v;
  // 0 on fixed parameters.
  void gradient_to_learning(const Vector& natural_gradient, Vector& out) const;
  // out = d / (d theta / d v): a displacement of theta (a natural-gradient direction) as a
  // displacement of v, to first order, for a step of v by `rate` times it; 0 on fixed
  // parameters. Where that step would multiply theta (or, under log-hazard coordinates, its
  // hazard) by more than e, out takes v exactly to theta + rate d, clamped into the range,
  // instead; where d theta / d v is 0, or so small that a finite d / (d theta / d v) overflows
  // on the way down (theta an exact 0, or a few ulps from it), out is 0: it stays put.
  void displacement_to_learning(const Vector& natural_displacement, Vector& out, double rate) const;
  // L2 weight decay on the weight blocks (per_unit_and_parent, not fixed): adds
  // -lambda theta to a natural gradient and returns the penalty (lambda / 2) sum theta^2.
  double add_weight_decay(double lambda, Vector* natural_gradient) const;
  // True when every parameter learns in its natural coordinates and none is fixed: then a
  // natural gradient is already a learning gradient, and need not be copied.
  bool plain() const { return plain_; }
  // Are all v finite?
  bool finite() const;
  // Did a step since load() produce a value that is not a finite number (clamped since)? A
  // learning rate far too large overflows this way; the trainer then stops.
  bool overflowed() const { return overflowed_; }

 private:
  // A run of parameters from one block of one node: the same transform and ranges.
  struct Segment {
    std::size_t begin, end;
    Reparameterisation transform;
    ParameterRange natural_range;   // the block's learning range
    ParameterRange learning_range;  // the same in v
    double lowest, highest;  // the finite ends of natural_range (natural_range.clamp of -+DBL_MAX)
    bool fixed;
    bool decays;
  };
  DirectedModel& model_;
  std::vector<Segment> segments_;
  Vector v_;
  bool overflowed_ = false;
  bool plain_ = true;
};

}  // namespace helmholtz
