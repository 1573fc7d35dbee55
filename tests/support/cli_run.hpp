#pragma once
// What the CLI tests share: running a command through run_cli with its output captured, and
// reading a file back whole.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "framework/cli/command.hpp"

namespace helmholtz {

struct Run {
  int status;
  std::string out, err;
};

inline Run run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int status = cli::run_cli(args, out, err);
  return {status, out.str(), err.str()};
}

inline std::string slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace helmholtz
