// Assemblies files (framework/io/assemblies_file.hpp): a group of channels per line.
// Facts checked: groups are read in file order with their channels as written, comments,
// blank lines and CRLF skipped, and the line of each group kept; what write_assemblies
// writes reads back the same; every mistake names the file, the line and the column,
// counted by hand; the generator's --planted groups are its planted assemblies.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <unistd.h>

#include "framework/datasets/dataset.hpp"
#include "framework/datasets/spikes.hpp"
#include "framework/error.hpp"
#include "framework/io/assemblies_file.hpp"

namespace helmholtz {
namespace {

using Groups = std::vector<std::vector<std::size_t>>;

AssembliesFile parse(const std::string& text, std::optional<std::size_t> channels = {}) {
  std::istringstream in(text);
  return parse_assemblies(in, "cells.txt", channels);
}

std::string error_of(const std::string& text, std::optional<std::size_t> channels = {}) {
  try {
    parse(text, channels);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST_CASE("assemblies file: a group per line in file order, comments, blank lines and CRLF skipped") {
  const AssembliesFile f = parse("# planted\n4 5 7 13\n\n  2\t9 12 14   # the second\r\n# done\n1\n");
  CHECK(f.assemblies == Groups{{4, 5, 7, 13}, {2, 9, 12, 14}, {1}});
  CHECK(f.lines == std::vector<int>{2, 4, 6});
  CHECK(f.file == "cells.txt");
  CHECK(parse("# nothing\n\n").assemblies.empty());
  // Overlapping groups are allowed; their order within a line is kept.
  CHECK(parse("3 1\n1 2\n", 4).assemblies == Groups{{3, 1}, {1, 2}});
}

TEST_CASE("assemblies file: what write_assemblies writes reads back the same") {
  const Groups groups = {{0, 3, 8, 10}, {2}, {15, 1}};
  std::ostringstream out;
  write_assemblies(out, groups);
  CHECK(out.str() == "0 3 8 10\n2\n15 1\n");
  CHECK(parse(out.str()).assemblies == groups);
}

TEST_CASE("assemblies file: a mistake names the file, the line and the column") {
  CHECK(error_of("0 1\n2 x3\n") == "cells.txt, line 2, column 3: channel is 'x3', but must be a whole number from 0 to 999999999");
  CHECK(error_of("0 -1\n") == "cells.txt, line 1, column 3: channel is '-1', but must be a whole number from 0 to 999999999");
  CHECK(error_of("# c\n1.5\n") == "cells.txt, line 2, column 1: channel is '1.5', but must be a whole number from 0 to 999999999");
  CHECK(error_of("1 2 1\n") == "cells.txt, line 1, column 5: channel 1 is listed twice in this assembly");
  CHECK(error_of("0 1\n\n15  16\n", 16) == "cells.txt, line 3, column 5: channel 16 is out of range: there are 16 channels, 0..15");
  CHECK(error_of("0 1\n\n15  16\n") == "no error");  // no bound without a channel count
  std::istringstream in("0 1\n9\n");
  CHECK_THROWS_WITH_AS(parse_assemblies(in, "cells.txt", 8, "node 'c' of m.yaml"),
                       "cells.txt, line 2, column 1: channel 9 is out of range: node 'c' of m.yaml has 8 channels, 0..7",
                       InputError);
}

TEST_CASE("read_assemblies refuses a missing file and a file without groups, naming it") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string missing = (dir / ("helmholtz_no_such_" + std::to_string(::getpid()) + ".assemblies")).string();
  CHECK_THROWS_WITH_AS(read_assemblies(missing), ("cannot open assemblies file '" + missing + "'").c_str(), Error);
  const std::string empty = (dir / ("helmholtz_empty_" + std::to_string(::getpid()) + ".assemblies")).string();
  { std::ofstream(empty) << "# none\n\n"; }
  CHECK_THROWS_WITH_AS(read_assemblies(empty), (empty + ": no assemblies in the assemblies file").c_str(), Error);
  std::filesystem::remove(empty);
}

TEST_CASE("the assemblies generator's planted groups are the assemblies it planted, for any seed") {
  const DatasetGenerator& g = builtin_datasets().get("assemblies");
  CHECK(g.plants_groups);
  std::map<std::string, double> values;
  for (const DatasetParameter& p : g.parameters) values[p.name] = p.default_value;
  values["assemblies"] = 3;
  values["unassigned-channels"] = 2;
  for (std::uint64_t seed : {1, 5, 9}) {
    Rng rng = make_rng(seed), same = make_rng(seed);
    const GeneratedData data = g.generate(50, rng, values);
    datasets::AssembliesOptions options;
    options.assemblies = 3;
    options.unassigned_channels = 2;
    const datasets::PlantedAssemblies planted = datasets::assemblies(50, same, options);
    CAPTURE(seed);
    CHECK(data.planted == planted.assemblies);
    CHECK(data.planted.size() == 3);
    CHECK(data.planted_description == "planted assemblies: 3 of 4 channels among 14, one per line, numbered from 0 as the columns");
  }
  CHECK_FALSE(builtin_datasets().get("bars").plants_groups);
}

}  // namespace
}  // namespace helmholtz
