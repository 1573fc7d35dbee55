#include "framework/python/long_work.hpp"

#include <thread>

#include <pybind11/pybind11.h>

namespace helmholtz::python {

namespace py = pybind11;

CallerThread::Outcome CallerThread::run(const std::function<void()>& task) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stop_.load()) return Outcome::skipped;
  task_ = &task;
  task_finished_ = false;
  changed_.notify_all();
  changed_.wait(lock, [this] { return task_finished_; });
  return outcome_;
}

void run_long_work(const std::function<void(const std::atomic<bool>& stop, CallerThread& caller)>& work) {
  CallerThread caller;
  std::exception_ptr work_error;
  {
    const py::gil_scoped_release no_gil;
    std::thread worker([&] {
      try {
        work(caller.stop_, caller);
      } catch (...) {
        work_error = std::current_exception();
      }
      const std::lock_guard<std::mutex> lock(caller.mutex_);
      caller.work_finished_ = true;
      caller.changed_.notify_all();
    });
    // Python errors are caught here, with the GIL held, and kept for the call to raise.
    auto stop_with_python_error = [&caller] {
      caller.python_error_ = std::current_exception();
      caller.stop_.store(true);
    };
    std::unique_lock<std::mutex> lock(caller.mutex_);
    while (true) {
      caller.changed_.wait_for(lock, poll_interval, [&] { return caller.work_finished_ || caller.task_; });
      if (const std::function<void()>* task = caller.task_) {
        caller.task_ = nullptr;
        lock.unlock();
        CallerThread::Outcome outcome = CallerThread::Outcome::skipped;
        if (!caller.stop_.load()) {
          const py::gil_scoped_acquire gil;
          try {
            (*task)();
            outcome = CallerThread::Outcome::ran;
          } catch (...) {
            stop_with_python_error();
            outcome = CallerThread::Outcome::raised;
          }
        }
        lock.lock();
        caller.outcome_ = outcome;
        caller.task_finished_ = true;
        caller.changed_.notify_all();
        continue;
      }
      if (caller.work_finished_) break;
      if (caller.stop_.load()) continue;  // stopping: wait for the work's next check
      lock.unlock();
      {
        const py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          try {
            throw py::error_already_set();
          } catch (...) {
            stop_with_python_error();
          }
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (caller.python_error_) std::rethrow_exception(caller.python_error_);
  if (work_error) std::rethrow_exception(work_error);
}

}  // namespace helmholtz::python
