#include "framework/distributed/mpi_communicator.hpp"

#include <mpi.h>

#include <cstdlib>
#include <limits>
#include <numeric>

#include "framework/error.hpp"

namespace helmholtz {
namespace {

// Progress messages travel on a communicator of their own, so that they can never be
// matched by anything else.
constexpr int progress_tag = 1;
// The last progress message of a piece of work: no more follow from that rank.
constexpr double progress_end = -1.0;

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

int as_int(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error(std::string(what) + ": " + std::to_string(n) + " values are more than one MPI message holds");
  return static_cast<int>(n);
}

}  // namespace

struct MpiCommunicator::Handles {
  MPI_Comm work = MPI_COMM_NULL;
  MPI_Comm progress = MPI_COMM_NULL;
  MPI_Request sending = MPI_REQUEST_NULL;
};

MpiCommunicator::MpiCommunicator() : handles_(std::make_unique<Handles>()) {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw Error("the MPI library does not allow threads beside MPI (MPI_THREAD_FUNNELED)");
  }
  check(MPI_Comm_dup(MPI_COMM_WORLD, &handles_->work), "MPI_Comm_dup");
  check(MPI_Comm_dup(MPI_COMM_WORLD, &handles_->progress), "MPI_Comm_dup");
  int rank = 0, size = 1;
  MPI_Comm_rank(handles_->work, &rank);
  MPI_Comm_size(handles_->work, &size);
  rank_ = static_cast<std::size_t>(rank);
  size_ = static_cast<std::size_t>(size);
  latest_.assign(size_, 0.0);
}

MpiCommunicator::~MpiCommunicator() {
  if (handles_->sending != MPI_REQUEST_NULL) MPI_Wait(&handles_->sending, MPI_STATUS_IGNORE);
  MPI_Comm_free(&handles_->progress);
  MPI_Comm_free(&handles_->work);
  MPI_Finalize();
}

std::vector<double> MpiCommunicator::gather(std::span<const double> mine) {
  const int count = as_int(mine.size(), "gather");
  std::vector<int> counts(rank_ == 0 ? size_ : 0), offsets(counts.size());
  check(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, handles_->work), "MPI_Gather");
  std::vector<double> all;
  if (rank_ == 0) {
    std::size_t total = 0;
    for (std::size_t r = 0; r < size_; ++r) {
      offsets[r] = as_int(total, "gather");
      total += static_cast<std::size_t>(counts[r]);
    }
    as_int(total, "gather");
    all.resize(total);
  }
  check(MPI_Gatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0,
                    handles_->work),
        "MPI_Gatherv");
  return all;
}

void MpiCommunicator::broadcast(std::span<double> values) {
  check(MPI_Bcast(values.data(), as_int(values.size(), "broadcast"), MPI_DOUBLE, 0, handles_->work), "MPI_Bcast");
}

void MpiCommunicator::sum(std::span<double> values) {
  // A reduction to rank 0 and a broadcast of its result, rather than MPI_Allreduce, whose
  // ranks the standard does not promise the same bits.
  const int count = as_int(values.size(), "sum");
  check(MPI_Reduce(rank_ == 0 ? MPI_IN_PLACE : values.data(), values.data(), count, MPI_DOUBLE, MPI_SUM, 0,
                   handles_->work),
        "MPI_Reduce");
  check(MPI_Bcast(values.data(), count, MPI_DOUBLE, 0, handles_->work), "MPI_Bcast");
}

double MpiCommunicator::combined_progress(double mine) {
  if (rank_ != 0) {
    // One message in flight at a time: a report made while the last one has not left is
    // dropped, as a newer one will follow.
    if (in_flight_) {
      int done = 0;
      MPI_Test(&handles_->sending, &done, MPI_STATUS_IGNORE);
      if (!done) return mine;
    }
    sending_ = mine;
    check(MPI_Isend(&sending_, 1, MPI_DOUBLE, 0, progress_tag, handles_->progress, &handles_->sending), "MPI_Isend");
    in_flight_ = true;
    return mine;
  }
  latest_[0] = mine;
  for (;;) {
    int waiting = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, progress_tag, handles_->progress, &waiting, &status);
    if (!waiting) break;
    double fraction = 0;
    MPI_Recv(&fraction, 1, MPI_DOUBLE, status.MPI_SOURCE, progress_tag, handles_->progress, MPI_STATUS_IGNORE);
    if (fraction != progress_end) latest_[static_cast<std::size_t>(status.MPI_SOURCE)] = fraction;
  }
  return std::accumulate(latest_.begin(), latest_.end(), 0.0) / static_cast<double>(size_);
}

void MpiCommunicator::end_progress() {
  if (rank_ != 0) {
    if (in_flight_) MPI_Wait(&handles_->sending, MPI_STATUS_IGNORE);
    sending_ = progress_end;
    check(MPI_Send(&sending_, 1, MPI_DOUBLE, 0, progress_tag, handles_->progress), "MPI_Send");
    in_flight_ = false;
    return;
  }
  // Every rank's reports up to its end mark (a rank's messages arrive in the order sent).
  for (std::size_t r = 1; r < size_; ++r)
    for (double fraction = 0; fraction != progress_end;)
      MPI_Recv(&fraction, 1, MPI_DOUBLE, static_cast<int>(r), progress_tag, handles_->progress, MPI_STATUS_IGNORE);
  latest_.assign(size_, 0.0);
}

std::vector<std::string> MpiCommunicator::gather_texts(const std::string& mine) {
  std::vector<double> bytes(mine.begin(), mine.end());  // one character per value: texts are short
  bytes.insert(bytes.begin(), static_cast<double>(mine.size()));
  const std::vector<double> all = gather(bytes);
  std::vector<std::string> texts;
  for (std::size_t at = 0; at < all.size();) {
    const auto length = static_cast<std::size_t>(all[at]);
    std::string text;
    for (std::size_t i = 0; i < length; ++i) text += static_cast<char>(all[at + 1 + i]);
    texts.push_back(std::move(text));
    at += 1 + length;
  }
  return texts;
}

int MpiCommunicator::largest(int mine) {
  int out = mine;
  check(MPI_Allreduce(&mine, &out, 1, MPI_INT, MPI_MAX, handles_->work), "MPI_Allreduce");
  return out;
}

void MpiCommunicator::abort(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::_Exit(status);  // MPI_Abort does not return; should a library's do so, end anyway
}

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string out(text, static_cast<std::size_t>(length));
  if (const auto end = out.find_first_of(",\n"); end != std::string::npos) out.resize(end);
  return out;
}

}  // namespace helmholtz
