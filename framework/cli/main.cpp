#include <iostream>
#include <string>
#include <vector>

#include "framework/cli/command.hpp"
#include "framework/processor.hpp"

int main(int argc, char** argv) {
  if (const std::string mismatch = helmholtz::processor_mismatch(); !mismatch.empty()) {
    std::cerr << "helmholtz: " << mismatch << "\n";
    return 1;
  }
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  const int status = helmholtz::cli::run_cli(args, std::cout, std::cerr);
  std::cout.flush();
  return status;
}
