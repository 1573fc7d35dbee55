#pragma once
// The processes one job runs on, as the engines see them. An engine given a Communicator
// does its share of the work on each rank and combines the shares with the collective calls
// below; every rank of the job must make the same collective calls in the same order. One
// process is a job of one rank (SingleProcess), and engines take that path when given none,
// so that the work is split in the same way, whatever the count of ranks.
//
// The MPI implementation (mpi_communicator.hpp) is built only when MPI is found; nothing here
// depends on it. Collective calls are made from the thread that started the job (MPI's
// "funneled" threading): engines call them from the calling thread only, never from workers.
#include <cstddef>
#include <span>
#include <vector>

namespace helmholtz {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual std::size_t rank() const = 0;  // 0 .. size() - 1
  virtual std::size_t size() const = 0;

  // Collective: every rank's values, concatenated in rank order, at rank 0; empty on the
  // others. The ranks may give different counts.
  virtual std::vector<double> gather(std::span<const double> mine) = 0;
  // Collective: rank 0's values into every rank's `values` (the same count on every rank).
  virtual void broadcast(std::span<double> values) = 0;
  // Collective: element-wise sum over the ranks into every rank's `values` (the same count on
  // every rank). Every rank gets the same bits; the order of the additions is the MPI
  // library's, fixed for a given count of ranks.
  virtual void sum(std::span<double> values) = 0;

  // Progress of collective work, for displays: each rank calls it with the fraction of its
  // own share done (from the thread that started the job, as often as it likes; it never
  // waits for the other ranks). Returns, on rank 0, the mean over the ranks of the latest
  // fraction each has reported; elsewhere `mine`.
  virtual double combined_progress(double mine) = 0;
  // Collective: the end of a piece of work whose progress was combined (after it, reports
  // from that piece can no longer arrive).
  virtual void end_progress() = 0;
};

// A job of one process: every collective call returns at once.
class SingleProcess final : public Communicator {
 public:
  std::size_t rank() const override { return 0; }
  std::size_t size() const override { return 1; }
  std::vector<double> gather(std::span<const double> mine) override { return {mine.begin(), mine.end()}; }
  void broadcast(std::span<double>) override {}
  void sum(std::span<double>) override {}
  double combined_progress(double mine) override { return mine; }
  void end_progress() override {}
};

}  // namespace helmholtz
