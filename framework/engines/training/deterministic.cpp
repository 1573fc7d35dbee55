// deterministic: the deterministic Helmholtz machine (Dayan, Hinton, Neal & Zemel 1995,
// section 3 and appendices A-B). The recognition model propagates probabilities instead of
// samples, q = Q-rule(q of the recognition parents) with the data as the observed nodes' q,
// and the generative model scores them by p = P-rule(q of the generative parents) (eq. 3.10
// for sigmoid units). Both are trained on the one cost
//   F(d) = sum_nodes sum_j KL[q_j || p_j],
// whose exact gradient, for generative and recognition parameters alike, comes from a
// backward pass through the recognition DAG (framework/engines/mean_field_pass.hpp). The
// algorithm maximises the mean of -F over the patterns:
//   minibatches (sgd, momentum): one step of both directions along -(1/B) sum_n dF(d_n);
//   cg: the trainer's conjugate-gradient line search over the whole data set, through the
//       Objective, as the paper trained the deterministic machine.
// Nothing is random: the same data give the same steps whatever the seed (apart from the
// order of the minibatches). Data-parallel (minibatch_share.hpp): a rank's part of the
// minibatch weighs -1/B per pattern, B the whole minibatch; with cg the trainer splits the
// data set over the ranks and sums the objective and its gradient.
#include <algorithm>
#include <memory>
#include <vector>

#include "framework/engines/mean_field_pass.hpp"
#include "framework/engines/training/algorithm.hpp"

namespace helmholtz::algorithms {
namespace {

// Patterns per forward and backward pass when evaluating a whole data set: memory stays
// bounded by this many rows of every node, whatever the size of the data.
constexpr std::size_t evaluation_block = 256;

// Passes keep their buffers' shapes, so one pass per batch size (the trainer's minibatches,
// its shorter last one, the evaluation blocks and their remainder) makes repeated calls
// allocate nothing; beyond that the least recently used pass is reshaped.
constexpr std::size_t kept_passes = 4;

class Deterministic final : public TrainingAlgorithm, public Objective {
 public:
  explicit Deterministic(const Network& network)
      : network_(network), rules_(mean_field_rules(network, "deterministic")) {}

  bool data_parallel() const override { return true; }

  void train_batch(const Matrix& batch, Rng& /*rng*/, Learners& learners, double rate_factor) override {
    const std::size_t count = batch.shape(0);
    MeanFieldPass& pass = pass_for(count);
    pass.forward(batch);
    learners.generative.zero_gradient();
    learners.recognition.zero_gradient();
    pass.backward(-1.0 / static_cast<double>(learners.share.total(count)), learners.generative.gradient(),
                  learners.recognition.gradient());
    learners.generative.step(rate_factor);
    learners.recognition.step(rate_factor);
  }

  Objective* objective() override { return this; }

  // The mean of -F over `data`, block by block, and its gradient.
  double evaluate(const Matrix& data, Vector* generative_gradient, Vector* recognition_gradient) override {
    const std::size_t patterns = data.shape(0);
    const bool gradients = generative_gradient || recognition_gradient;
    // Both directions come out of one backward pass; one not asked for goes to scratch.
    Vector& g = generative_gradient ? *generative_gradient : unused_generative_;
    Vector& r = recognition_gradient ? *recognition_gradient : unused_recognition_;
    if (gradients) {
      ensure_shape(g, network_.generative.parameter_count());
      ensure_shape(r, network_.recognition.parameter_count());
      g.fill(0.0);
      r.fill(0.0);
    }
    double total = 0;
    for (std::size_t first = 0; first < patterns; first += evaluation_block) {
      const std::size_t count = std::min(evaluation_block, patterns - first);
      MeanFieldPass& pass = pass_for(count);
      for (double f : pass.forward(data, first, count)) total += f;
      if (gradients) pass.backward(-1.0 / static_cast<double>(patterns), g, r);
    }
    return patterns ? -total / static_cast<double>(patterns) : 0.0;
  }

 private:
  MeanFieldPass& pass_for(std::size_t patterns) {
    ++clock_;
    for (Kept& kept : passes_)
      if (kept.pass->patterns() == patterns) {
        kept.used = clock_;
        return *kept.pass;
      }
    if (passes_.size() < kept_passes) {
      passes_.push_back({std::make_unique<MeanFieldPass>(network_, rules_), clock_});
      return *passes_.back().pass;
    }
    Kept& oldest = *std::min_element(passes_.begin(), passes_.end(),
                                     [](const Kept& a, const Kept& b) { return a.used < b.used; });
    oldest.used = clock_;
    return *oldest.pass;
  }

  struct Kept {
    std::unique_ptr<MeanFieldPass> pass;
    std::size_t used;  // clock_ at the last use
  };

  const Network& network_;
  MeanFieldRules rules_;
  std::vector<Kept> passes_;
  std::size_t clock_ = 0;
  Vector unused_generative_, unused_recognition_;
};

}  // namespace

std::unique_ptr<TrainingAlgorithm> make_deterministic(Network& network, const TrainingOptions& /*options*/) {
  return std::make_unique<Deterministic>(network);
}

}  // namespace helmholtz::algorithms
