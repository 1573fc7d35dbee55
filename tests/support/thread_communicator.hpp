#pragma once
// A job of R ranks inside one test process, each rank a thread: the collective calls of
// Communicator, implemented with a barrier, so that the engines' distributed paths are
// tested (in every build, sanitizers included) without MPI. run_ranks(R, work) runs work(c)
// on R threads, c the rank's communicator, and returns when all are done.
#include <atomic>
#include <barrier>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "framework/distributed/communicator.hpp"

namespace helmholtz::testing {

class ThreadJob {
 public:
  explicit ThreadJob(std::size_t ranks) : slots_(ranks), progress_(ranks), barrier_(static_cast<std::ptrdiff_t>(ranks)) {
    for (auto& p : progress_) p = 0.0;
  }

  class Rank final : public Communicator {
   public:
    Rank(ThreadJob& job, std::size_t rank) : job_(job), rank_(rank) {}
    std::size_t rank() const override { return rank_; }
    std::size_t size() const override { return job_.slots_.size(); }
    std::vector<double> gather(std::span<const double> mine) override {
      job_.slots_[rank_].assign(mine.begin(), mine.end());
      job_.barrier_.arrive_and_wait();
      std::vector<double> all;
      if (rank_ == 0)
        for (const auto& slot : job_.slots_) all.insert(all.end(), slot.begin(), slot.end());
      job_.barrier_.arrive_and_wait();
      return all;
    }
    void broadcast(std::span<double> values) override {
      if (rank_ == 0) job_.slots_[0].assign(values.begin(), values.end());
      job_.barrier_.arrive_and_wait();
      if (rank_ != 0) std::copy(job_.slots_[0].begin(), job_.slots_[0].end(), values.begin());
      job_.barrier_.arrive_and_wait();
    }
    void sum(std::span<double> values) override {
      job_.slots_[rank_].assign(values.begin(), values.end());
      job_.barrier_.arrive_and_wait();
      for (std::size_t i = 0; i < values.size(); ++i) {
        double total = 0;
        for (const auto& slot : job_.slots_) total += slot[i];
        values[i] = total;
      }
      job_.barrier_.arrive_and_wait();
    }
    double combined_progress(double mine) override {
      job_.progress_[rank_] = mine;
      if (rank_ != 0) return mine;
      double total = 0;
      for (const auto& p : job_.progress_) total += p;
      return total / static_cast<double>(size());
    }
    void end_progress() override { job_.barrier_.arrive_and_wait(); }

   private:
    ThreadJob& job_;
    std::size_t rank_;
  };

 private:
  std::vector<std::vector<double>> slots_;
  std::vector<std::atomic<double>> progress_;
  std::barrier<> barrier_;
};

// Runs work(communicator) on `ranks` threads, one rank each; rethrows the first error.
// (A rank that throws while the others wait in a collective call would leave them waiting:
// tests keep errors out of the collective parts.)
inline void run_ranks(std::size_t ranks, const std::function<void(Communicator&)>& work) {
  ThreadJob job(ranks);
  std::vector<std::unique_ptr<ThreadJob::Rank>> communicators;
  for (std::size_t r = 0; r < ranks; ++r) communicators.push_back(std::make_unique<ThreadJob::Rank>(job, r));
  std::vector<std::exception_ptr> errors(ranks);
  std::vector<std::thread> threads;
  for (std::size_t r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      try {
        work(*communicators[r]);
      } catch (...) {
        errors[r] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace helmholtz::testing
