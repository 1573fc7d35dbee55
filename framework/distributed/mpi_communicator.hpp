#pragma once
// The Communicator of an MPI job (Open MPI, or any MPI-3 library): the processes mpirun or
// srun started, MPI_COMM_WORLD. Built only when CMake finds MPI (HELMHOLTZ_MPI); nothing
// else in the framework depends on it. MPI is joined with MPI_THREAD_FUNNELED: only the
// thread that joined makes MPI calls, which is how engines make collective calls.
#include <memory>
#include <string>
#include <vector>

#include "framework/distributed/communicator.hpp"

namespace helmholtz {

class MpiCommunicator final : public Communicator {
 public:
  // Joins the job (MPI_Init_thread); the destructor leaves it (MPI_Finalize).
  MpiCommunicator();
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  std::size_t rank() const override { return rank_; }
  std::size_t size() const override { return size_; }
  std::vector<double> gather(std::span<const double> mine) override;
  void broadcast(std::span<double> values) override;
  void sum(std::span<double> values) override;
  double combined_progress(double mine) override;
  void end_progress() override;

  // Collective: every rank's text at rank 0 (in rank order; empty elsewhere), and the
  // largest of the ranks' numbers on every rank.
  std::vector<std::string> gather_texts(const std::string& mine);
  int largest(int mine);
  // Ends every process of the job with this exit status (MPI_Abort); does not return.
  [[noreturn]] void abort(int status);

 private:
  struct Handles;
  std::unique_ptr<Handles> handles_;
  std::size_t rank_ = 0, size_ = 1;
  std::vector<double> latest_;  // rank 0: each rank's latest progress
  double sending_ = 0;          // the value of the progress message in flight
  bool in_flight_ = false;
};

// "Open MPI v4.1.4", from MPI_Get_library_version, for --version.
std::string mpi_library_version();

}  // namespace helmholtz
