#pragma once
// Long work from Python: an enumeration, thousands of samples, a training run.
//
// The work runs on a thread of its own while the calling thread, without the GIL, waits for
// it. So other Python threads run meanwhile, and the calling thread keeps two duties that only
// it can do:
//   - Ctrl-C. Python's C-level handler only notes a SIGINT; the KeyboardInterrupt is raised
//     when the main thread next runs Python code or calls PyErr_CheckSignals(). Every
//     `poll_interval` the waiting thread takes the GIL for a moment and calls it. When a
//     handler raises, the stop flag the engines poll between batches is set, the work stops at
//     its next check (its own, clean way: training keeps the parameters reached), and the
//     exception is raised from the call once the work has finished. On any other thread than
//     the main one, PyErr_CheckSignals() does nothing (Python runs handlers on the main thread
//     only, which then raises KeyboardInterrupt in its own code).
//   - Callbacks. The work hands a callback (a training run's epoch report) to the calling
//     thread, which runs it with the GIL while the work waits; so the callback runs on the
//     thread that called, as if the work were done there. An exception in it stops the work in
//     the same way and is raised from the call.
// Nothing here is global: each call has its own flag, and two threads may run long work at once.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>

namespace helmholtz::python {

// How soon Ctrl-C is noticed, at most (then the engine stops at its next check).
inline constexpr std::chrono::milliseconds poll_interval{20};

class CallerThread;

// Runs work(stop, caller) as described above and returns when it has finished. Rethrows, with
// the GIL held: the Python exception that stopped it (KeyboardInterrupt, or a callback's), or
// else the work's own exception. The GIL must be held when it is called.
void run_long_work(const std::function<void(const std::atomic<bool>& stop, CallerThread& caller)>& work);

// What the work may ask of the thread that called run_long_work.
class CallerThread {
 public:
  enum class Outcome { ran, raised, skipped };
  // Runs `task` on the calling thread with the GIL held, and waits for it. `raised`: it threw,
  // the work is being stopped and the exception will be raised from the call; `skipped`: the
  // work was being stopped already, so the task was not run.
  Outcome run(const std::function<void()>& task);

 private:
  friend void run_long_work(const std::function<void(const std::atomic<bool>&, CallerThread&)>&);
  std::mutex mutex_;
  std::condition_variable changed_;
  const std::function<void()>* task_ = nullptr;  // handed over, waiting to be run
  bool task_finished_ = false;
  Outcome outcome_ = Outcome::ran;
  bool work_finished_ = false;
  std::atomic<bool> stop_{false};
  std::exception_ptr python_error_;  // what stopped the work, to raise from the call
};

}  // namespace helmholtz::python
