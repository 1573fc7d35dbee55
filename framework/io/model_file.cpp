#include "framework/io/model_file.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "framework/io/atomic_file.hpp"
#include "framework/io/parameter_blocks.hpp"
#include "framework/io/training_section.hpp"
#include "framework/io/yaml_document.hpp"
#include "framework/io/yaml_fields.hpp"
#include "framework/plugin_library.hpp"

namespace helmholtz {
namespace {

const std::vector<std::string> top_level_keys = {"name",       "description", "seed",    "plugins", "nodes",
                                                 "generative", "recognition", "training"};
const std::vector<std::string> node_keys = {"name", "type", "size", "observed", "cue"};
const std::vector<std::string> cue_keys = {"of", "image", "cells", "threshold"};

// "8x4": 8 rows, 4 columns, each a whole number >= 1.
std::optional<std::pair<std::size_t, std::size_t>> parse_shape(const std::string& text) {
  const std::size_t x = text.find('x');
  if (x == std::string::npos) return std::nullopt;
  auto whole = [](const char* begin, const char* end) -> std::optional<std::size_t> {
    std::size_t value = 0;
    const auto parsed = std::from_chars(begin, end, value);
    if (begin == end || parsed.ec != std::errc() || parsed.ptr != end || value < 1 || value > 1000000)
      return std::nullopt;
    return value;
  };
  const auto rows = whole(text.data(), text.data() + x);
  const auto columns = whole(text.data() + x + 1, text.data() + text.size());
  if (!rows || !columns) return std::nullopt;
  return std::pair{*rows, *columns};
}

// A count held as a double (so that sums of products cannot overflow), in digits.
std::string in_digits(double count) {
  return count < 0x1p63 ? std::to_string(static_cast<std::uint64_t>(count)) : format_number(count);
}

std::string show_shape(std::size_t rows, std::size_t columns) {
  return std::to_string(rows) + "x" + std::to_string(columns);
}

struct Reader {
  const Registry& registry;
  const Limits& limits;
  Where file;  // only the file name is set
  // Parameters of the entries read so far, generative and recognition, for the limit on the
  // whole network (counted before each entry allocates its own).
  double parameters = 0;
  double units = 0;
  Network network;
  std::map<std::string, std::size_t> index;  // node name -> position
  std::vector<YAML::Node> node_entries;      // for locating messages about a node
  YAML::Node root_;                          // the whole file, for messages about it

  std::size_t lookup(const YAML::Node& name_node, const Where& where, const std::string& what) {
    const std::string name = yaml::read_string(name_node, where, what);
    const auto found = index.find(name);
    if (found == index.end()) {
      // The names help in a small network; a network of thousands of nodes would bury the
      // message under them, so only the first few are listed.
      constexpr std::size_t listed = 10;
      std::string known;
      for (std::size_t i = 0; i < std::min(listed, network.nodes.size()); ++i)
        known += (known.empty() ? "" : ", ") + network.nodes[i].name;
      if (network.nodes.size() > listed) known += ", and " + std::to_string(network.nodes.size() - listed) + " more";
      fail(yaml::at(name_node, where), "unknown node '" + name + "' (nodes: " + known + ")");
    }
    return found->second;
  }

  void read_nodes(const YAML::Node& root) {
    const YAML::Node nodes = root["nodes"];
    if (!nodes) fail(yaml::at(root, file), "missing key 'nodes' (the list of nodes)");
    yaml::require_list(nodes, file, "nodes");
    if (nodes.size() == 0) fail(yaml::at(nodes, file), "nodes is empty");
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const YAML::Node entry = nodes[i];
      const Where where = file.with_field("nodes[" + std::to_string(i) + "]");
      yaml::require_map(entry, where, "the entry");
      yaml::check_keys(entry, node_keys, where);
      Node node;
      if (!entry["name"]) fail(yaml::at(entry, where), "missing key 'name'");
      node.name = yaml::read_string(entry["name"], where, "name");
      if (index.count(node.name)) fail(yaml::at(entry["name"], where), "duplicate node '" + node.name + "'");
      const Where named = file.with_field("nodes." + node.name);
      if (!entry["type"]) fail(yaml::at(entry, named), "missing key 'type' (allowed: binary)");
      const std::string type = yaml::read_string(entry["type"], named, "type");
      if (type != "binary") fail(yaml::at(entry["type"], named), "unknown type '" + type + "' (allowed: binary)");
      if (!entry["size"]) fail(yaml::at(entry, named), "missing key 'size' (the number of units)");
      node.size = yaml::read_count(entry["size"], named, "size");
      // Every unit has a generative bias at least, so a network of more units than the limit on
      // parameters is refused here, at the size, before any entry allocates.
      units += static_cast<double>(node.size);
      if (units > static_cast<double>(limits.max_parameters))
        fail(yaml::at(entry["size"], named),
             "size " + std::to_string(node.size) + " brings the network to " + in_digits(units) +
                 " units, and so to at least as many parameters (a bias per unit), more than the limit of " +
                 std::to_string(limits.max_parameters) + " parameters (" + how_to_raise(max_parameters_variable) + ")");
      if (entry["observed"]) node.observed = yaml::read_bool(entry["observed"], named, "observed");
      index[node.name] = network.nodes.size();
      network.nodes.push_back(node);
      node_entries.push_back(entry);
    }
    if (network.observed_nodes().empty())
      fail(yaml::at(nodes, file.with_field("nodes")), "no node is observed (mark the data node with observed: true)");
    // After every node is known, so that a cue may name an observed node declared below it.
    for (std::size_t i = 0; i < network.nodes.size(); ++i)
      if (const YAML::Node cue = node_entries[i]["cue"]) network.nodes[i].cue = read_cue(cue, i);
  }

  // cue: {of: pixels, image: 8x8, cells: 4x4, threshold: 0.5} (graph/cue.hpp).
  Cue read_cue(const YAML::Node& entry, std::size_t node) {
    const Node& cued = network.nodes[node];
    const Where where = file.with_field("nodes." + cued.name + ".cue");
    if (cued.observed)
      fail(yaml::at(entry, where), "'" + cued.name + "' is observed, so it takes no cue (the data gives its "
                                   "states); a cue belongs on a hidden node");
    if (!entry.IsMap())
      fail(yaml::at(entry, where), "the cue is " + yaml::show(entry) +
                                       ", but must be a map like {of: pixels, image: 8x8, cells: 4x4}");
    yaml::check_keys(entry, cue_keys, where);
    if (!entry["of"]) fail(yaml::at(entry, where), "missing key 'of' (the observed node it is a coarse copy of)");
    if (!entry["image"])
      fail(yaml::at(entry, where), "missing key 'image' (that node's units as rows x columns, like 8x8)");
    if (!entry["cells"])
      fail(yaml::at(entry, where), "missing key 'cells' (the blocks the image is cut into, rows x columns, like 4x4)");
    Cue cue;
    cue.of = lookup(entry["of"], where, "of");
    const Node& image = network.nodes[cue.of];
    if (!image.observed)
      fail(yaml::at(entry["of"], where), "of is '" + image.name + "', a hidden node, but must be an observed node "
                                         "(a cue is a coarse copy of the data)");
    auto shape = [&](const char* key) {
      const YAML::Node value = entry[key];
      const auto parsed = value.IsScalar() ? parse_shape(value.Scalar()) : std::nullopt;
      if (!parsed)
        fail(yaml::at(value, where), std::string(key) + " is " + yaml::show(value) +
                                         ", but must be rows x columns, two whole numbers >= 1 like 8x8");
      return *parsed;
    };
    std::tie(cue.image_rows, cue.image_columns) = shape("image");
    std::tie(cue.cell_rows, cue.cell_columns) = shape("cells");
    const std::string image_shape = show_shape(cue.image_rows, cue.image_columns);
    const std::string cell_shape = show_shape(cue.cell_rows, cue.cell_columns);
    if (cue.image_rows * cue.image_columns != image.size)
      fail(yaml::at(entry["image"], where), "image " + image_shape + " has " +
                                                std::to_string(cue.image_rows * cue.image_columns) + " pixels, but '" +
                                                image.name + "' has " + std::to_string(image.size) + " units");
    if (cue.image_rows % cue.cell_rows != 0 || cue.image_columns % cue.cell_columns != 0)
      fail(yaml::at(entry["cells"], where), "cells " + cell_shape + " do not cut image " + image_shape +
                                                " into equal blocks (each must divide the image's rows and columns)");
    if (cue.units() != cued.size)
      fail(yaml::at(entry["cells"], where), "cells " + cell_shape + " give " + std::to_string(cue.units()) +
                                                " units, but '" + cued.name + "' has " + std::to_string(cued.size) +
                                                " (its size)");
    if (const YAML::Node threshold = entry["threshold"]) {
      cue.threshold = yaml::read_number(threshold, where, "threshold");
      if (!(cue.threshold > 0.0 && cue.threshold <= 1.0))
        fail(yaml::at(threshold, where), "threshold is " + format_number(cue.threshold) +
                                             ", but must be in (0, 1] (the fraction of on pixels that turns a cell on)");
    }
    return cue;
  }

  NodeShape shape_of(std::size_t node, const std::vector<std::size_t>& parents) const {
    NodeShape shape{network.nodes[node].name, network.nodes[node].size, {}};
    for (std::size_t p : parents) shape.parents.push_back({network.nodes[p].name, network.nodes[p].size});
    return shape;
  }

  // One entry of the generative or recognition section: distribution, parents, parameters.
  Conditional read_entry(const YAML::Node& entry, std::size_t node, const std::string& section, Rng& rng) {
    const std::string& name = network.nodes[node].name;
    Where where = file.with_field(section + "." + name);
    yaml::require_map(entry, where, "the entry");
    if (!entry["distribution"]) {
      fail(yaml::at(entry, where), "missing key 'distribution' (one of: " + registered() + ")");
    }
    const std::string kind = yaml::read_string(entry["distribution"], where, "distribution");
    if (!registry.contains(kind))
      fail(yaml::at(entry["distribution"], where), "unknown distribution '" + kind + "' (registered: " + registered() + ")");
    std::vector<std::size_t> parents;
    if (const YAML::Node list = entry["parents"]) {
      yaml::require_list(list, where, "parents");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::size_t p = lookup(list[i], where, "parents[" + std::to_string(i) + "]");
        if (p == node) fail(yaml::at(list[i], where), "node '" + name + "' is listed as its own parent (cycle " + name + " -> " + name + ")");
        if (std::find(parents.begin(), parents.end(), p) != parents.end())
          fail(yaml::at(list[i], where), "parent '" + network.nodes[p].name + "' is listed twice");
        parents.push_back(p);
      }
    }
    const NodeShape shape = shape_of(node, parents);
    count_parameters(shape, yaml::at(entry, where), "node '" + name + "'");
    auto distribution = registry.create(kind, shape);
    std::vector<std::string> allowed = {"distribution", "parents", "fixed"};
    for (const auto& b : distribution->blocks()) allowed.push_back(b.name);
    for (auto& key : distribution->extra_keys()) allowed.push_back(key);
    where.field += " (" + kind + ")";
    yaml::check_keys(entry, allowed, where);
    distribution->initialise(rng);
    read_parameter_blocks(entry, *distribution, where);
    distribution->read_extra(entry, where);
    Conditional conditional(std::move(parents), std::move(distribution));
    if (const YAML::Node fixed = entry["fixed"]) conditional.fixed = read_fixed(fixed, *conditional.distribution, where);
    return conditional;
  }

  // fixed: [bias] or [weights] or [bias, weights] (a single name is fine too): blocks that
  // training leaves exactly as they are.
  std::vector<std::string> read_fixed(const YAML::Node& fixed, const Distribution& distribution, const Where& where) {
    std::string names;
    for (const auto& b : distribution.blocks()) names += (names.empty() ? "" : ", ") + b.name;
    std::vector<YAML::Node> items;
    if (fixed.IsScalar()) items.push_back(fixed);
    else {
      if (!fixed.IsSequence())
        fail(yaml::at(fixed, where), "fixed is " + yaml::show(fixed) + ", but must be a list of parameter blocks (" +
                                         names + ")");
      for (const auto& item : fixed) items.push_back(item);
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string what = fixed.IsScalar() ? "fixed" : "fixed[" + std::to_string(i) + "]";
      const std::string name = yaml::read_string(items[i], where, what);
      if (!distribution.block(name))
        fail(yaml::at(items[i], where), what + " is '" + name + "', which is not a parameter block of " +
                                            std::string(distribution.kind()) + " (blocks: " + names + ")");
      if (std::find(out.begin(), out.end(), name) != out.end())
        fail(yaml::at(items[i], where), what + ": '" + name + "' is listed twice");
      out.push_back(name);
    }
    return out;
  }

  // Adds an entry's parameters (units x (1 + parent units): a bias and a full weight matrix) to
  // the network's count, refusing it before it allocates when the count passes the limit.
  void count_parameters(const NodeShape& shape, const Where& where, const std::string& who) {
    const double own = static_cast<double>(shape.units) * (1.0 + static_cast<double>(shape.parent_units()));
    parameters += own;
    if (parameters <= static_cast<double>(limits.max_parameters)) return;
    const std::string limit = std::to_string(limits.max_parameters) + " parameters for the whole network, "
                              "generative and recognition (" + how_to_raise(max_parameters_variable) + ")";
    const std::string product = std::to_string(shape.units) + " units x (1 + " +
                                std::to_string(shape.parent_units()) + " parent units)";
    if (own == parameters)
      fail(where, who + " would have " + in_digits(own) + " parameters (" + product + "), more than the limit of " + limit);
    fail(where, who + " would have " + in_digits(own) + " parameters (" + product + "), bringing the network to " +
                    in_digits(parameters) + ", more than the limit of " + limit);
  }

  std::string registered() const {
    std::string out;
    for (const auto& n : registry.names()) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  std::string describe_cycle(const std::vector<std::size_t>& cycle) const {
    std::string out;
    for (std::size_t v : cycle) out += network.nodes[v].name + " -> ";
    return out + network.nodes[cycle.front()].name;
  }

  DirectedModel build(std::vector<Conditional> conditionals, const YAML::Node& section, const std::string& name) {
    try {
      return DirectedModel::from(std::move(conditionals));
    } catch (const CycleError& e) {
      const std::string first = network.nodes[e.cycle().front()].name;
      const YAML::Node at = section[first] ? section[first] : section;
      fail(yaml::at(at, file.with_field(name)), "cycle " + describe_cycle(e.cycle()));
    }
  }

  // Checks that every key of a section names a node and returns the entries by node.
  std::vector<std::optional<YAML::Node>> entries_by_node(const YAML::Node& section, const std::string& name) {
    yaml::require_map(section, file, name);
    // One pass over the entries: looking each node up with section[name] would cost a scan of
    // the map per node (yaml-cpp's maps are lists), quadratic in a network of many nodes.
    std::vector<std::optional<YAML::Node>> out(network.nodes.size());
    for (const auto& entry : section) {
      const std::size_t i = lookup(entry.first, file.with_field(name), "node");
      if (out[i]) fail(yaml::at(entry.first, file.with_field(name)), "key '" + network.nodes[i].name + "' appears twice");
      out[i] = entry.second;
    }
    return out;
  }

  void read_generative(const YAML::Node& root, Rng& rng) {
    const YAML::Node section = root["generative"];
    if (!section) fail(yaml::at(root, file), "missing key 'generative' (each node's distribution given its parents)");
    const auto entries = entries_by_node(section, "generative");
    std::vector<Conditional> conditionals(network.nodes.size());
    for (std::size_t i = 0; i < network.nodes.size(); ++i) {
      if (!entries[i]) fail(yaml::at(section, file.with_field("generative")), "node '" + network.nodes[i].name + "' has no entry");
      conditionals[i] = read_entry(*entries[i], i, "generative", rng);
    }
    network.generative = build(std::move(conditionals), section, "generative");
  }

  void read_recognition(const YAML::Node& root, Rng& rng) {
    std::vector<Conditional> conditionals(network.nodes.size());
    const YAML::Node section = root["recognition"];
    network.recognition_declared = static_cast<bool>(section);
    if (section) {
      const auto entries = entries_by_node(section, "recognition");
      for (std::size_t i = 0; i < network.nodes.size(); ++i) {
        const std::string& name = network.nodes[i].name;
        const Where where = file.with_field("recognition." + name);
        if (network.nodes[i].observed) {
          if (entries[i])
            fail(yaml::at(*entries[i], where), "'" + name + "' is observed, so it has no recognition distribution (the data gives it)");
          continue;
        }
        if (!entries[i]) fail(yaml::at(section, file.with_field("recognition")), "hidden node '" + name + "' has no entry, so it cannot be recognised");
        conditionals[i] = read_entry(*entries[i], i, "recognition", rng);
        if (conditionals[i].parents.empty())
          fail(yaml::at(*entries[i], where), "hidden node '" + name + "' has no parents, so it cannot be recognised from the data");
      }
      network.recognition = build(std::move(conditionals), section, "recognition");
      return;
    }
    // Default: each hidden node is recognised from its generative children, in node order
    // (gathered in one pass over the edges, not a pass over every node per hidden node).
    std::vector<std::vector<std::size_t>> children_of(network.nodes.size());
    for (std::size_t c = 0; c < network.nodes.size(); ++c)
      for (std::size_t p : network.generative.conditionals[c].parents)
        if (children_of[p].empty() || children_of[p].back() != c) children_of[p].push_back(c);
    for (std::size_t i : network.hidden_nodes()) {
      const std::vector<std::size_t>& children = children_of[i];
      if (children.empty())
        fail(yaml::at(node_entries[i], file.with_field("nodes." + network.nodes[i].name)),
             "hidden node '" + network.nodes[i].name + "' has no children, so the default recognition network "
             "(generative edges reversed) cannot recognise it; declare a recognition entry for it");
      if (!registry.has_default_recognition())
        fail(yaml::at(root_, file), "the model file declares no recognition network, and the registry it is read with "
                                    "names no default recognition distribution; declare a recognition section");
      const NodeShape shape = shape_of(i, children);
      count_parameters(shape, yaml::at(node_entries[i], file.with_field("nodes." + network.nodes[i].name)),
                       "the default recognition network (generative edges reversed) of '" + network.nodes[i].name + "'");
      auto distribution = registry.create(registry.default_recognition(), shape);
      distribution->initialise(rng);
      conditionals[i] = Conditional(std::move(children), std::move(distribution));
    }
    network.recognition = DirectedModel::from(std::move(conditionals));
  }

  Network read(const YAML::Node& root) {
    root_ = root;
    yaml::require_map(root, file, "the model file");
    yaml::check_keys(root, top_level_keys, file);
    if (root["name"]) network.name = yaml::read_string(root["name"], file, "name");
    if (const YAML::Node seed = root["seed"]) network.seed = yaml::read_seed(seed, file, "seed");
    read_nodes(root);
    // Parameters the file leaves out are drawn from the seed, node by node in file order,
    // each plugin drawing all of its parameters so that giving some does not shift the rest.
    Rng rng = make_rng(network.seed);
    read_generative(root, rng);
    read_recognition(root, rng);
    if (const YAML::Node training = root["training"]) network.training = read_training_section(training, file);
    return std::move(network);
  }
};

// The plugin libraries of `plugins:`, each relative to the model file's folder unless absolute,
// loaded into a copy of `registry`; `libraries` gets their absolute paths.
std::optional<Registry> load_plugins(const YAML::Node& root, const Where& file, const Registry& registry,
                                     const Limits& limits, std::vector<std::string>& libraries) {
  const YAML::Node list = root["plugins"];
  if (!list) return std::nullopt;
  namespace fs = std::filesystem;
  yaml::require_list(list, file, "plugins");
  if (!limits.load_plugin_libraries && list.size() > 0)
    fail(yaml::at(list, file.with_field("plugins")), "plugin libraries are not loaded here");
  Registry extended = registry;
  const fs::path folder = fs::path(file.file).parent_path();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Where where = file.with_field("plugins[" + std::to_string(i) + "]");
    const std::string named = yaml::read_string(list[i], where, "the entry");
    const fs::path path = fs::path(named).is_absolute() ? fs::path(named) : folder / named;
    try {
      load_plugin_library(path.string(), extended);
    } catch (const InputError&) {
      throw;
    } catch (const Error& e) {
      fail(yaml::at(list[i], where), e.what());
    }
    libraries.push_back(fs::absolute(path).lexically_normal().string());
  }
  return extended;
}

}  // namespace

Network parse_model(const std::string& text, const std::string& file, const Registry& registry) {
  return parse_model(text, file, registry, Limits::from_environment());
}

Network parse_model(const std::string& text, const std::string& file, const Registry& registry, const Limits& limits) {
  if (text.size() > limits.max_model_bytes)
    fail(Where{file, 0, 0, ""}, "the model file has " + std::to_string(text.size()) + " bytes, more than the limit of " +
                                    std::to_string(limits.max_model_bytes) + " (" + how_to_raise(max_model_bytes_variable) + ")");
  // A model is one document; a second one (after `---`) would otherwise be dropped unread.
  const YAML::Node root = yaml::read_document(text, Where{file, 0, 0, ""},
                                              "a second YAML document begins here, but a model file holds one network "
                                              "(remove the '---' line, or split the file)");
  if (!root || root.IsNull()) fail(Where{file, 1, 0, ""}, "the model file is empty");
  std::vector<std::string> libraries;
  const std::optional<Registry> extended =
      root.IsMap() ? load_plugins(root, Where{file, 0, 0, ""}, registry, limits, libraries) : std::nullopt;
  Reader reader{extended ? *extended : registry, limits, Where{file, 0, 0, ""}};
  reader.network.plugin_libraries = std::move(libraries);
  return reader.read(root);
}

Network read_model(const std::string& file, const Registry& registry) {
  return read_model(file, registry, Limits::from_environment());
}

Network read_model(const std::string& file, const Registry& registry, const Limits& limits) {
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored))
    throw Error("'" + file + "' is a directory, not a model file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot open model file '" + file + "'");
  // Never more than the limit and a byte is read, whatever the file is (a pipe has no size to
  // check first): parse_model refuses the text when it holds that byte.
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= limits.max_model_bytes && in.read(chunk, sizeof chunk).gcount() > 0)
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw Error("cannot read model file '" + file + "'");
  if (text.size() > limits.max_model_bytes) {
    std::error_code size_error;
    const auto size = std::filesystem::file_size(file, size_error);
    const std::string limit = std::to_string(limits.max_model_bytes);
    fail(Where{file, 0, 0, ""}, "the model file has " +
                                    (size_error ? "more than " + limit + " bytes, the limit"
                                                : std::to_string(size) + " bytes, more than the limit of " + limit) +
                                    " (" + how_to_raise(max_model_bytes_variable) + ")");
  }
  return parse_model(text, file, registry, limits);
}

namespace {

void write_direction(YAML::Emitter& out, const Network& network, const DirectedModel& model) {
  out << YAML::BeginMap;
  for (std::size_t i = 0; i < network.nodes.size(); ++i) {
    const Conditional& c = model.conditionals[i];
    if (!c.distribution) continue;
    out << YAML::Key << network.nodes[i].name << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "distribution" << YAML::Value << std::string(c.distribution->kind());
    if (!c.parents.empty()) {
      out << YAML::Key << "parents" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (std::size_t p : c.parents) out << network.nodes[p].name;
      out << YAML::EndSeq;
    }
    write_parameter_blocks(out, *c.distribution);
    c.distribution->write_extra(out);
    if (!c.fixed.empty()) {
      out << YAML::Key << "fixed" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& name : c.fixed) out << name;
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

}  // namespace

std::string model_to_yaml(const Network& network, const std::string& folder) {
  YAML::Emitter out;
  out.SetDoublePrecision(17);
  out << YAML::BeginMap;
  if (!network.name.empty()) out << YAML::Key << "name" << YAML::Value << network.name;
  out << YAML::Key << "seed" << YAML::Value << network.seed;
  if (!network.plugin_libraries.empty()) {
    namespace fs = std::filesystem;
    out << YAML::Key << "plugins" << YAML::Value << YAML::BeginSeq;
    for (const auto& library : network.plugin_libraries)
      out << (folder.empty() ? library
                             : fs::path(library).lexically_relative(fs::absolute(folder).lexically_normal()).string());
    out << YAML::EndSeq;
  }
  out << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
  for (const auto& node : network.nodes) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << node.name << YAML::Key << "type"
        << YAML::Value << "binary" << YAML::Key << "size" << YAML::Value << node.size;
    if (node.observed) out << YAML::Key << "observed" << YAML::Value << true;
    if (const auto& cue = node.cue) {
      out << YAML::Key << "cue" << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "of" << YAML::Value << network.nodes[cue->of].name;
      out << YAML::Key << "image" << YAML::Value << show_shape(cue->image_rows, cue->image_columns);
      out << YAML::Key << "cells" << YAML::Value << show_shape(cue->cell_rows, cue->cell_columns);
      if (cue->threshold != Cue{}.threshold)
        out << YAML::Key << "threshold" << YAML::Value << format_number(cue->threshold);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "generative" << YAML::Value;
  write_direction(out, network, network.generative);
  out << YAML::Key << "recognition" << YAML::Value;
  write_direction(out, network, network.recognition);
  if (network.training) {
    out << YAML::Key << "training" << YAML::Value;
    write_training_section(out, *network.training);
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

void write_model(const Network& network, const std::string& file) {
  const std::string folder = std::filesystem::path(file).parent_path().string();
  write_file_atomically(file, model_to_yaml(network, folder.empty() ? "." : folder));
}

}  // namespace helmholtz
