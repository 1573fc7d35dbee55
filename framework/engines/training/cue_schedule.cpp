#include "framework/engines/training/cue_schedule.hpp"

namespace helmholtz {

double cue_weight(std::size_t epoch, std::size_t cue_epochs) {
  if (epoch == 0 || epoch > cue_epochs) return 0.0;
  return 1.0 - static_cast<double>(epoch - 1) / static_cast<double>(cue_epochs);
}

}  // namespace helmholtz
