#pragma once
// A learning algorithm for Helmholtz machines, written once against the plugin interface:
// wake-sleep, reweighted wake-sleep, the deterministic machine, natural wake-sleep, and any a
// user adds. The trainer (trainer.hpp) owns the loop over epochs and minibatches, the
// optimiser, reporting and stopping; an algorithm says what to do with one minibatch.
//
// Adding an algorithm is one file in this folder that defines its factory, plus one line in
// algorithms.def (or one AlgorithmRegistry::add call in a program of your own).
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "framework/engines/training/direction_learner.hpp"
#include "framework/graph/network.hpp"
#include "framework/random.hpp"

namespace helmholtz {

// A function of both directions' parameters that an algorithm maximises, for optimisers
// that search along lines over the whole data set (conjugate gradient).
class Objective {
 public:
  virtual ~Objective() = default;
  // The mean over the patterns of `data` at the network's current parameters, and, when
  // the pointers are given, its gradient in natural coordinates (laid out like each
  // direction's flat parameter vector; overwritten).
  virtual double evaluate(const Matrix& data, Vector* generative_gradient, Vector* recognition_gradient) = 0;
};

class TrainingAlgorithm {
 public:
  virtual ~TrainingAlgorithm() = default;
  // One minibatch (patterns x visible units): draw what it needs from rng, compute its
  // ascent directions and step the learners (their base rates times rate_factor).
  virtual void train_batch(const Matrix& batch, Rng& rng, Learners& learners, double rate_factor) = 0;
  // The same in single precision (train --precision float32), for an algorithm that says it
  // can (single_precision()): it computes in float through the plugins' single-precision
  // calls, and hands the learners gradients in double.
  virtual bool single_precision() const { return false; }
  virtual void train_batch(const MatrixF& batch, Rng& rng, Learners& learners, double rate_factor);
  // The objective it follows, if it follows one (null: no line-search optimiser applies).
  virtual Objective* objective() { return nullptr; }
  // Whether it can train on a part of each minibatch, as Learners::share describes it
  // (minibatch_share.hpp): patterns weighted 1/B of the whole minibatch, the draws of its own
  // rows, every step through the learners (which sum over the ranks). Only such an algorithm
  // runs in a data-parallel job of several ranks; the trainer refuses the others.
  virtual bool data_parallel() const { return false; }
  // What a user should know about how it will train this network (e.g. a slower fallback).
  virtual std::vector<std::string> notes() const { return {}; }
};

// Base of an algorithm written once as a template over T (double or float): the factory
// makes the one the options ask for, and train_batch reaches run() in its precision.
template <class T>
class AlgorithmInPrecision : public TrainingAlgorithm {
 public:
  bool single_precision() const override { return std::is_same_v<T, float>; }
  void train_batch(const Matrix& batch, Rng& rng, Learners& learners, double rate_factor) override {
    if constexpr (std::is_same_v<T, double>) run(batch, rng, learners, rate_factor);
    else throw Error("a single-precision algorithm was given a double-precision minibatch");
  }
  void train_batch(const MatrixF& batch, Rng& rng, Learners& learners, double rate_factor) override {
    if constexpr (std::is_same_v<T, float>) run(batch, rng, learners, rate_factor);
    else TrainingAlgorithm::train_batch(batch, rng, learners, rate_factor);
  }

 protected:
  virtual void run(const Tensor<T, 2>& batch, Rng& rng, Learners& learners, double rate_factor) = 0;
};

using AlgorithmFactory = std::function<std::unique_ptr<TrainingAlgorithm>(Network&, const TrainingOptions&)>;

struct AlgorithmInfo {
  std::string name;
  std::string summary;  // one line for --help
  AlgorithmFactory factory;
};

class AlgorithmRegistry {
 public:
  void add(AlgorithmInfo info);
  bool contains(const std::string& name) const { return algorithms_.count(name) != 0; }
  std::vector<std::string> names() const;
  const AlgorithmInfo& info(const std::string& name) const;  // throws Error naming the known ones
  // The factory may throw Error, e.g. naming a plugin that lacks a capability it needs.
  std::unique_ptr<TrainingAlgorithm> create(const std::string& name, Network& network,
                                            const TrainingOptions& options) const;

 private:
  std::map<std::string, AlgorithmInfo> algorithms_;
};

// The algorithms listed in algorithms.def.
const AlgorithmRegistry& builtin_algorithms();

}  // namespace helmholtz
