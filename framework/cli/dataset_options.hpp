#pragma once
// The options a data-set generator declares (--size, --bar-probability, ...), shared by the
// commands that name a generator: `data` draws from it, `exact --kl-from` compares a model
// with its exact distribution.
#include <map>
#include <string>
#include <vector>

#include "framework/cli/arguments.hpp"
#include "framework/datasets/dataset.hpp"

namespace helmholtz::cli {

// "a, b and c".
std::string joined(const std::vector<std::string>& names);
// One option per parameter name of every registered generator, its help naming the
// generators that take it.
std::vector<Option> dataset_parameter_options();
// The generator's parameters from the command line (defaults where it is silent), each checked
// against its range; an option that belongs to other generators only is a UsageError.
// `command` prefixes the messages ("helmholtz data").
std::map<std::string, double> dataset_parameter_values(const Arguments& args, const DatasetGenerator& generator,
                                                       const std::string& command);
// The generator of that name, or a UsageError listing the known ones (and `also`, if given).
const DatasetGenerator& dataset_generator(const std::string& name, const std::string& command,
                                          const std::string& also = "");

}  // namespace helmholtz::cli
