#pragma once
// The generative network as a Bayes net in the UAI format (the format of the UAI 2008
// evaluation, which toulbar2, libDAI, Merlin and most inference solvers read), and one data
// pattern as a UAI evidence file. docs/exporting.md shows both for models/tiny.yaml.
//
// Variables. UAI numbers its variables and names none: there is one variable per unit, of
// cardinality 2 (value 0 off, 1 on), numbered in node declaration order and, within a node,
// by unit. Unit j of node i is variable (units of the nodes declared before i) + j: the
// column order of `helmholtz sample --all-nodes`. The file says nothing of the names (UAI
// has no comments); uai_variable() and the documentation give the mapping.
//
// Functions. One per variable, in variable order: P(unit | the node's parent units). Its
// scope is the parent units (the node's `parents` in their order, each parent's units in
// order) followed by the unit itself, as UAI asks of a Bayes net (the child last). Its table
// lists, for each configuration c of the K parent units in counting order (the first parent
// unit the most significant bit), P(unit = 0 | c) and then P(unit = 1 | c): UAI's order, in
// which the last variable of the scope changes fastest. The 2^K configurations go through
// the plugin's probabilities() in batches, so that memory stays bounded whatever K is;
// P(unit = 1 | c) is written as the plugin gives it and P(unit = 0 | c) as 1 minus it, each
// in its shortest form that reads back as the same double.
//
// Evidence. The UAI 2008 evidence format: the number of observed variables, then one line
// per observed variable with its number and value.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "framework/error.hpp"
#include "framework/graph/network.hpp"

namespace helmholtz {

struct UaiOptions {
  // A unit's table holds 2^(K + 1) entries for K parent units; a network with a larger table
  // is refused before anything is computed (UaiTableTooLarge). At about 19 bytes of text an
  // entry, a table of 2^24 entries is some 320 MB.
  std::uint64_t max_table_entries = std::uint64_t{1} << 24;
  // Memory: parent configurations handed to the plugin per call, and probabilities held at
  // once (a node's tables are written one after the other, so a node of many units under many
  // parent units has its configurations computed again for each group of units that fits; a
  // group of one is written as it is computed, holding nothing).
  // The groups do not change the text; other batches may change the last bit of an entry,
  // since a plugin may round a row differently by its place in a batch (SIMD lanes).
  std::size_t batch_configurations = 4096;
  std::size_t held_probabilities = std::size_t{1} << 22;
  // Polled between batches: when it becomes true, the writer stops and throws Interrupted.
  const std::atomic<bool>* interrupt = nullptr;
};

// A table over the limit: the message names the node, its parent units and the table's size.
class UaiTableTooLarge : public Error {
 public:
  using Error::Error;
};

// Throws UaiTableTooLarge if some unit's table would hold more than max_table_entries.
void check_uai_table_sizes(const Network& network, std::uint64_t max_table_entries);

// The Bayes net, written a piece at a time to `write` (the memory used does not grow with the
// file). Checks the table sizes first, so nothing is written for a network it refuses.
void write_uai_model(const Network& network, const std::function<void(std::string_view)>& write,
                     const UaiOptions& options = {});
// The same, whole.
std::string uai_model(const Network& network, const UaiOptions& options = {});

// The UAI variable of unit `unit` of node `node`.
std::size_t uai_variable(const Network& network, std::size_t node, std::size_t unit);

// The evidence file observing `pattern`: the observed nodes' units side by side in
// declaration order (a pattern of a data file), each 0 or 1. Throws Error if its width is
// not the network's number of visible units.
std::string uai_evidence(const Network& network, std::span<const std::uint8_t> pattern);

}  // namespace helmholtz
