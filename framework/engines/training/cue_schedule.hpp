#pragma once
// How much the wake phase leans on the cues (graph/cue.hpp) in epoch t (1-based, counting
// the epochs of a resumed run) of a run with --cue-epochs E:
//   w(t) = 1 - (t - 1) / E   for t = 1 .. E,   0 after,
// so that the first epoch learns from the cues alone, and the network is weaned off them
// linearly, as the coarse-to-fine schedule of Ramos, Sa-Couto & Wichert. E = 0: no cues.
#include <cstddef>

namespace helmholtz {

double cue_weight(std::size_t epoch, std::size_t cue_epochs);

}  // namespace helmholtz
