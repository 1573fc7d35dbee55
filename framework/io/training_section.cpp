#include "framework/io/training_section.hpp"

#include <charconv>
#include <cmath>

#include "framework/io/yaml_fields.hpp"

namespace helmholtz {
namespace {

const std::vector<std::string> section_keys = {"algorithm", "epochs_completed", "seed", "data", "data_checksum",
                                               "options", "optimizer_state"};
const std::vector<std::string> option_keys = {
    "batch_size", "generative_learning_rate", "recognition_learning_rate", "shuffle",
    "optimizer", "momentum",  "schedule",                 "decay",                     "weight_decay",
    "natural_coordinates", "samples", "sleep_updates", "damping", "patience"};

std::uint64_t read_seed(const YAML::Node& node, const Where& where) {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  std::uint64_t value = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || parsed.ec != std::errc() || parsed.ptr != text.data() + text.size())
    fail(yaml::at(node, where), "seed is " + yaml::show(node) + ", but must be a whole number from 0 to 2^64 - 1");
  return value;
}

std::size_t read_whole(const YAML::Node& node, const Where& where, const std::string& what) {
  const double value = yaml::read_number(node, where, what);
  if (value < 0 || value != std::floor(value) || value > 1e15)
    fail(yaml::at(node, where), what + " is " + yaml::show(node) + ", but must be a whole number >= 0");
  return static_cast<std::size_t>(value);
}

}  // namespace

TrainingRecord read_training_section(const YAML::Node& section, const Where& file) {
  const Where where = file.with_field("training");
  yaml::require_map(section, where, "training");
  yaml::check_keys(section, section_keys, where);
  TrainingRecord record;
  TrainingOptions& o = record.options;
  if (section["algorithm"]) o.algorithm = yaml::read_string(section["algorithm"], where, "algorithm");
  if (section["epochs_completed"])
    record.epochs_completed = read_whole(section["epochs_completed"], where, "epochs_completed");
  if (section["seed"]) o.seed = read_seed(section["seed"], where);
  if (section["data"]) record.data_file = yaml::read_string(section["data"], where, "data");
  if (section["data_checksum"]) record.data_checksum = yaml::read_string(section["data_checksum"], where, "data_checksum");
  if (const YAML::Node options = section["options"]) {
    const Where at = file.with_field("training.options");
    yaml::require_map(options, at, "options");
    yaml::check_keys(options, option_keys, at);
    auto number = [&](const char* key, double& value) {
      if (options[key]) value = yaml::read_number(options[key], at, key);
    };
    auto whole = [&](const char* key, std::size_t& value) {
      if (options[key]) value = read_whole(options[key], at, key);
    };
    auto flag = [&](const char* key, bool& value) {
      if (options[key]) value = yaml::read_bool(options[key], at, key);
    };
    auto name = [&](const char* key, std::string& value) {
      if (options[key]) value = yaml::read_string(options[key], at, key);
    };
    whole("batch_size", o.batch_size);
    number("generative_learning_rate", o.generative_rate);
    number("recognition_learning_rate", o.recognition_rate);
    flag("shuffle", o.shuffle);
    name("optimizer", o.optimizer);
    number("momentum", o.momentum);
    name("schedule", o.schedule);
    number("decay", o.decay);
    number("weight_decay", o.weight_decay);
    flag("natural_coordinates", o.natural_coordinates);
    whole("samples", o.samples);
    flag("sleep_updates", o.sleep_updates);
    number("damping", o.damping);
    whole("patience", o.patience);
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
