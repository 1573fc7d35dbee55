#include "framework/python/network_handle.hpp"

#include "framework/error.hpp"

namespace helmholtz::python {

void check_readable(const NetworkHandle& handle) {
  // In the epoch callback the parameters hold still, until it returns: only it may read them.
  if (handle.training && !(handle.paused && handle.callback_thread == std::this_thread::get_id()))
    throw Error("the network is being trained in another thread; read it in the epoch callback, or after train() returns");
}

void check_changeable(const NetworkHandle& handle) {
  if (handle.training)
    throw Error("the network is being trained, so its parameters cannot be changed until train() returns");
  if (handle.long_reads > 0)
    throw Error("the network is in use by another thread (sample, exact or evaluate), so its parameters cannot be "
                "changed until that returns");
}

void check_not_training(const NetworkHandle& handle, const char* what) {
  if (handle.training)
    throw Error(std::string("the network is being trained; ") + what +
                " after train() returns, when its training: section is recorded");
}

LongRead::LongRead(NetworkHandle& handle) : handle_(handle) {
  check_readable(handle);
  ++handle_.long_reads;
}

TrainingUse::TrainingUse(NetworkHandle& handle) : handle_(handle) {
  if (handle.training)
    throw Error("the network is being trained already (in another thread, or this is its epoch callback)");
  if (handle.long_reads > 0)
    throw Error("the network is in use by another thread (sample, exact or evaluate); train it after that returns");
  handle_.training = true;
}

}  // namespace helmholtz::python
