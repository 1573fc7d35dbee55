#include "framework/cli/job.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <vector>

#include "framework/error.hpp"
#ifdef HELMHOLTZ_WITH_MPI
#include "framework/distributed/mpi_communicator.hpp"
#endif

namespace helmholtz::cli {
namespace {

SingleProcess one_process;
Communicator* current = &one_process;
#ifdef HELMHOLTZ_WITH_MPI
std::unique_ptr<MpiCommunicator> mpi;
#endif
int collective_depth = 0;
bool failed_in_collective = false;  // an exception left a CollectiveWork

// How many processes an MPI launcher started: 1 when none did (no launcher's variables), 0
// when one did without saying how many (PMIx). Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE,
// srun --mpi=pmix sets PMIX_RANK (and Slurm SLURM_NTASKS), PMI-2 launchers PMI_SIZE.
std::size_t launched_processes() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* value = std::getenv(variable); value && *value) return std::strtoul(value, nullptr, 10);
  if (std::getenv("PMIX_RANK")) return 0;
  return 1;
}

std::string rank_list(const std::vector<std::size_t>& ranks, std::size_t size) {
  std::string out = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size(); ++i) out += (i ? ", " : "") + std::to_string(ranks[i]);
  return out + " of " + std::to_string(size);
}

#ifdef HELMHOLTZ_WITH_MPI
// Collective: every rank's outcome; rank 0 prints each distinct message once, naming the
// ranks that had it unless all did. Returns the largest status, on every rank.
int agree(int status, const std::string& message, std::ostream& err) {
  const std::vector<std::string> texts = mpi->gather_texts(message);
  std::vector<std::pair<std::string, std::vector<std::size_t>>> distinct;
  for (std::size_t r = 0; r < texts.size(); ++r) {
    if (texts[r].empty()) continue;
    auto same = std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first == texts[r]; });
    if (same == distinct.end()) distinct.push_back({texts[r], {r}});
    else same->second.push_back(r);
  }
  for (const auto& [text, ranks] : distinct)
    err << (ranks.size() == mpi->size() ? "" : "[" + rank_list(ranks, mpi->size()) + "] ") << text << "\n";
  return mpi->largest(status);
}
#endif

}  // namespace

JobScope::JobScope() {
  const std::size_t launched = launched_processes();
  if (launched == 1) return;
#ifdef HELMHOLTZ_WITH_MPI
  mpi = std::make_unique<MpiCommunicator>();
  current = mpi.get();
#else
  throw Error("an MPI launcher started this as one of " + (launched ? std::to_string(launched) : std::string("several")) +
              " processes, but this helmholtz was built without MPI: build it with Open MPI (Debian: libopenmpi-dev; "
              "CMake option HELMHOLTZ_MPI), or run it without mpirun");
#endif
}

JobScope::~JobScope() {
  current = &one_process;
#ifdef HELMHOLTZ_WITH_MPI
  mpi.reset();
#endif
}

Communicator& job_communicator() { return *current; }

std::string mpi_library() {
#ifdef HELMHOLTZ_WITH_MPI
  return mpi_library_version();
#else
  return "";
#endif
}

void job_ready() {
  if (job_ranks() == 1) return;
#ifdef HELMHOLTZ_WITH_MPI
  if (const int status = agree(0, "", std::cerr); status != 0) throw JobStopped{status};
#endif
}

std::string on_ranks() { return job_ranks() > 1 ? " on " + std::to_string(job_ranks()) + " ranks" : ""; }

double rank_0_value(double value) {
  job_communicator().broadcast({&value, 1});
  return value;
}

CollectiveWork::CollectiveWork() : exceptions_(std::uncaught_exceptions()) { ++collective_depth; }

CollectiveWork::~CollectiveWork() {
  --collective_depth;
  if (std::uncaught_exceptions() > exceptions_) failed_in_collective = true;
}

int conclude_job(int status, const std::string& message, std::ostream& err) {
  const bool in_collective = collective_depth > 0 || failed_in_collective;
  failed_in_collective = false;
  if (job_ranks() == 1) {
    if (!message.empty()) err << message << "\n";
    return status;
  }
#ifdef HELMHOLTZ_WITH_MPI
  if (in_collective && status != 0) {
    // The other ranks may be waiting for this one in a collective call: nothing can be agreed
    // on, so the whole job ends here (the launcher then reports which rank stopped it).
    std::cerr << (message.empty() ? "helmholtz: failed" : message) << " [" << rank_list({mpi->rank()}, mpi->size())
              << "; stopping every rank]" << std::endl;
    mpi->abort(status);
  }
  return agree(status, message, err);
#else
  (void)in_collective;
  return status;
#endif
}

}  // namespace helmholtz::cli
