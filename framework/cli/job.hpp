#pragma once
// The job a command runs in: one process, or one rank of an MPI job that mpirun or srun
// started (docs/distributed.md). Commands that split their work over the ranks (exact,
// evaluate, train --batch-size) read and check their input on every rank, call job_ready(),
// and do the collective work inside a CollectiveWork; every rank gets the same results, rank
// 0 prints them and writes the files. Other commands are refused in a job of several ranks.
//
// Errors: an error before job_ready() is agreed on by all ranks (rank 0 prints each distinct
// message once, naming the ranks when not all had it), and the job exits with it. An error
// inside CollectiveWork cannot be agreed on (the other ranks may be waiting in a collective
// call): its rank prints it and ends the whole job (MPI_Abort), so that nothing waits forever.
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>

#include "framework/distributed/communicator.hpp"

namespace helmholtz::cli {

// Started once, by main(), before anything else: under an MPI launcher (mpirun, srun) it
// joins the job (MPI_Init) and ends it when destroyed (MPI_Finalize); otherwise nothing.
// Throws Error if a launcher started several ranks but this build has no MPI.
class JobScope {
 public:
  JobScope();
  ~JobScope();
  JobScope(const JobScope&) = delete;
  JobScope& operator=(const JobScope&) = delete;
};

// The job of this process (a SingleProcess when no JobScope joined an MPI job).
Communicator& job_communicator();
inline std::size_t job_ranks() { return job_communicator().size(); }
// Rank 0 (or the one process): it prints the results and writes the files.
inline bool is_main_rank() { return job_communicator().rank() == 0; }

// Thrown by job_ready() on the ranks that were ready when another was not; that rank's
// error is printed by rank 0, and the job exits with its status.
struct JobStopped {
  int status;
};

// Collective: called by every rank once its input is read and checked, before the first
// collective call. Throws JobStopped if some rank failed before reaching it.
void job_ready();

// " on 4 ranks" in a job of several ranks, else "": for the names of progress displays.
std::string on_ranks();

// Collective: rank 0's value, on every rank (for decisions taken from a measured time).
double rank_0_value(double value);

// While one exists, this rank is in collective work (see above).
class CollectiveWork {
 public:
  CollectiveWork();
  ~CollectiveWork();
  CollectiveWork(const CollectiveWork&) = delete;
  CollectiveWork& operator=(const CollectiveWork&) = delete;

 private:
  int exceptions_;  // std::uncaught_exceptions() when it began: more at its end is a failure
};

// The MPI library this program was built with ("Open MPI v4.1.4"), or "" without MPI.
std::string mpi_library();

// For run_cli: how a command's outcome is reported. One process: `message` (if any) on err,
// and `status` is returned. In a job: inside collective work, this rank prints `message`
// (naming its rank) and aborts the job with `status`; otherwise every rank agrees (rank 0
// prints the distinct messages) and all return the largest status.
int conclude_job(int status, const std::string& message, std::ostream& err);

}  // namespace helmholtz::cli
