// reweighted wake-sleep (Bornschein & Bengio 2015), and natural-rws, the same with natural
// gradients. For each pattern d_n of a minibatch of B, K samples h_nk ~ Q(.|d_n) and
//   l_nk = log P(h_nk, d_n) - log Q(h_nk | d_n),     w_nk = exp(l_nk) / sum_k' exp(l_nk'),
// self-normalised importance weights, so that sum_k w_nk f(h_nk) estimates the posterior
// mean E_{P(h|d_n)} f(h), consistently as K grows.
//   Wake, P:  theta += rate (1/B) sum_n sum_k w_nk d/dtheta log P(h_nk, d_n)
//             (an estimate of the gradient of log p(d_n) = log sum_h P(h, d_n));
//   Wake, Q:  phi += rate (1/B) sum_n sum_k w_nk d/dphi log Q(h_nk | d_n)
//             (an estimate of the descent direction of KL(P(h|d_n) || Q(h|d_n)));
//   Sleep, Q (--sleep-updates): as in wake-sleep, on B fantasies from the P just updated,
//             each of weight 1/B.
// Both wake updates use the same samples and weights. With K = 1 every weight is 1 and the
// P update is wake-sleep's wake phase, bit for bit.
// The K samples of a pattern are rows n K + k. Work that is the same for them is done once:
// a first recognition layer (parents all observed) has its probabilities and log Q computed
// once per pattern (RecognitionSampler with replicas), and, for a plugin whose gradient is
// affine in the states (sigmoid), its K rows fold into one gradient row (Replicas); the
// generative gradient reuses the affine statistic log P computed for the weights
// (accumulate_gradient_after_log_probability).
// natural-rws takes each of these steps along the natural gradient, unit by unit, with the
// Fisher blocks weighted exactly like the gradient (natural_gradient.hpp). rws also runs in
// single precision (--precision float32): the same draws, log-probabilities and gradients in
// float, weights from float log-weights, steps in double; natural-rws is double only.
//
// Impossible samples. log P(h, d) is -inf where P gives h, or d given h, probability 0
// (noisy-or and odds-sum parameters at 0 or 1). A log weight that is not a finite number
// (that -inf; or NaN or +inf should a plugin's log Q disagree with the probabilities it was
// sampled from) counts as -inf: its weight is exactly 0. The softmax subtracts the largest
// log weight, so the terms are in [0, 1], the largest is 1, the sum is at least 1, and no
// weight is NaN or overflows. A pattern whose K samples are all impossible has weight 0
// throughout: it drops out of the wake updates, and its 1/B share is not handed to the other
// patterns (a step never grows because some patterns dropped). Its samples add 0 times their
// gradient, which plugins keep finite even at impossible states. A minibatch with no possible
// sample at all makes no wake step, weight decay included: nothing in it says where to go
// (and a natural step would divide the decay by the damping alone).
//
// Data-parallel (minibatch_share.hpp): a rank draws the K samples of its own patterns as one
// process draws them, weights each w_nk / B with B the whole minibatch, and the choice to
// skip the wake step is made over all ranks (no possible sample on any of them).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/algorithm.hpp"
#include "framework/engines/training/natural_gradient.hpp"
#include "framework/numerics.hpp"

namespace helmholtz::algorithms {
namespace {

template <class T>
class ReweightedWakeSleep final : public AlgorithmInPrecision<T> {
  using MatrixT = Tensor<T, 2>;
  using VectorT = Tensor<T, 1>;
  static constexpr bool in_double = std::is_same_v<T, double>;

 public:
  ReweightedWakeSleep(Network& network, const TrainingOptions& options, const char* algorithm, bool natural)
      : samples_(options.samples), sleep_updates_(options.sleep_updates), recognition_(network),
        generative_(network), log_joint_(network.generative), log_weights_(options.samples) {
    for (const Node& node : network.nodes) observed_.push_back(node.observed);
    if (samples_ == 0)
      throw Error(std::string(algorithm) + ": the number of samples per pattern (--samples) must be at least 1");
    if constexpr (in_double) {
      if (natural) {
        natural_generative_.emplace(network, network.generative, options.damping, options.weight_decay, algorithm);
        natural_recognition_.emplace(network, network.recognition, options.damping, options.weight_decay, algorithm);
        if (sleep_updates_)
          natural_sleep_.emplace(network, network.recognition, options.damping, options.weight_decay, algorithm);
      }
    } else if (natural) {
      throw Error(std::string(algorithm) + " trains in double precision only (--precision float64)");
    }
  }

  bool data_parallel() const override { return true; }

  std::vector<std::string> notes() const override {
    std::vector<std::string> out;
    for (const auto* natural : {&natural_generative_, &natural_recognition_})
      if (*natural)
        for (const auto& note : (*natural)->notes()) out.push_back(note);
    return out;
  }

 protected:
  void run(const MatrixT& batch, Rng& rng, Learners& learners, double rate_factor) override {
    const std::size_t count = batch.shape(0);
    const MinibatchShare& share = learners.share;
    const BasicNodeStates<T>& samples = recognition_.sample(batch, rng, log_q_, samples_, share.rows);
    const VectorT& log_p = log_joint_(samples);
    if (share.any(importance_weights(count, share.total(count), log_p))) {
      update(learners.generative, natural_generative_, samples, rate_factor, &log_joint_);
      update(learners.recognition, natural_recognition_, samples, rate_factor, nullptr);
    }
    if (!sleep_updates_) return;
    fill_mean_weights(sleep_weights_, count, share);
    const BasicNodeStates<T>& fantasy = generative_.sample(count, rng, share.rows);
    sleep_update(learners.recognition, fantasy, rate_factor);
  }

 private:
  // weights_(n K + k) = w_nk / B for the `count` patterns given, of a minibatch of `total`
  // (B); false if every weight is 0. The log-weights are taken in double whatever T is.
  bool importance_weights(std::size_t count, std::size_t total, const VectorT& log_p_all) {
    const std::size_t k_count = samples_;
    const double share = 1.0 / static_cast<double>(total);
    ensure_shape(weights_, count * k_count);
    double* w = log_weights_.data();
    bool any = false;
    for (std::size_t n = 0; n < count; ++n) {
      const T* log_p = log_p_all.data() + n * k_count;
      const T* log_q = log_q_.data() + n * k_count;
      T* out = weights_.data() + n * k_count;
      double largest = -numerics::infinity;
      for (std::size_t k = 0; k < k_count; ++k) {
        const double l = static_cast<double>(log_p[k]) - static_cast<double>(log_q[k]);
        w[k] = std::isfinite(l) ? l : -numerics::infinity;
        largest = std::max(largest, w[k]);
      }
      if (largest == -numerics::infinity) {  // no possible sample: the pattern drops out
        std::fill(out, out + k_count, T(0));
        continue;
      }
      double sum = 0.0;
      for (std::size_t k = 0; k < k_count; ++k) sum += w[k] = std::exp(w[k] - largest);
      for (std::size_t k = 0; k < k_count; ++k) out[k] = static_cast<T>(w[k] / sum * share);
      any = true;
    }
    return any;
  }

  // `computed`: the direction's log-probability of these states, just computed (log P), whose
  // work the gradient reuses.
  void update(DirectionLearner& learner, std::optional<NaturalGradient>& natural, const BasicNodeStates<T>& states,
              double rate_factor, BasicDirectionLogProbability<T>* computed) {
    if constexpr (in_double) {
      if (natural) {
        natural->step(learner, states, weights_, rate_factor);
        return;
      }
    }
    learner.zero_gradient();
    if (computed) learner.accumulate_log_probability_gradient(states, weights_, *computed, Replicas{samples_, &observed_});
    else learner.accumulate_log_probability_gradient(states, weights_, nullptr, Replicas{samples_, &observed_});
    learner.step(rate_factor);
  }

  // Q's sleep step, with buffers of its own: the recognition learner's (and
  // natural_recognition_'s) are sized for the K B wake samples, and the B fantasies would
  // reallocate them at every minibatch.
  void sleep_update(DirectionLearner& learner, const BasicNodeStates<T>& fantasy, double rate_factor) {
    if constexpr (in_double) {
      if (natural_sleep_) {
        natural_sleep_->step(learner, fantasy, sleep_weights_, rate_factor);
        return;
      }
    }
    learner.zero_gradient();
    learner.accumulate_log_probability_gradient(fantasy, sleep_weights_, &sleep_scratch_);
    learner.step(rate_factor);
  }

  std::size_t samples_;  // K
  bool sleep_updates_;
  BasicRecognitionSampler<T> recognition_;
  BasicAncestralSampler<T> generative_;
  BasicDirectionLogProbability<T> log_joint_;  // log P(h, d) of each sample
  std::optional<NaturalGradient> natural_generative_, natural_recognition_, natural_sleep_;  // natural-rws
  std::vector<bool> observed_;     // per node: holds the pattern, the same in its K rows
  VectorT log_q_;                  // per sample
  VectorT weights_;                // w_nk / B
  std::vector<double> log_weights_;  // K, for one pattern at a time
  VectorT sleep_weights_;          // 1/B for each fantasy
  GradientScratch<T> sleep_scratch_;  // the sleep update's, sized for B fantasies
};

}  // namespace

std::unique_ptr<TrainingAlgorithm> make_reweighted_wake_sleep(Network& network, const TrainingOptions& options) {
  if (options.single_precision) return std::make_unique<ReweightedWakeSleep<float>>(network, options, "rws", false);
  return std::make_unique<ReweightedWakeSleep<double>>(network, options, "rws", false);
}

std::unique_ptr<TrainingAlgorithm> make_natural_reweighted_wake_sleep(Network& network,
                                                                     const TrainingOptions& options) {
  return std::make_unique<ReweightedWakeSleep<double>>(network, options, "natural-rws", true);
}

}  // namespace helmholtz::algorithms
