#pragma once
// How a trained network was made, as its model file's `training:` section records it: the
// options of the run, the epochs completed, the data and its checksum, and the optimiser's
// state, so that `train --resume` goes on exactly where the run stopped.
#include <map>
#include <string>

#include "framework/engines/training/training_options.hpp"
#include "framework/matrix.hpp"

namespace helmholtz {

struct TrainingRecord {
  TrainingOptions options;  // `epochs` and `interrupt` are not recorded
  std::size_t epochs_completed = 0;
  // The run was stopped (Ctrl-C) during epoch epochs_completed + 1: the parameters are those
  // reached then, so a resumed run does not reproduce an uninterrupted one exactly.
  bool interrupted = false;
  std::string data_file;
  std::string data_checksum;  // data_checksum() of the training patterns
  // By part ("generative", "recognition", "conjugate-gradient"), the named vectors of the
  // optimiser's state.
  std::map<std::string, std::map<std::string, Vector>> optimiser_state;
};

}  // namespace helmholtz
