#pragma once
// An optional capability of a training algorithm, asked for with dynamic_cast by the trainer
// when a run has cue epochs (--cue-epochs): its wake phase can take the cues of the nodes
// that declare one (graph/cue.hpp) in place of their recognised states. An algorithm without
// it is refused for such a run, with its name; every other run never asks.
namespace helmholtz {

class FollowsCues {
 public:
  virtual ~FollowsCues() = default;
  // The weight of the cues in the minibatches that follow (cue_schedule.hpp), in [0, 1]:
  // each unit of a cued node takes its cue with this probability. Starts at 0.
  virtual void set_cue_weight(double weight) = 0;
};

}  // namespace helmholtz
