#pragma once
// Assemblies files: groups of channels, one group per line, the channels as whole numbers
// from 0 (the columns of a data file) separated by spaces or tabs. `helmholtz data
// assemblies --planted FILE` writes the assemblies it planted this way, and `helmholtz probe
// --assemblies FILE` reads them back to check that a trained network found them:
//
//   # planted assemblies: 4 of 4 channels among 16, numbered from 0 as the columns; seed 5
//   4 5 7 13
//   2 9 12 14
//
// As in data files, '#' starts a comment and blank lines are skipped. A channel may belong to
// several groups (assemblies of real recordings may overlap), but only once to each.
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace helmholtz {

struct AssembliesFile {
  std::vector<std::vector<std::size_t>> assemblies;  // in the order of the file, channels as written
  std::vector<int> lines;                            // the line each assembly was read from
  std::string file;                                  // names the source in messages
};

// Reads the groups. `channels`, when given, is the number of channels: a channel >= channels
// is an InputError naming its line and column, and `owner` (e.g. "node 'channels' of
// trained.yaml") when given. Every mistake names `file`, the line and, for a bad field, its
// column. parse_assemblies returns no groups for a file without any; read_assemblies refuses
// it, and a file it cannot open.
AssembliesFile parse_assemblies(std::istream& in, const std::string& file, std::optional<std::size_t> channels = {},
                                const std::string& owner = "");
AssembliesFile read_assemblies(const std::string& file, std::optional<std::size_t> channels = {},
                               const std::string& owner = "");

// One line per group, its channels separated by single spaces (no comment line: the caller
// writes its own provenance above).
void write_assemblies(std::ostream& out, const std::vector<std::vector<std::size_t>>& assemblies);

}  // namespace helmholtz
