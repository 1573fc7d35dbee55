// `-` as a data file: the patterns are read from standard input, by every command that reads
// data, through the built program with its standard input fed by the shell (a pipe, or a
// redirected file, which can be sought in).
// Facts checked:
//   each command gives from `-` exactly what it gives from the same patterns in a file (the
//   JSON of exact, evaluate and probe, the PNG of render, the model file train writes, the
//   learning curve of train --validation), the data's name aside;
//   every data-file mistake read from `-` is reported as from a file, with `standard input`
//   where the file's name would be (`standard input, line 2, column 3: ...`), exit status 1,
//   for each command and each of train's two inputs; the limit on a data file's values applies;
//   a run trained on `-` records `data: "-"`, `check` shows it as standard input, and it
//   resumes from `-` (or from the file) bit for bit as one longer run, the checksum refusing
//   other patterns;
//   train refuses `-` for both --data and --validation (exit status 2) before reading anything.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "tests/support/cli_run.hpp"
#include "tests/support/run_program.hpp"

namespace helmholtz {
namespace {

namespace fs = std::filesystem;

// A folder holding models/tiny.yaml as tiny.yaml (4 observed units), 200 patterns sampled from
// it as train.data, 50 more as valid.data, and data files with a mistake on line 2.
struct Folder {
  ScratchFolder scratch;
  Folder() {
    fs::copy_file(HELMHOLTZ_SOURCE_DIR "/models/tiny.yaml", scratch.path / "tiny.yaml");
    scratch.write("train.data", sh("helmholtz sample tiny.yaml -n 200 --seed 1").out);
    scratch.write("valid.data", sh("helmholtz sample tiny.yaml -n 50 --seed 2").out);
    scratch.write("bad-char.data", "1010\n01x0\n");
    scratch.write("too-short.data", "1010\n011\n");
  }
  ProgramRun sh(const std::string& line) const {
    const ProgramRun r = run_shell_line(line, scratch.path);
    INFO(line << "\nstderr: " << r.err);
    return r;
  }
  std::string read(const std::string& name) const { return slurp(scratch.file(name)); }
};

// `text` with every `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// A learning curve without its seconds column (the second), which the clock decides.
std::string without_seconds(const std::string& csv) {
  std::string rows;
  for (std::size_t start = 0; start < csv.size();) {
    const std::size_t end = csv.find('\n', start);
    const std::string line = csv.substr(start, end - start);
    const std::size_t first = line.find(','), second = line.find(',', first + 1);
    rows += line.substr(0, first) + line.substr(second) + "\n";
    start = end + 1;
  }
  return rows;
}

const std::string bad_char = "standard input, line 2, column 3: unexpected character 'x' (patterns are written with 0 and 1)";
const std::string too_short = "standard input, line 2: pattern has 3 units, but the observed nodes have 4";

TEST_CASE("exact --data -: the patterns of a pipe or a redirected file give the file's log-likelihoods") {
  const Folder f;
  const ProgramRun file = f.sh("helmholtz exact tiny.yaml --data train.data --json");
  REQUIRE(file.status == 0);
  CHECK(contains(file.out, "\"patterns\": 200"));
  const ProgramRun piped = f.sh("cat train.data | helmholtz exact tiny.yaml --data - --json");
  CHECK(piped.status == 0);
  CHECK(piped.out == file.out);
  const ProgramRun redirected = f.sh("helmholtz exact tiny.yaml --data - --json < train.data");
  CHECK(redirected.status == 0);
  CHECK(redirected.out == file.out);
  const ProgramRun table = f.sh("helmholtz exact tiny.yaml --data - < train.data");
  CHECK(table.status == 0);
  CHECK(table.out == replaced(f.sh("helmholtz exact tiny.yaml --data train.data").out,
                              "exact log-likelihood of train.data", "exact log-likelihood of standard input"));
}

TEST_CASE("exact --data -: every mistake is named 'standard input' with its line and column, as in a file") {
  const Folder f;
  ProgramRun r = f.sh("helmholtz exact tiny.yaml --data - < bad-char.data");
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz exact: " + bad_char + "\n");
  CHECK(f.sh("helmholtz exact tiny.yaml --data bad-char.data").err ==
        "helmholtz exact: bad-char.data, line 2, column 3: unexpected character 'x' (patterns are written with 0 and 1)\n");
  r = f.sh("cat too-short.data | helmholtz exact tiny.yaml --data -");
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz exact: " + too_short + "\n");
  r = f.sh("printf '1010\\n10101\\n' | helmholtz exact tiny.yaml --data -");
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz exact: standard input, line 2, column 5: pattern has more than 4 units, the width of the "
                 "observed nodes\n");
  r = f.sh("printf '# only a comment\\n\\n' | helmholtz exact tiny.yaml --data -");
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz exact: standard input: no patterns in the data file\n");
  r = f.sh("helmholtz exact tiny.yaml --data - < /dev/zero");  // refused at its first byte, never read whole
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz exact: standard input, line 1, column 1: unexpected byte 0x00 (patterns are written with 0 "
                 "and 1)\n");
  // The limit on a data file's values (docs/limits.md): 8 values are 2 patterns of 4 units.
  r = f.sh("HELMHOLTZ_MAX_DATA_VALUES=8; export HELMHOLTZ_MAX_DATA_VALUES; "
           "helmholtz exact tiny.yaml --data - < train.data");
  CHECK(r.status == 1);
  CHECK(r.err == "helmholtz exact: standard input, line 3: the data pass the limit of 8 values (patterns x units) "
                 "here, after 2 patterns of 4 units (raise it with HELMHOLTZ_MAX_DATA_VALUES=N; see docs/limits.md)\n");
}

TEST_CASE("evaluate --data -: the file's estimates, the data named '-' in JSON and 'standard input' in the table") {
  const Folder f;
  const ProgramRun file = f.sh("helmholtz evaluate tiny.yaml --data train.data --samples 20 --seed 3 --json");
  REQUIRE(file.status == 0);
  const ProgramRun piped = f.sh("cat train.data | helmholtz evaluate tiny.yaml --data - --samples 20 --seed 3 --json");
  CHECK(piped.status == 0);
  CHECK(piped.out == replaced(file.out, "\"data\": \"train.data\"", "\"data\": \"-\""));
  const ProgramRun table = f.sh("helmholtz evaluate tiny.yaml --data - --samples 20 --seed 3 < train.data");
  CHECK(table.status == 0);
  CHECK(table.out == replaced(f.sh("helmholtz evaluate tiny.yaml --data train.data --samples 20 --seed 3").out,
                              " on train.data (", " on standard input ("));
  const ProgramRun bad = f.sh("helmholtz evaluate tiny.yaml --data - < bad-char.data");
  CHECK(bad.status == 1);
  CHECK(bad.err == "helmholtz evaluate: " + bad_char + "\n");
}

TEST_CASE("train --data -: the model of the file's patterns, recorded as data \"-\", resumed from - as one longer run") {
  const Folder f;
  const std::string options = " --seed 4 --epochs 2 --quiet";
  REQUIRE(f.sh("helmholtz train tiny.yaml --data train.data -o file.yaml" + options).status == 0);
  const ProgramRun piped = f.sh("cat train.data | helmholtz train tiny.yaml --data - -o piped.yaml" + options);
  REQUIRE(piped.status == 0);
  const std::string record = f.read("piped.yaml");
  CHECK(contains(record, "\n  data: \"-\"\n"));  // quoted: a bare - would be a YAML list
  CHECK(replaced(record, "data: \"-\"", "data: train.data") == f.read("file.yaml"));
  CHECK(contains(f.sh("helmholtz check piped.yaml").out, "for 2 epochs, seed 4, on standard input\n"));

  // 2 epochs from -, then 1 more from - (or from the file): the 3 epochs of one run.
  REQUIRE(f.sh("helmholtz train tiny.yaml --data train.data -o three.yaml --seed 4 --epochs 3 --quiet").status == 0);
  const ProgramRun resumed = f.sh("helmholtz train piped.yaml --resume --data - --epochs 1 -o next.yaml --quiet < train.data");
  CHECK(resumed.status == 0);
  CHECK(replaced(f.read("next.yaml"), "data: \"-\"", "data: train.data") == f.read("three.yaml"));
  CHECK(f.sh("helmholtz train piped.yaml --resume --data train.data --epochs 1 -o next-file.yaml --quiet").status == 0);
  CHECK(f.read("next-file.yaml") == f.read("three.yaml"));

  // Other patterns on standard input are not the run's.
  const ProgramRun other = f.sh("helmholtz train piped.yaml --resume --data - --epochs 1 -o other.yaml < valid.data");
  CHECK(other.status == 1);
  CHECK(contains(other.err, "helmholtz train: --resume: standard input holds other patterns than the run being resumed "
                            "was trained on (standard input, checksum fnv1a64:"));
  CHECK(!fs::exists(f.scratch.path / "other.yaml"));

  const ProgramRun bad = f.sh("helmholtz train tiny.yaml --data - --seed 1 -o bad.yaml < too-short.data");
  CHECK(bad.status == 1);
  CHECK(bad.err == "helmholtz train: " + too_short + "\n");
}

TEST_CASE("train --validation -: the learning curve of the held-out file, its mistakes named standard input") {
  const Folder f;
  const std::string options = " --seed 5 --epochs 2 --quiet";
  REQUIRE(f.sh("helmholtz train tiny.yaml --data train.data --validation valid.data --log file.csv -o file.yaml" + options)
              .status == 0);
  const ProgramRun piped = f.sh("cat valid.data | helmholtz train tiny.yaml --data train.data --validation - "
                                "--log piped.csv -o piped.yaml" + options);
  REQUIRE(piped.status == 0);
  const std::string curve = without_seconds(f.read("piped.csv"));
  CHECK(curve == without_seconds(f.read("file.csv")));
  CHECK(contains(curve, "validation_log_likelihood"));
  CHECK(f.read("piped.yaml") == f.read("file.yaml"));  // validation data do not change training
  const ProgramRun bad = f.sh("helmholtz train tiny.yaml --data train.data --validation - --seed 1 -o bad.yaml < bad-char.data");
  CHECK(bad.status == 1);
  CHECK(bad.err == "helmholtz train: " + bad_char + "\n");
}

TEST_CASE("train --data - --validation -: refused, as standard input holds one input, before anything is read") {
  const Folder f;
  const ProgramRun r = f.sh("helmholtz train tiny.yaml --data - --validation - --seed 1 -o out.yaml < train.data");
  CHECK(r.status == 2);
  CHECK(r.err == "helmholtz train: --data and --validation are both '-', but standard input can be read only once; give "
                 "one of them as a file\n");
  CHECK(r.out.empty());
  CHECK(!fs::exists(f.scratch.path / "out.yaml"));
  // Before the model too: a model that does not exist is not what the message is about.
  CHECK(f.sh("helmholtz train nosuch.yaml --data - --validation - --seed 1 -o out.yaml < train.data").status == 2);
}

TEST_CASE("probe --data -: the file's read-out, a wrong count of labels and the data's mistakes name standard input") {
  const Folder f;
  REQUIRE(f.sh("helmholtz data shifter -n 200 --seed 6 --labels shifter.labels > shifter.data").status == 0);
  const std::string model = HELMHOLTZ_SOURCE_DIR "/models/shifter.yaml";
  const std::string probe = "helmholtz probe '" + model + "' --labels shifter.labels --node direction --samples 10 --json";
  const ProgramRun file = f.sh(probe + " --data shifter.data");
  REQUIRE(file.status == 0);
  const ProgramRun piped = f.sh("cat shifter.data | " + probe + " --data -");
  CHECK(piped.status == 0);
  CHECK(piped.out == file.out);
  const ProgramRun fewer = f.sh("head -n 51 shifter.data | " + probe + " --data -");  // a comment line and 50 patterns
  CHECK(fewer.status == 1);
  CHECK(fewer.err == "helmholtz probe: shifter.labels has 200 labels, standard input has 50 patterns\n");
  const ProgramRun bad = f.sh("printf '0101\\n' | " + probe + " --data -");
  CHECK(bad.status == 1);
  CHECK(bad.err == "helmholtz probe: standard input, line 1: pattern has 4 units, but the observed nodes have 32\n");
}

TEST_CASE("render patterns - and fantasies --data -: the file's figure, the data's mistakes name standard input") {
  const Folder f;
  REQUIRE(f.sh("helmholtz render patterns train.data --shape 2x2 -n 20 -o file.png").status == 0);
  CHECK(f.sh("cat train.data | helmholtz render patterns - --shape 2x2 -n 20 -o piped.png").status == 0);
  CHECK(f.read("piped.png") == f.read("file.png"));
  REQUIRE(f.sh("helmholtz render fantasies tiny.yaml --data train.data -n 9 -o fantasies-file.png").status == 0);
  CHECK(f.sh("helmholtz render fantasies tiny.yaml --data - -n 9 -o fantasies-piped.png < train.data").status == 0);
  CHECK(f.read("fantasies-piped.png") == f.read("fantasies-file.png"));
  const ProgramRun bad = f.sh("helmholtz render patterns - --shape 2x2 -o bad.png < bad-char.data");
  CHECK(bad.status == 1);
  CHECK(bad.err == "helmholtz render: " + bad_char + "\n");
  const ProgramRun bad_beside = f.sh("helmholtz render fantasies tiny.yaml --data - -o bad.png < too-short.data");
  CHECK(bad_beside.status == 1);
  CHECK(bad_beside.err == "helmholtz render: " + too_short + "\n");
}

}  // namespace
}  // namespace helmholtz
