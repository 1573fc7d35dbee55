#include "framework/io/training_section.hpp"

#include <charconv>
#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/io/yaml_fields.hpp"

namespace helmholtz {
namespace {

const std::vector<std::string> section_keys = {"algorithm", "epochs_completed", "interrupted", "seed", "data",
                                               "data_checksum", "options", "optimizer_state"};
const std::vector<std::string> option_keys = {
    "batch_size", "generative_learning_rate", "recognition_learning_rate", "shuffle",
    "optimizer", "momentum",  "schedule",                 "decay",                     "weight_decay",
    "natural_coordinates", "samples", "sleep_updates", "damping", "patience", "precision", "cue_epochs"};

std::size_t read_whole(const YAML::Node& node, const Where& where, const std::string& what) {
  const double value = yaml::read_number(node, where, what);
  if (value < 0 || value != std::floor(value) || value > 1e15)
    fail(yaml::at(node, where), what + " is " + yaml::show(node) + ", but must be a whole number >= 0");
  return static_cast<std::size_t>(value);
}

}  // namespace

TrainingRecord read_training_section(const YAML::Node& section, const Where& file) {
  const Where where = file.with_field("training");
  yaml::require_map(section, file, "training");
  yaml::check_keys(section, section_keys, where);
  TrainingRecord record;
  TrainingOptions& o = record.options;
  if (section["algorithm"]) o.algorithm = yaml::read_string(section["algorithm"], where, "algorithm");
  if (section["epochs_completed"])
    record.epochs_completed = read_whole(section["epochs_completed"], where, "epochs_completed");
  if (section["seed"]) o.seed = yaml::read_seed(section["seed"], where, "seed");
  if (section["interrupted"]) record.interrupted = yaml::read_bool(section["interrupted"], where, "interrupted");
  if (section["data"]) record.data_file = yaml::read_string(section["data"], where, "data");
  if (section["data_checksum"]) record.data_checksum = yaml::read_string(section["data_checksum"], where, "data_checksum");
  if (const YAML::Node options = section["options"]) {
    const Where at = file.with_field("training.options");
    yaml::require_map(options, at, "options");
    yaml::check_keys(options, option_keys, at);
    // Each recorded value must be one a run could have used, so that --resume never starts
    // from nonsense: `above` is an exclusive lower end, [lower, upper) otherwise.
    auto number = [&](const char* key, double& value, double lower, bool above, double upper) {
      if (!options[key]) return;
      value = yaml::read_number(options[key], at, key);
      const bool low_ok = above ? value > lower : value >= lower;
      if (!low_ok || !(value < upper))
        fail(yaml::at(options[key], at), std::string(key) + " is " + format_number(value) + ", but must be " +
                                             (above ? "> " : ">= ") + format_number(lower) +
                                             (std::isfinite(upper) ? " and < " + format_number(upper) : ""));
    };
    auto one_of = [&](const char* key, std::string& value, const std::vector<std::string>& allowed) {
      if (!options[key]) return;
      value = yaml::read_string(options[key], at, key);
      if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(yaml::at(options[key], at), std::string(key) + " is '" + value + "', but must be one of " + list);
      }
    };
    auto whole = [&](const char* key, std::size_t& value) {
      if (options[key]) value = read_whole(options[key], at, key);
    };
    auto flag = [&](const char* key, bool& value) {
      if (options[key]) value = yaml::read_bool(options[key], at, key);
    };
    whole("batch_size", o.batch_size);
    number("generative_learning_rate", o.generative_rate, 0.0, true, std::numeric_limits<double>::infinity());
    number("recognition_learning_rate", o.recognition_rate, 0.0, true, std::numeric_limits<double>::infinity());
    flag("shuffle", o.shuffle);
    one_of("optimizer", o.optimizer, {"sgd", "momentum", "cg"});
    number("momentum", o.momentum, 0.0, false, 1.0);
    one_of("schedule", o.schedule, {"constant", "inverse", "exponential"});
    number("decay", o.decay, 0.0, false, std::numeric_limits<double>::infinity());
    number("weight_decay", o.weight_decay, 0.0, false, std::numeric_limits<double>::infinity());
    flag("natural_coordinates", o.natural_coordinates);
    whole("samples", o.samples);
    flag("sleep_updates", o.sleep_updates);
    number("damping", o.damping, 0.0, true, std::numeric_limits<double>::infinity());
    whole("patience", o.patience);
    whole("cue_epochs", o.cue_epochs);
    std::string precision = o.single_precision ? "float32" : "float64";
    one_of("precision", precision, {"float64", "float32"});
    o.single_precision = precision == "float32";
  }
  if (const YAML::Node state = section["optimizer_state"]) {
    const Where at = file.with_field("training.optimizer_state");
    yaml::require_map(state, at, "optimizer_state");
    for (const auto& part : state) {
      const std::string part_name = yaml::read_string(part.first, at, "a part");
      yaml::require_map(part.second, at, part_name);
      for (const auto& entry : part.second) {
        const std::string key = yaml::read_string(entry.first, at, part_name + " key");
        const std::string what = part_name + "." + key;
        yaml::require_list(entry.second, at, what);
        const auto values = yaml::read_numbers(entry.second, entry.second.size(), at, what);
        Vector v = Vector::from_shape({values.size()});
        std::copy(values.begin(), values.end(), v.begin());
        record.optimiser_state[part_name][key] = v;
      }
    }
  }
  return record;
}

void write_training_section(YAML::Emitter& out, const TrainingRecord& record) {
  const TrainingOptions& o = record.options;
  out << YAML::BeginMap;
  out << YAML::Key << "algorithm" << YAML::Value << o.algorithm;
  out << YAML::Key << "epochs_completed" << YAML::Value << record.epochs_completed;
  if (record.interrupted) out << YAML::Key << "interrupted" << YAML::Value << true;
  out << YAML::Key << "seed" << YAML::Value << o.seed;
  if (!record.data_file.empty()) out << YAML::Key << "data" << YAML::Value << record.data_file;
  if (!record.data_checksum.empty()) out << YAML::Key << "data_checksum" << YAML::Value << record.data_checksum;
  out << YAML::Key << "options" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "batch_size" << YAML::Value << o.batch_size;
  out << YAML::Key << "generative_learning_rate" << YAML::Value << format_number(o.generative_rate);
  out << YAML::Key << "recognition_learning_rate" << YAML::Value << format_number(o.recognition_rate);
  out << YAML::Key << "shuffle" << YAML::Value << o.shuffle;
  out << YAML::Key << "optimizer" << YAML::Value << o.optimizer;
  out << YAML::Key << "momentum" << YAML::Value << format_number(o.momentum);
  out << YAML::Key << "schedule" << YAML::Value << o.schedule;
  out << YAML::Key << "decay" << YAML::Value << format_number(o.decay);
  out << YAML::Key << "weight_decay" << YAML::Value << format_number(o.weight_decay);
  out << YAML::Key << "natural_coordinates" << YAML::Value << o.natural_coordinates;
  out << YAML::Key << "samples" << YAML::Value << o.samples;
  out << YAML::Key << "sleep_updates" << YAML::Value << o.sleep_updates;
  out << YAML::Key << "damping" << YAML::Value << format_number(o.damping);
  out << YAML::Key << "patience" << YAML::Value << o.patience;
  out << YAML::Key << "precision" << YAML::Value << (o.single_precision ? "float32" : "float64");
  out << YAML::Key << "cue_epochs" << YAML::Value << o.cue_epochs;
  out << YAML::EndMap;
  if (!record.optimiser_state.empty()) {
    out << YAML::Key << "optimizer_state" << YAML::Value << YAML::BeginMap;
    for (const auto& [part, vectors] : record.optimiser_state) {
      out << YAML::Key << part << YAML::Value << YAML::BeginMap;
      for (const auto& [key, v] : vectors) {
        out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (double x : v) out << x;
        out << YAML::EndSeq;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

}  // namespace helmholtz
