// wake-sleep (Hinton, Dayan, Frey & Neal 1995; Dayan et al. 1995, section 3).
//   Wake:  clamp data d, draw h ~ Q(.|d) bottom-up, and move the generative parameters along
//          (1/B) sum_n d/dtheta log P(h_n, d_n)   (for a sigmoid unit the delta rule
//          dW_jk = rate (s_j - p_j) s_k).
//   Sleep: draw fantasies (h, d) ~ P top-down from the generative model just updated, and
//          move the recognition parameters along  (1/B) sum_n d/dphi log Q(h_n | d_n).
// With B = 1 this is the online rule of the papers.
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/algorithm.hpp"

namespace helmholtz::algorithms {
namespace {

class WakeSleep final : public TrainingAlgorithm {
 public:
  explicit WakeSleep(Network& network) : recognition_(network), generative_(network) {}

  void train_batch(const Matrix& batch, Rng& rng, Learners& learners, double rate_factor) override {
    const std::size_t count = batch.shape(0);
    if (weights_.size() != count) {
      weights_ = Vector::from_shape({count});
      weights_.fill(1.0 / static_cast<double>(count));
    }
    const NodeStates& recognised = recognition_.sample(batch, rng);
    learners.generative.zero_gradient();
    learners.generative.accumulate_log_probability_gradient(recognised, weights_);
    learners.generative.step(rate_factor);

    const NodeStates& fantasy = generative_.sample(count, rng);
    learners.recognition.zero_gradient();
    learners.recognition.accumulate_log_probability_gradient(fantasy, weights_);
    learners.recognition.step(rate_factor);
  }

 private:
  RecognitionSampler recognition_;
  AncestralSampler generative_;
  Vector weights_;  // 1/B for each pattern
};

}  // namespace

std::unique_ptr<TrainingAlgorithm> make_wake_sleep(Network& network, const TrainingOptions& /*options*/) {
  return std::make_unique<WakeSleep>(network);
}

}  // namespace helmholtz::algorithms
