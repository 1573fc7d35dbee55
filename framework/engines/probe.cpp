#include "framework/engines/probe.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "framework/engines/recognition.hpp"
#include "framework/error.hpp"
#include "framework/patterns.hpp"

namespace helmholtz {
namespace {

constexpr std::size_t block_patterns = 256;  // memory of the K draws stays that of one block

// The label most often seen (the smallest on a tie), or -1 for none.
int majority(const std::map<int, std::size_t>& counts) {
  int best = -1;
  std::size_t most = 0;
  for (const auto& [label, count] : counts)
    if (count > most) {
      best = label;
      most = count;
    }
  return best;
}

}  // namespace

NodeReadings read_node(const Network& network, const Matrix& data, std::size_t node, std::size_t samples, Rng& rng) {
  if (node >= network.nodes.size() || network.nodes[node].observed)
    throw Error("read_node: node " + std::to_string(node) + " is not a hidden node of '" + network.name + "'");
  if (samples == 0) throw Error("the number of samples must be at least 1");
  const std::size_t patterns = data.shape(0), units = network.nodes[node].size;
  NodeReadings out{xt::zeros<double>({patterns, units}), std::vector<std::string>(patterns)};
  RecognitionSampler sampler(network);
  Vector log_q;
  Matrix block;
  std::vector<std::map<std::string, std::size_t>> seen;
  for (std::size_t first = 0; first < patterns; first += block_patterns) {
    const std::size_t count = std::min(block_patterns, patterns - first);
    copy_rows(data, first, count, block);
    seen.assign(count, {});
    for (std::size_t s = 0; s < samples; ++s) {
      const NodeStates& states = s == 0 ? sampler.sample_repeatedly(block, rng, log_q) : sampler.resample(rng, log_q);
      for (std::size_t n = 0; n < count; ++n) {
        std::string key(units, '0');
        for (std::size_t u = 0; u < units; ++u)
          if (states[node](n, u) != 0) {
            key[u] = '1';
            out.means(first + n, u) += 1.0;
          }
        ++seen[n][key];
      }
    }
    for (std::size_t n = 0; n < count; ++n) {
      std::size_t most = 0;
      for (const auto& [key, times] : seen[n])  // the first in key order on a tie
        if (times > most) {
          most = times;
          out.modal[first + n] = key;
        }
      for (std::size_t u = 0; u < units; ++u) out.means(first + n, u) /= static_cast<double>(samples);
    }
  }
  return out;
}

ProbeResult probe(const NodeReadings& readings, const std::vector<int>& labels) {
  const std::size_t patterns = readings.means.shape(0), units = readings.means.shape(1);
  if (labels.size() != patterns)
    throw Error("probe: " + std::to_string(labels.size()) + " labels for " + std::to_string(patterns) + " patterns");
  std::vector<std::size_t> kept;
  for (std::size_t n = 0; n < patterns; ++n)
    if (labels[n] >= 0) kept.push_back(n);
  ProbeResult result;
  result.left_out = patterns - kept.size();
  result.fitted = kept.size() / 2;
  result.scored = kept.size() - result.fitted;
  if (result.fitted == 0 || result.scored == 0)
    throw Error("probe: " + std::to_string(kept.size()) + " labelled patterns; at least 2 are needed (half to fit, half to score)");

  // Fit: per-label centroids, per-modal-state label counts, label counts.
  std::map<int, std::vector<double>> centroid;
  std::map<int, std::size_t> label_count;
  std::map<std::string, std::map<int, std::size_t>> by_state;
  for (std::size_t i = 0; i < result.fitted; ++i) {
    const std::size_t n = kept[i];
    auto& c = centroid[labels[n]];
    c.resize(units, 0.0);
    for (std::size_t u = 0; u < units; ++u) c[u] += readings.means(n, u);
    ++label_count[labels[n]];
    ++by_state[readings.modal[n]][labels[n]];
  }
  for (auto& [label, c] : centroid)
    for (double& v : c) v /= static_cast<double>(label_count[label]);
  const int overall = majority(label_count);

  // Score the second half.
  std::size_t centroid_right = 0, modal_right = 0, majority_right = 0;
  for (std::size_t i = result.fitted; i < kept.size(); ++i) {
    const std::size_t n = kept[i];
    int nearest = overall;
    double best = std::numeric_limits<double>::infinity();
    for (const auto& [label, c] : centroid) {  // labels in increasing order: the smallest wins a tie
      double d = 0;
      for (std::size_t u = 0; u < units; ++u) d += (readings.means(n, u) - c[u]) * (readings.means(n, u) - c[u]);
      if (d < best) {
        best = d;
        nearest = label;
      }
    }
    const auto state = by_state.find(readings.modal[n]);
    const int modal = state == by_state.end() ? overall : majority(state->second);
    centroid_right += nearest == labels[n];
    modal_right += modal == labels[n];
    majority_right += overall == labels[n];
  }
  const double scored = static_cast<double>(result.scored);
  result.centroid_accuracy = static_cast<double>(centroid_right) / scored;
  result.modal_accuracy = static_cast<double>(modal_right) / scored;
  result.majority_accuracy = static_cast<double>(majority_right) / scored;
  return result;
}

}  // namespace helmholtz
