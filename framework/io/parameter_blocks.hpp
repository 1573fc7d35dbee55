#pragma once
// Reading and writing a distribution's parameter blocks in a model-file entry, generic over
// plugins: a per_unit block is a list with a number per unit (bias: [0.1, -0.3]); a
// per_unit_and_parent block is a map from parent name to a matrix with a row per unit and
// a column per unit of that parent (weights: {top: [[1, -1], [0.5, 0.2]]}). Every value is
// checked against its block's valid range where it is read, so that a message points at
// its line and column.
#include <yaml-cpp/yaml.h>

#include "framework/distribution.hpp"

namespace helmholtz {

// Overrides the distribution's values with the blocks the entry gives; blocks not given
// keep their values. Reports mistakes at their line; refreshes the distribution.
void read_parameter_blocks(const YAML::Node& entry, Distribution& distribution, const Where& where);

// Writes every non-empty block as a key of the YAML map the emitter has open, in full
// precision (reading it back gives the same values bit for bit).
void write_parameter_blocks(YAML::Emitter& out, const Distribution& distribution);

}  // namespace helmholtz
