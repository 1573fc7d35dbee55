#include "framework/io/assemblies_file.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <string_view>

#include "framework/error.hpp"
#include "framework/io/text_lines.hpp"

namespace helmholtz {
namespace {

// The same bound as a spike file's channels: a larger channel could not be a column of data.
constexpr std::uint64_t max_channel = 999999999;

// How many channels there are, for a message: "there are 16 channels" or "node 'c' of m.yaml has 16 channels".
std::string channel_count(std::size_t channels, const std::string& owner) {
  return (owner.empty() ? "there are " : owner + " has ") + std::to_string(channels) + " channels";
}

std::size_t parse_channel(std::string_view text, const Where& where, std::optional<std::size_t> channels,
                          const std::string& owner) {
  std::uint64_t channel = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), channel);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || channel > max_channel)
    fail(where, "channel is '" + std::string(text) + "', but must be a whole number from 0 to " +
                    std::to_string(max_channel));
  if (channels && channel >= *channels)
    fail(where, "channel " + std::to_string(channel) + " is out of range: " + channel_count(*channels, owner) + ", 0.." +
                    std::to_string(*channels - 1));
  return static_cast<std::size_t>(channel);
}

// The channels of one line (before its comment), or none for a blank line.
std::vector<std::size_t> parse_line(std::string_view line, const Where& where, std::optional<std::size_t> channels,
                                    const std::string& owner) {
  line = line.substr(0, line.find('#'));
  std::vector<std::size_t> assembly;
  std::size_t i = 0;
  while ((i = line.find_first_not_of(" \t\r", i)) != std::string_view::npos) {
    const std::size_t end = std::min(line.find_first_of(" \t\r", i), line.size());
    const Where at{where.file, where.line, static_cast<int>(i) + 1, ""};
    const std::size_t channel = parse_channel(line.substr(i, end - i), at, channels, owner);
    if (std::find(assembly.begin(), assembly.end(), channel) != assembly.end())
      fail(at, "channel " + std::to_string(channel) + " is listed twice in this assembly");
    assembly.push_back(channel);
    i = end;
  }
  return assembly;
}

}  // namespace

AssembliesFile parse_assemblies(std::istream& in, const std::string& file, std::optional<std::size_t> channels,
                                const std::string& owner) {
  AssembliesFile out;
  out.file = file;
  std::string line;
  for (int number = 1; read_text_line(in, line, file, static_cast<std::size_t>(number)); ++number) {
    std::vector<std::size_t> assembly = parse_line(line, Where{file, number, 0, ""}, channels, owner);
    if (assembly.empty()) continue;
    out.assemblies.push_back(std::move(assembly));
    out.lines.push_back(number);
  }
  if (in.bad()) throw Error("cannot read assemblies file '" + file + "'");
  return out;
}

AssembliesFile read_assemblies(const std::string& file, std::optional<std::size_t> channels, const std::string& owner) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open assemblies file '" + file + "'");
  AssembliesFile out = parse_assemblies(in, file, channels, owner);
  if (out.assemblies.empty()) throw Error(file + ": no assemblies in the assemblies file");
  return out;
}

void write_assemblies(std::ostream& out, const std::vector<std::vector<std::size_t>>& assemblies) {
  for (const auto& assembly : assemblies) {
    for (std::size_t i = 0; i < assembly.size(); ++i) out << (i > 0 ? " " : "") << assembly[i];
    out << "\n";
  }
}

}  // namespace helmholtz
