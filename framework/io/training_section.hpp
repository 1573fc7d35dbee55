#pragma once
// The `training:` section of a model file: how the network was trained (see
// framework/graph/training_record.hpp), read and written so that a run can be resumed.
#include <yaml-cpp/yaml.h>

#include "framework/error.hpp"
#include "framework/graph/training_record.hpp"

namespace helmholtz {

TrainingRecord read_training_section(const YAML::Node& section, const Where& file);
void write_training_section(YAML::Emitter& out, const TrainingRecord& record);

}  // namespace helmholtz
