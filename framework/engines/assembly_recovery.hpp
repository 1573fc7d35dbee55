#pragma once
// Whether a trained network's hidden units stand for planted cell assemblies (de Sa et al.:
// a Helmholtz machine on binned spike trains). A hidden unit that stands for an assembly makes
// its channels fire together, so its generative weights to them are its largest. For a
// planted assembly A of M channels, each unit h of the hidden node is read as the set T_h of
// the M channels it has the largest generative weights to (the lower channel first on a tie),
// and the match is the Jaccard overlap J(A, T_h) = |A n T_h| / |A u T_h|: 1 when the unit's
// M strongest channels are exactly the assembly, 0 when they share none. Each assembly is
// reported with its best unit (the lowest unit on a tie); an assembly is recovered when that
// unit's J is 1.
//
// The weights are read generically, from the block named "weights" of the observed node's
// generative distribution, with a row per channel and a column per parent unit (sigmoid,
// noisy-or and odds-sum all have one); larger means "this unit makes this channel fire more"
// for all of them.
#include <cstddef>
#include <vector>

#include "framework/graph/network.hpp"
#include "framework/matrix.hpp"

namespace helmholtz {

// weights(h, c): the generative weight from unit h of node `hidden` to unit c of node
// `observed`. Throws Error when `hidden` is not a hidden node, `observed` not an observed one,
// `hidden` not a generative parent of `observed`, or the observed node's distribution has no
// block named "weights" laid out per unit and parent.
Matrix generative_weights(const Network& network, std::size_t hidden, std::size_t observed);

struct AssemblyMatch {
  std::size_t unit = 0;                   // the unit whose top channels overlap the assembly most
  std::vector<std::size_t> top_channels;  // its M largest weights' channels, in increasing order
  double jaccard = 0;
};

struct AssemblyRecovery {
  std::vector<AssemblyMatch> matches;  // one per planted assembly, in their order
  std::size_t recovered = 0;           // assemblies whose best match has J = 1
  double mean_jaccard = 0;             // of the best matches
};

// The M channels of `unit` (a row of weights) with the largest weights, in increasing order.
std::vector<std::size_t> top_channels(const Matrix& weights, std::size_t unit, std::size_t m);

// |a n b| / |a u b| of two sets of channels given without repeats (1 for two empty sets).
double jaccard(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b);

// weights: hidden units x channels (generative_weights). Throws Error for no assemblies, an
// empty one, a channel listed twice in one, or a channel >= the number of channels.
AssemblyRecovery recover_assemblies(const Matrix& weights, const std::vector<std::vector<std::size_t>>& assemblies);

}  // namespace helmholtz
