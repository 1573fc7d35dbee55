#pragma once
// A network as Python holds it: the C++ Network, and who is using it. Long reads (sampling,
// exact enumeration, evaluation) and training run without the GIL, so one Python thread may
// train a network while another asks for its parameters; the uses are counted here, always
// with the GIL held (so plain integers suffice), and a use that would race is refused with an
// Error instead. Different networks share nothing: two threads may train two networks at once.
#include <memory>
#include <thread>

#include "framework/graph/network.hpp"

namespace helmholtz::python {

struct NetworkHandle {
  Network network;
  int long_reads = 0;     // sample, exact, evaluate, running without the GIL
  bool training = false;  // train() is running
  // train() waits for its epoch callback, which runs on this thread: the parameters hold still.
  bool paused = false;
  std::thread::id callback_thread;

  explicit NetworkHandle(Network n) : network(std::move(n)) {}
};
using Handle = std::shared_ptr<NetworkHandle>;

// Checks for a read of the parameters: refused while the network is being trained, except from
// its epoch callback (on the thread that called train(), while the trainer waits for it).
void check_readable(const NetworkHandle& handle);
// Checks for a change of the parameters: refused while a long read or training runs.
void check_changeable(const NetworkHandle& handle);
// Checks for a read that needs the training: section as it will be (save, to_yaml, copy).
void check_not_training(const NetworkHandle& handle, const char* what);

// A long read, for as long as the object lives (made and destroyed with the GIL held).
class LongRead {
 public:
  explicit LongRead(NetworkHandle& handle);
  ~LongRead() { --handle_.long_reads; }
  LongRead(const LongRead&) = delete;
  LongRead& operator=(const LongRead&) = delete;

 private:
  NetworkHandle& handle_;
};

// train(), for as long as the object lives (made and destroyed with the GIL held).
class TrainingUse {
 public:
  explicit TrainingUse(NetworkHandle& handle);
  ~TrainingUse() { handle_.training = false; }
  TrainingUse(const TrainingUse&) = delete;
  TrainingUse& operator=(const TrainingUse&) = delete;

 private:
  NetworkHandle& handle_;
};

}  // namespace helmholtz::python
