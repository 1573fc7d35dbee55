// natural wake-sleep (Varady, Volpi, Malago & Ay): wake-sleep whose two updates each step
// along the natural gradient, exact unit by unit (natural_gradient.hpp).
//   Wake:  h ~ Q(.|d); g = (1/B) sum_n d/dtheta log P(h_n, d_n) - lambda theta_weights,
//          F_j = (1/B) sum_n p_nj (1 - p_nj) x~_n x~_n^T under P,
//          theta_j += rate (F_j + damping I)^{-1} g_j   for every unit j of P.
//   Sleep: (h, d) ~ P from the generative model just updated; the same with
//          (1/B) sum_n d/dphi log Q(h_n | d_n) and Q's Fisher blocks at the fantasies.
// The Fisher blocks are taken over the phase's own samples, like the gradient. A plugin
// supplies them (sigmoid does), or they are computed from its gradients (a note says so).
// Data-parallel (minibatch_share.hpp): a rank draws its rows as wake-sleep does, and the
// gradient and the Fisher blocks are summed over the ranks before the solve.
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/algorithm.hpp"
#include "framework/engines/training/natural_gradient.hpp"

namespace helmholtz::algorithms {
namespace {

constexpr const char* algorithm_name = "natural-wake-sleep";

class NaturalWakeSleep final : public TrainingAlgorithm {
 public:
  NaturalWakeSleep(Network& network, const TrainingOptions& options)
      : recognition_(network), generative_(network),
        natural_generative_(network, network.generative, options.damping, options.weight_decay, algorithm_name),
        natural_recognition_(network, network.recognition, options.damping, options.weight_decay, algorithm_name) {}

  std::vector<std::string> notes() const override {
    std::vector<std::string> out = natural_generative_.notes();
    for (const auto& note : natural_recognition_.notes()) out.push_back(note);
    return out;
  }

  bool data_parallel() const override { return true; }

  void train_batch(const Matrix& batch, Rng& rng, Learners& learners, double rate_factor) override {
    const std::size_t count = batch.shape(0);
    fill_mean_weights(weights_, count, learners.share);
    const NodeStates& recognised = recognition_.sample(batch, rng, learners.share.rows);
    natural_generative_.step(learners.generative, recognised, weights_, rate_factor);

    const NodeStates& fantasy = generative_.sample(count, rng, learners.share.rows);
    natural_recognition_.step(learners.recognition, fantasy, weights_, rate_factor);
  }

 private:
  RecognitionSampler recognition_;
  AncestralSampler generative_;
  NaturalGradient natural_generative_, natural_recognition_;
  Vector weights_;  // 1/B for each pattern
};

}  // namespace

std::unique_ptr<TrainingAlgorithm> make_natural_wake_sleep(Network& network, const TrainingOptions& options) {
  return std::make_unique<NaturalWakeSleep>(network, options);
}

}  // namespace helmholtz::algorithms
