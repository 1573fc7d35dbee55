#include <iostream>
#include <streambuf>
#include <string>
#include <vector>

#include "framework/cli/command.hpp"
#include "framework/cli/job.hpp"
#include "framework/error.hpp"
#include "framework/processor.hpp"

namespace {

// Where the output of the ranks other than 0 goes: they compute what rank 0 prints.
class Discard final : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize count) override { return count; }
};

}  // namespace

int main(int argc, char** argv) {
  if (const std::string mismatch = helmholtz::processor_mismatch(); !mismatch.empty()) {
    std::cerr << "helmholtz: " << mismatch << "\n";
    return 1;
  }
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    const helmholtz::cli::JobScope job;  // an MPI job's rank, when a launcher started this
    Discard discard;
    std::ostream discarded(&discard);
    const bool main_rank = helmholtz::cli::is_main_rank();
    const int status = helmholtz::cli::run_cli(args, main_rank ? std::cout : discarded, main_rank ? std::cerr : discarded);
    std::cout.flush();
    return status;
  } catch (const helmholtz::Error& e) {
    std::cerr << "helmholtz: " << e.what() << "\n";
    return 1;
  }
}
