#pragma once
// What a plugin declares about its parameters, so that everything else about them is
// generic: one flat vector per direction of the network holds every node's parameters as
// named blocks (bias, weights), and model-file reading and writing, range checks, random
// initialisation, projection after a learning step, fixed blocks and the coordinates in
// which training moves them are all done once, from these declarations.
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace helmholtz {

// A closed interval [lower, upper]; infinite ends mean unbounded (values stay finite).
struct ParameterRange {
  double lower;
  double upper;
  bool contains(double x) const;
  double clamp(double x) const;
  std::string describe() const;  // "in [0, 1]", ">= 0", "finite"
  static ParameterRange real() {
    return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  }
};

// Initial values are drawn uniformly from [lower, upper] (a constant when lower == upper).
struct InitialRange {
  double lower;
  double upper;
};

// The coordinates training moves a parameter in. A model file always holds the natural
// value theta; learning steps v = forward(theta), and theta = inverse(v) afterwards. A
// transform whose gradient stays bounded where the natural one explodes lets noisy-or and
// odds-sum learn at the rates sigmoid uses.
enum class Reparameterisation {
  identity,    // v = theta
  log,         // v = log theta, for theta >= 0: multiplicative steps, an exact 0 stays 0
  log_hazard,  // v = log(-log(1 - theta)), for theta in [0, 1): the log of the rate of a
               // cause whose probability is theta; d log P / dv stays bounded
};

double to_learning(Reparameterisation r, double theta);
double to_natural(Reparameterisation r, double v);
// d theta / d v at v (with theta = to_natural(r, v) passed in, to save recomputing it).
double natural_derivative(Reparameterisation r, double v, double theta);
const char* describe(Reparameterisation r);

// How a block appears in a model file.
enum class BlockLayout {
  per_unit,             // a list with one number per unit of the node:  bias: [0.1, -0.3]
  per_unit_and_parent,  // a map from each parent to a matrix with a row per unit of the node
                        // and a column per unit of that parent:  weights: {top: [[1, -1]]}
};

// One named block of a node's parameters, as its plugin declares it.
struct ParameterBlock {
  std::string name;  // the model-file key: "bias", "weights"
  BlockLayout layout = BlockLayout::per_unit;
  ParameterRange valid = ParameterRange::real();     // what a model file may hold
  ParameterRange learning = ParameterRange::real();  // where a learning step may leave it
  InitialRange initial{0.0, 0.0};                    // drawn where the model file is silent
  Reparameterisation learn_as = Reparameterisation::identity;
  // Filled in by the node: where the block starts within the node's parameters, its size.
  std::size_t offset = 0;
  std::size_t size = 0;
};

}  // namespace helmholtz
