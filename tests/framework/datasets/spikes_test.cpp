// Spike recordings as data, and the generator of recordings with planted assemblies.
// Facts checked:
//   bin_spikes puts a spike at time t in bin floor(t / w) (an edge k w in bin k, also for
//   decimal edges such as 0.3 with w = 0.1), whatever the order of the lines; a bin holds
//   a single 1 for a channel however many times it spiked; empty bins are rows of 0; the last
//   row is the bin of the last spike; expected matrices are written out by hand;
//   every mistake in a spike file is an InputError whose message names the file, the line and
//   (for a bad field) its column, counted by hand; an empty recording, a bad bin width and
//   a binning too large are refused;
//   assemblies: the same seed gives the same data; the planted assemblies are disjoint, of
//   the asked size, and are the ones used: without noise every pattern is exactly the union
//   of the active assemblies, and with the default noise channels of one assembly fire
//   together at the rate a f^2 + (1 - a) b^2 worked out from the parameters, channels of
//   different assemblies at the product of their rates, many times less.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "framework/datasets/spikes.hpp"
#include "framework/error.hpp"

namespace helmholtz::datasets {
namespace {

namespace fs = std::filesystem;

SpikeRecording parse(const std::string& text, std::optional<std::size_t> channels = {}) {
  std::istringstream in(text);
  return parse_spikes(in, "rec.txt", channels);
}

ByteMatrix binned(const std::string& text, double width, std::optional<std::size_t> channels = {}) {
  return bin_spikes(parse(text, channels), width);
}

// The rows of a byte matrix as strings of '0' and '1', to compare with rows written by hand.
std::vector<std::string> rows_of(const ByteMatrix& m) {
  std::vector<std::string> rows;
  for (std::size_t r = 0; r < m.shape(0); ++r) {
    std::string row;
    for (std::size_t c = 0; c < m.shape(1); ++c) row += m(r, c) != 0 ? '1' : '0';
    rows.push_back(row);
  }
  return rows;
}

// The message of the InputError that parsing `text` throws.
std::string error_of(const std::string& text, std::optional<std::size_t> channels = {}) {
  try {
    parse(text, channels);
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected an InputError, got: " << e.what());
  }
  FAIL("the recording was accepted, but it has a mistake");
  return "";
}

// The message of the Error that `f` throws.
template <class F>
std::string error_message(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("accepted, but should have been refused");
  return "";
}

struct TemporaryDirectory {
  fs::path path;
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "helmholtz-spikes-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string file = (path / name).string();
    std::ofstream(file) << text;
    return file;
  }
};

// ---------------------------------------------------------------------------------------
// Binning

TEST_CASE("binning: edges, empty bins, unsorted lines, repeated spikes, the last bin") {
  // Bins of 10: [0, 10) [10, 20) [20, 30) [30, 40). Channels 0..2 (the largest is 2).
  const std::string recording =
      "# channel time\n"
      "2 30        # the edge of bin 3, and the last spike\n"
      "0 12.5\n"
      "\n"
      "1 9.999     # just before the edge of bin 1\n"
      "0 10        # the edge of bin 1\n"
      "0 0         # the edge of bin 0\n"
      "0 19.9      # channel 0 a third time in bin 1: still one 1\n"
      "\t1\t30.0\r\n";  // a tab-separated CRLF line, bin 3; bin 2 has no spike
  const ByteMatrix m = binned(recording, 10);
  CHECK(m.shape(1) == 3);
  CHECK(rows_of(m) == std::vector<std::string>{"110", "100", "000", "011"});
}

TEST_CASE("binning: a spike at a decimal bin edge belongs to the bin that starts there") {
  // In binary floating point 0.3 / 0.1 is 2.9999999999999996, 0.145 / 0.005 is
  // 28.999999999999996 and 0.043 / 0.001 is 42.99999999999999, but as typed these times are
  // the edges of bins 3, 29 and 43: the last row of each binning is that bin.
  REQUIRE(std::floor(0.3 / 0.1) == 2);
  REQUIRE(std::floor(0.145 / 0.005) == 28);
  REQUIRE(std::floor(0.043 / 0.001) == 42);
  CHECK(rows_of(binned("0 0.3\n", 0.1)) == std::vector<std::string>{"0", "0", "0", "1"});
  CHECK(binned("0 0.145\n", 0.005).shape(0) == 30);
  CHECK(binned("0 0.043\n", 0.001).shape(0) == 44);
  // Just before an edge, in the 7th significant digit: still the bin before.
  CHECK(rows_of(binned("0 0.2999999\n", 0.1)) == std::vector<std::string>{"0", "0", "1"});
  // Times in scientific notation and with a '+' are numbers like any other.
  CHECK(rows_of(binned("1 1.5e1\n+0 +5\n", 10)) == std::vector<std::string>{"10", "01"});
}

TEST_CASE("binning: channels gives the number of columns, silent channels as columns of 0") {
  const ByteMatrix m = binned("1 0.5\n1 1.5\n", 1, 4);
  CHECK(rows_of(m) == std::vector<std::string>{"0100", "0100"});
}

TEST_CASE("binning: the conformance example, two bins of two channels") {
  CHECK(rows_of(binned("0 0.5\n1 12\n", 10, 2)) == std::vector<std::string>{"10", "01"});
}

// ---------------------------------------------------------------------------------------
// Mistakes

TEST_CASE("a mistake in a spike file names the file, the line and the field") {
  struct Case {
    std::string text;
    std::optional<std::size_t> channels;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"0 1\n1 2\n5 3\n", 2, "rec.txt, line 3, column 1: channel 5 is out of range: --channels 2 gives channels 0..1"},
      {"2 0\n", 2, "rec.txt, line 1, column 1: channel 2 is out of range: --channels 2 gives channels 0..1"},
      {"# c\n  -1 3\n", {}, "rec.txt, line 2, column 3: channel is '-1', but must be a whole number from 0 to 999999999"},
      {"1.5 3\n", {}, "rec.txt, line 1, column 1: channel is '1.5', but must be a whole number from 0 to 999999999"},
      {"x 3\n", {}, "rec.txt, line 1, column 1: channel is 'x', but must be a whole number from 0 to 999999999"},
      {"1000000000 3\n", {},
       "rec.txt, line 1, column 1: channel is '1000000000', but must be a whole number from 0 to 999999999"},
      {"0 1\n0 -2\n", {}, "rec.txt, line 2, column 3: time is '-2', but must be >= 0"},
      {"0 nan\n", {}, "rec.txt, line 1, column 3: time is 'nan', but must be finite"},
      {"0\tinf\n", {}, "rec.txt, line 1, column 3: time is 'inf', but must be finite"},
      {"0 -inf\n", {}, "rec.txt, line 1, column 3: time is '-inf', but must be finite"},
      {"0 1e999\n", {}, "rec.txt, line 1, column 3: time is '1e999', but must be a number"},
      {"0 abc\n", {}, "rec.txt, line 1, column 3: time is 'abc', but must be a number"},
      {"0 1,5\n", {}, "rec.txt, line 1, column 3: time is '1,5', but must be a number"},
      {"0 1\n3   # no time\n", {}, "rec.txt, line 2: the time is missing: a spike is written 'channel time'"},
      {"0 1 2\n", {}, "rec.txt, line 1, column 5: unexpected field '2' after the time: a spike is written 'channel time'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(error_of(c.text, c.channels) == c.message);
  }
}

TEST_CASE("the line of a mistake is counted with comments, blank lines and CRLF line ends") {
  CHECK(error_of("# header\r\n\r\n0 1\r\n1 two\r\n") == "rec.txt, line 4, column 3: time is 'two', but must be a number");
}

TEST_CASE("read_spikes refuses a missing file and a recording without spikes, naming the file") {
  TemporaryDirectory dir;
  const std::string missing = (dir.path / "missing.txt").string();
  CHECK(error_message([&] { read_spikes(missing); }) == "cannot open spike file '" + missing + "'");
  for (const std::string contents : {"", "# only a comment\n\n  \n"}) {
    CAPTURE(contents);
    const std::string empty = dir.write("empty.txt", contents);
    CHECK(error_message([&] { read_spikes(empty); }) == empty + ": no spikes in the spike file");
  }
  const std::string good = dir.write("good.txt", "1 0.5\n");
  const SpikeRecording recording = read_spikes(good);
  CHECK(recording.channels == 2);
  CHECK(recording.file == good);
  // A mistake read from a file names that file.
  const std::string bad = dir.write("bad.txt", "0 1\n0 1 2\n");
  CHECK(error_message([&] { read_spikes(bad); }).rfind(bad + ", line 2, column 5: ", 0) == 0);
}

TEST_CASE("bin_spikes refuses a bin width that is not a finite number > 0") {
  const SpikeRecording recording = parse("0 1\n");
  for (double width : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    CAPTURE(width);
    const std::string message = error_message([&] { bin_spikes(recording, width); });
    CHECK(message.find("the bin width is ") == 0);
    CHECK(message.find(", but must be a finite number > 0") != std::string::npos);
  }
}

TEST_CASE("bin_spikes refuses an empty recording and one that would make too many entries") {
  SpikeRecording empty;
  empty.file = "rec.txt";
  CHECK(error_message([&] { bin_spikes(empty, 1); }) == "rec.txt: no spikes to bin");
  // 1000 / 1e-6 = 1e9 bins of 2 channels: 2e9 entries, twice the limit.
  CHECK(error_message([&] { bin_spikes(parse("0 1000\n1 0\n"), 1e-6); }) ==
        "rec.txt: bins of 1e-06 make 1000000001 patterns of 2 channels, more than the 1000000000 entries allowed: "
        "choose a wider bin");
  // A quotient too large for any integer is refused the same way, not converted.
  CHECK(error_message([&] { bin_spikes(parse("0 1e300\n"), 1e-300); }).find("inf patterns of 1 channels") !=
        std::string::npos);
  // Below the limit the bins are made: 100000 bins of one channel.
  CHECK(bin_spikes(parse("0 99999\n"), 1).shape(0) == 100000);
}

TEST_CASE("bin_spikes checks recordings built in code") {
  SpikeRecording r;
  r.channels = 2;
  r.spikes = {{2, 1.0}};
  CHECK(error_message([&] { bin_spikes(r, 1); }) == "channel 2 is out of range: the recording has 2 channels");
  r.spikes = {{0, -1.0}};
  CHECK(error_message([&] { bin_spikes(r, 1); }) == "a spike time is -1, but must be a finite number >= 0");
}

// ---------------------------------------------------------------------------------------
// Planted assemblies

bool same(const Matrix& a, const Matrix& b) {
  if (a.shape(0) != b.shape(0) || a.shape(1) != b.shape(1)) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a.data()[i] != b.data()[i]) return false;
  return true;
}

TEST_CASE("assemblies: the same seed gives the same data and assemblies, another seed others") {
  Rng a = make_rng(7), b = make_rng(7), c = make_rng(8);
  const PlantedAssemblies first = assemblies(500, a), again = assemblies(500, b), other = assemblies(500, c);
  CHECK(same(first.patterns, again.patterns));
  CHECK(same(first.active, again.active));
  CHECK(first.assemblies == again.assemblies);
  CHECK(!same(first.patterns, other.patterns));
  CHECK(first.assemblies != other.assemblies);  // the membership is drawn from the seed too
}

TEST_CASE("assemblies: by default 16 channels in 4 disjoint assemblies of 4, drawn before the bins") {
  Rng rng = make_rng(3);
  const PlantedAssemblies planted = assemblies(10, rng);
  CHECK(planted.patterns.shape(1) == 16);
  CHECK(planted.active.shape(1) == 4);
  REQUIRE(planted.assemblies.size() == 4);
  std::set<std::size_t> seen;
  for (const auto& assembly : planted.assemblies) {
    CHECK(assembly.size() == 4);
    for (std::size_t c : assembly) {
      CHECK(c < 16);
      CHECK(seen.insert(c).second);  // no channel in two assemblies
    }
  }
  CHECK(seen.size() == 16);
  // The assemblies depend on the seed only, not on the number of bins.
  Rng longer = make_rng(3);
  CHECK(assemblies(1000, longer).assemblies == planted.assemblies);
}

TEST_CASE("assemblies: without noise, every pattern is the union of the active assemblies returned") {
  AssembliesOptions options;
  options.assemblies = 3;
  options.assembly_size = 5;
  options.unassigned_channels = 2;
  options.assembly_probability = 0.3;
  options.member_probability = 1.0;
  options.background_probability = 0.0;
  Rng rng = make_rng(11);
  const PlantedAssemblies planted = assemblies(2000, rng, options);
  REQUIRE(planted.patterns.shape(1) == 17);
  std::size_t active_count = 0;
  for (std::size_t n = 0; n < 2000; ++n) {
    std::vector<double> expected(17, 0.0);
    for (std::size_t a = 0; a < 3; ++a) {
      if (planted.active(n, a) == 0.0) continue;
      ++active_count;
      for (std::size_t c : planted.assemblies[a]) expected[c] = 1.0;
    }
    for (std::size_t c = 0; c < 17; ++c) CHECK(planted.patterns(n, c) == expected[c]);
  }
  // 6000 draws at 0.3: mean 1800, standard deviation 35.
  CHECK(std::abs(static_cast<double>(active_count) - 1800.0) < 6 * 35.0);
}

TEST_CASE("assemblies: channels of one assembly fire together far more often than channels of two") {
  const double a = default_assembly_probability, m = default_member_probability, b = default_background_probability;
  const double f = 1 - (1 - m) * (1 - b);        // a member of an active assembly is on
  const double rate = a * f + (1 - a) * b;       // a channel of an assembly is on
  const double within = a * f * f + (1 - a) * b * b;  // 0.0817
  const double across = rate * rate;                  // 0.0117
  const std::size_t bins = 20000;
  Rng rng = make_rng(2024);
  const PlantedAssemblies planted = assemblies(bins, rng);
  std::vector<std::size_t> assembly_of(16);
  for (std::size_t k = 0; k < planted.assemblies.size(); ++k)
    for (std::size_t c : planted.assemblies[k]) assembly_of[c] = k;

  double lowest_within = 1, highest_across = 0;
  for (std::size_t i = 0; i < 16; ++i)
    for (std::size_t j = i + 1; j < 16; ++j) {
      double together = 0;
      for (std::size_t n = 0; n < bins; ++n) together += planted.patterns(n, i) * planted.patterns(n, j);
      const double observed = together / bins;
      const double expected = assembly_of[i] == assembly_of[j] ? within : across;
      // Binomial standard error of a rate p over 20000 bins: at most 0.002 here; 6 of them
      // over 120 pairs leaves a false alarm once in millions of runs.
      CAPTURE(i);
      CAPTURE(j);
      CHECK(std::abs(observed - expected) < 6 * std::sqrt(expected * (1 - expected) / bins));
      if (assembly_of[i] == assembly_of[j]) lowest_within = std::min(lowest_within, observed);
      else highest_across = std::max(highest_across, observed);
    }
  CHECK(lowest_within > 4 * highest_across);
}

TEST_CASE("assemblies: a probability outside [0, 1] is refused") {
  AssembliesOptions options;
  options.member_probability = 1.5;
  Rng rng = make_rng(1);
  CHECK(error_message([&] { assemblies(5, rng, options); }) ==
        "assemblies: member_probability is 1.5, but must be in [0, 1]");
}

}  // namespace
}  // namespace helmholtz::datasets
