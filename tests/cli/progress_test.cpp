// Progress of long work: the exact engine reports the fraction done, and the display prints
// a line per tenth when stderr is not a terminal, nothing when quiet or for short work.
#include <doctest/doctest.h>

#include <sstream>
#include <thread>

#include "framework/cli/progress.hpp"
#include "framework/engines/exact_inference.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {

TEST_CASE("exact enumeration reports a growing fraction of its work on the calling thread") {
  const Network network = parse_model(R"(
seed: 2
nodes:
  - {name: h, type: binary, size: 16}
  - {name: d, type: binary, size: 6, observed: true}
generative:
  h: {distribution: sigmoid}
  d: {distribution: sigmoid, parents: [h]}
)", "p.yaml");
  Matrix data = Matrix::from_shape({3, 6});
  data.fill(1.0);
  // Both engines: the factorised sum (a report per run of 1024 configurations) and the
  // per-pattern walk (a report per batch of 128).
  for (const bool factorised : {true, false})
  for (unsigned threads : {1u, 2u}) {
    CAPTURE(factorised);
    CAPTURE(threads);
    ExactOptions options;
    options.factorised = factorised;
    options.threads = threads;
    options.progress_interval = 0.0;  // every batch
    std::vector<double> fractions;
    const auto caller = std::this_thread::get_id();
    bool same_thread = true;
    options.progress = [&](double f) {
      fractions.push_back(f);
      same_thread = same_thread && std::this_thread::get_id() == caller;
    };
    const ExactResult with = exact_inference(network, data, options);
    REQUIRE(fractions.size() > 10);
    CHECK(same_thread);
    for (std::size_t i = 0; i < fractions.size(); ++i) {
      CHECK(fractions[i] > 0.0);
      CHECK(fractions[i] <= 1.0);
      if (i > 0) CHECK(fractions[i] >= fractions[i - 1]);
    }
    CHECK(fractions.back() > 0.4);
    // Reporting changes nothing.
    options.progress = {};
    const ExactResult without = exact_inference(network, data, options);
    CHECK(with.log_likelihood == without.log_likelihood);
  }
}

TEST_CASE("the progress display: a line per tenth off a terminal, nothing when quiet or under a second") {
  CHECK(cli::format_duration(3725) == "1h 02m");
  CHECK(cli::format_duration(200) == "3m 20s");
  CHECK(cli::format_duration(41.6) == "42s");
  std::ostringstream err, quiet_err;
  cli::Progress progress(err, "exact: 2^25 configurations x 10 patterns", false);
  cli::Progress quiet(quiet_err, "exact", true);
  progress.update(0.5);  // under a second: nothing yet
  CHECK(err.str().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  progress.update(0.25);
  progress.update(0.27);  // the same tenth: no new line
  progress.update(0.5);
  quiet.update(0.5);
  progress.finish();
  std::istringstream lines(err.str());
  std::string first, second, third;
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(first.rfind("exact: 2^25 configurations x 10 patterns: 25% done, about ", 0) == 0);
  CHECK(first.find("s left") != std::string::npos);
  CHECK(second.rfind("exact: 2^25 configurations x 10 patterns: 50% done, about ", 0) == 0);
  CHECK(!std::getline(lines, third));
  CHECK(quiet_err.str().empty());
}

}  // namespace helmholtz
