// wake-sleep (Hinton, Dayan, Frey & Neal 1995; Dayan et al. 1995, section 3).
//   Wake:  clamp data d, draw h ~ Q(.|d) bottom-up, and move the generative parameters along
//          (1/B) sum_n d/dtheta log P(h_n, d_n)   (for a sigmoid unit the delta rule
//          dW_jk = rate (s_j - p_j) s_k).
//   Sleep: draw fantasies (h, d) ~ P top-down from the generative model just updated, and
//          move the recognition parameters along  (1/B) sum_n d/dphi log Q(h_n | d_n).
// With B = 1 this is the online rule of the papers. In double precision, or in float with
// --precision float32 (the same draws; the gradients in float, the steps in double).
// With cues (--cue-epochs; Ramos, Sa-Couto & Wichert) the wake phase's h is drawn from Q with
// each cued node taking its cue, at the schedule's weight, before the nodes above it are
// drawn: P then learns the coarse picture top-down first; the sleep phase is unchanged.
// Data-parallel (minibatch_share.hpp): on a rank's part of the minibatch, the rank draws its
// rows' recognised states and as many of the B fantasies, as one process draws them.
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/algorithm.hpp"
#include "framework/engines/training/follows_cues.hpp"

namespace helmholtz::algorithms {
namespace {

template <class T>
class WakeSleep final : public AlgorithmInPrecision<T>, public FollowsCues {
 public:
  explicit WakeSleep(Network& network) : recognition_(network), generative_(network) {}
  void set_cue_weight(double weight) override { cue_weight_ = weight; }
  bool data_parallel() const override { return true; }

 protected:
  void run(const Tensor<T, 2>& batch, Rng& rng, Learners& learners, double rate_factor) override {
    const std::size_t count = batch.shape(0);
    const RowShare rows = learners.share.rows;
    fill_mean_weights(weights_, count, learners.share);
    const BasicNodeStates<T>& recognised = cue_weight_ > 0.0 ? recognition_.sample_with_cues(batch, rng, cue_weight_, rows)
                                                             : recognition_.sample(batch, rng, rows);
    learners.generative.ascend_log_probability(recognised, weights_, rate_factor);
    const BasicNodeStates<T>& fantasy = generative_.sample(count, rng, rows);
    learners.recognition.ascend_log_probability(fantasy, weights_, rate_factor);
  }

 private:
  BasicRecognitionSampler<T> recognition_;
  BasicAncestralSampler<T> generative_;
  Tensor<T, 1> weights_;  // 1/B for each pattern
  double cue_weight_ = 0.0;
};

}  // namespace

std::unique_ptr<TrainingAlgorithm> make_wake_sleep(Network& network, const TrainingOptions& options) {
  if (options.single_precision) return std::make_unique<WakeSleep<float>>(network);
  return std::make_unique<WakeSleep<double>>(network);
}

}  // namespace helmholtz::algorithms
