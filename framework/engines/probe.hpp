#pragma once
// How well a hidden node's recognised states tell a known label of each pattern (the shift
// direction of the shifter: Dayan, Hinton, Neal & Zemel 1995, section 4). The node's states
// are drawn from the recognition model K times per pattern; two read-outs are fitted on the
// first half of the labelled patterns and scored on the second half:
//   - nearest centroid: the mean of a pattern's K recognised states (its recognition
//     probabilities, estimated), assigned to the label whose mean over the fitting half is
//     nearest (squared distance);
//   - modal state: the state drawn most often for a pattern, read as the label most patterns
//     of the fitting half with that modal state carry (the fitting half's majority label for a
//     state it never saw).
// A negative label leaves its pattern out (a pattern that cannot tell, such as a shifter
// pattern whose bottom row is the same under both shifts).
#include <cstddef>
#include <string>
#include <vector>

#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"
#include "framework/random.hpp"

namespace helmholtz {

struct NodeReadings {
  Matrix means;                     // patterns x units of the node: the mean of its K states
  std::vector<std::string> modal;   // per pattern, the state drawn most often, as '0'/'1'
};

// K = samples draws of the node's recognised states for every pattern of `data`.
NodeReadings read_node(const Network& network, const Matrix& data, std::size_t node, std::size_t samples, Rng& rng);

struct ProbeResult {
  std::size_t fitted = 0, scored = 0, left_out = 0;
  double centroid_accuracy = 0;  // fraction of the scored half read correctly
  double modal_accuracy = 0;
  double majority_accuracy = 0;  // always answering the fitting half's majority label: the chance level
};

// labels: one per row of readings; a negative label leaves the pattern out. Throws Error when
// either half would be empty.
ProbeResult probe(const NodeReadings& readings, const std::vector<int>& labels);

}  // namespace helmholtz
