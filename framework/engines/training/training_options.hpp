#pragma once
// Everything that says how a network is trained, shared by every algorithm and optimiser,
// and recorded in the trained model file's `training:` section so that a run can be resumed.
#include <atomic>
#include <cstdint>
#include <string>

namespace helmholtz {

struct TrainingOptions {
  std::string algorithm = "wake-sleep";  // a name in the algorithm registry
  std::size_t epochs = 10;               // passes through the data in this run
  double generative_rate = 0.01;         // learning rate of the generative parameters
  double recognition_rate = 0.01;        // learning rate of the recognition parameters
  std::size_t batch_size = 1;            // 1 is the online rule of the papers
  std::uint64_t seed = 0;                // same seed, same data order, samples and result
  bool shuffle = true;                   // a new random order of the patterns every epoch
  // Compute in float (--precision float32) for the algorithms that can (wake-sleep, rws):
  // the plugins' single-precision calls on sgemm, parameters still kept and stepped in double.
  bool single_precision = false;

  // The optimiser (framework/engines/training/optimisers/).
  std::string optimizer = "sgd";     // sgd | momentum | cg
  double momentum = 0.9;             // momentum: the fraction of the last step kept
  std::string schedule = "constant";  // constant | inverse | exponential
  double decay = 0.1;                // inverse: rate / (1 + decay t); exponential: rate e^{-decay t}
  double weight_decay = 0.0;         // L2 penalty (weight_decay / 2) sum W^2 on weight blocks
  // Learn in the natural coordinates of every block instead of the plugin's chosen ones.
  bool natural_coordinates = false;

  // Algorithm options (each algorithm reads the ones it needs).
  std::size_t samples = 5;     // rws, natural-rws: samples from Q per pattern (K)
  bool sleep_updates = false;  // rws, natural-rws: also a sleep-phase update of Q
  double damping = 1e-3;       // natural gradients: added to the Fisher diagonal
  // wake-sleep: the first cue_epochs epochs of the run (counted as the record counts them)
  // lean on the cues of the nodes that declare one (cue_schedule.hpp); 0: cues are ignored.
  std::size_t cue_epochs = 0;

  // Stopping.
  std::size_t patience = 0;  // stop after this many epochs without a better validation score (0: never)
  // Checked between minibatches; when set, training stops with the parameters reached.
  const std::atomic<bool>* interrupt = nullptr;
};

}  // namespace helmholtz
