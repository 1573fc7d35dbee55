// Loading and saving networks, their structure, and their parameters as numpy arrays.
#include <algorithm>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "framework/io/model_file.hpp"
#include "framework/plugin_library.hpp"
#include "framework/python/arrays.hpp"
#include "framework/python/bindings.hpp"
#include "framework/python/errors.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::python {
namespace {

const char* direction_name(bool generative) { return generative ? "generative" : "recognition"; }

DirectedModel& model_of(NetworkHandle& h, bool generative) {
  return generative ? h.network.generative : h.network.recognition;
}

std::string list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// One node's distribution in one direction, as Python sees it: a view that reads and writes
// the network's own values, kept alive by the handle.
struct ConditionalView {
  Handle handle;
  bool generative = true;
  std::size_t node = 0;

  const Network& network() const { return handle->network; }
  const Conditional& conditional() const { return model_of(*handle, generative).conditionals[node]; }
  const Distribution& distribution() const { return *conditional().distribution; }
  const std::string& node_name() const { return network().nodes[node].name; }
  // How messages name the entry, as the model-file reader does: "generative.data (noisy-or)".
  std::string field() const {
    return std::string(direction_name(generative)) + "." + node_name() + " (" + std::string(distribution().kind()) + ")";
  }
  const ParameterBlock& block(const std::string& name) const {
    if (const ParameterBlock* b = distribution().block(name)) return *b;
    std::vector<std::string> names;
    for (const auto& b : distribution().blocks()) names.push_back(b.name);
    throw py::key_error("'" + name + "' is not a parameter block of " + std::string(distribution().kind()) +
                        " (blocks: " + list(names) + ")");
  }
};

// One direction of the network, as a mapping from node name to ConditionalView.
struct DirectionView {
  Handle handle;
  bool generative = true;

  const DirectedModel& model() const { return model_of(*handle, generative); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    const Network& n = handle->network;
    for (std::size_t i = 0; i < n.nodes.size(); ++i)
      if (model().conditionals[i].distribution) out.push_back(n.nodes[i].name);
    return out;
  }
  ConditionalView at(const std::string& name) const {
    const Network& n = handle->network;
    for (std::size_t i = 0; i < n.nodes.size(); ++i) {
      if (n.nodes[i].name != name) continue;
      if (!model().conditionals[i].distribution)
        throw py::key_error("'" + name + "' is observed, so it has no recognition distribution (the data gives it)");
      return {handle, generative, i};
    }
    std::vector<std::string> all;
    for (const Node& node : n.nodes) all.push_back(node.name);
    throw py::key_error("unknown node '" + name + "' (nodes: " + list(all) + ")");
  }
};

// ---- Parameters ---------------------------------------------------------------------------

py::array_t<double> per_unit_values(const ConditionalView& v, const ParameterBlock& b) {
  const ParameterView theta = v.distribution().parameters();
  std::vector<double> values(theta.begin() + b.offset, theta.begin() + b.offset + b.size);  // no Python in between
  py::array_t<double> out(b.size);
  std::copy(values.begin(), values.end(), out.mutable_data());
  return read_only(out);
}

py::dict per_parent_values(const ConditionalView& v, const ParameterBlock& b) {
  const NodeShape& shape = v.distribution().shape();
  const ParameterView theta = v.distribution().parameters();
  std::vector<double> values(theta.begin() + b.offset, theta.begin() + b.offset + b.size);
  const std::size_t columns = shape.parent_units();
  py::dict out;
  std::size_t offset = 0;
  for (const ParentShape& parent : shape.parents) {
    py::array_t<double> matrix({shape.units, parent.units});
    double* m = matrix.mutable_data();
    for (std::size_t j = 0; j < shape.units; ++j)
      for (std::size_t k = 0; k < parent.units; ++k) m[j * parent.units + k] = values[j * columns + offset + k];
    out[text(parent.name)] = read_only(matrix);
    offset += parent.units;
  }
  return out;
}

py::object block_values(const ConditionalView& v, const std::string& name) {
  check_readable(*v.handle);
  const ParameterBlock& b = v.block(name);
  if (b.layout == BlockLayout::per_unit) return per_unit_values(v, b);
  return per_parent_values(v, b);
}

// A value given for a block, as float64; refused with a message naming it when it is not numbers.
py::array_t<double> numbers(py::handle value, const std::string& field, const std::string& what) {
  auto array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(value);
  if (!array)
    throw InputError(Where{.field = field}, what + " is a " + py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>() +
                                                ", but must be an array of numbers");
  return array;
}

// The node's values with a new block written in, each checked against its block's valid range
// exactly as the model-file reader checks it (same message, without the file's line).
void commit(ConditionalView& v, std::vector<double> values) {
  check_changeable(*v.handle);
  const Distribution& d = v.distribution();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const ParameterRange& range = d.block_of(i).valid;
    if (!range.contains(values[i]))
      throw InputError(Where{.field = v.field()},
                       d.parameter_name(i) + " is " + format_number(values[i]) + ", but must be " + range.describe());
  }
  DirectedModel& model = model_of(*v.handle, v.generative);
  const std::span<double> slice = model.slice(model.parameters, v.node);
  std::copy(values.begin(), values.end(), slice.begin());
  model.parameters_changed();
}

std::vector<double> current_values(const ConditionalView& v) {
  const ParameterView theta = v.distribution().parameters();
  return std::vector<double>(theta.begin(), theta.end());
}

void set_block(ConditionalView& v, const std::string& name, py::handle value) {
  check_changeable(*v.handle);
  const ParameterBlock& b = v.block(name);
  const NodeShape& shape = v.distribution().shape();
  const std::string field = v.field();
  std::vector<double> values = current_values(v);
  if (b.layout == BlockLayout::per_unit) {
    const auto array = numbers(value, field, name);
    if (array.ndim() != 1)
      throw InputError(Where{.field = field}, name + " is a " + std::to_string(array.ndim()) + "-D array, but must be a list of " +
                                                  std::to_string(b.size) + " numbers (one per unit of '" + shape.node + "')");
    if (static_cast<std::size_t>(array.shape(0)) != b.size)
      throw InputError(Where{.field = field},
                       name + " has " + std::to_string(array.shape(0)) + " entries, but must have " + std::to_string(b.size));
    std::copy(array.data(), array.data() + b.size, values.begin() + static_cast<std::ptrdiff_t>(b.offset));
    commit(v, std::move(values));
    return;
  }
  std::vector<std::string> parent_names;
  for (const auto& p : shape.parents) parent_names.push_back(p.name);
  if (!py::isinstance<py::dict>(value))
    throw InputError(Where{.field = field},
                     name + " is a " + py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>() +
                         ", but must be a dict from parent name to matrix (parents: " +
                         (parent_names.empty() ? "none" : list(parent_names)) + ")");
  const auto matrices = py::reinterpret_borrow<py::dict>(value);
  for (const auto& [key, matrix] : matrices) {
    const std::string parent = py::str(key);
    if (std::find(parent_names.begin(), parent_names.end(), parent) == parent_names.end())
      throw InputError(Where{.field = field}, name + "[" + parent + "]: '" + parent + "' is not a parent of '" + shape.node +
                                                  "' (parents: " + (parent_names.empty() ? "none" : list(parent_names)) + ")");
  }
  const std::size_t columns = shape.parent_units();
  std::size_t offset = 0;
  for (const ParentShape& parent : shape.parents) {
    const py::str key = text(parent.name);
    if (matrices.contains(key)) {
      const std::string what = name + "[" + parent.name + "]";
      const auto array = numbers(matrices[key], field, what);
      if (array.ndim() != 2)
        throw InputError(Where{.field = field},
                         what + " is a " + std::to_string(array.ndim()) + "-D array, but must be a matrix of " +
                             std::to_string(shape.units) + " rows (one per unit of '" + shape.node + "') and " +
                             std::to_string(parent.units) + " columns (one per unit of '" + parent.name + "')");
      if (static_cast<std::size_t>(array.shape(0)) != shape.units)
        throw InputError(Where{.field = field}, what + " has " + std::to_string(array.shape(0)) + " rows, but must have " +
                                                    std::to_string(shape.units) + " (one per unit of '" + shape.node + "')");
      if (static_cast<std::size_t>(array.shape(1)) != parent.units)
        throw InputError(Where{.field = field}, what + " has " + std::to_string(array.shape(1)) +
                                                    " columns, but must have " + std::to_string(parent.units) +
                                                    " (one per unit of '" + parent.name + "')");
      const double* m = array.data();
      for (std::size_t j = 0; j < shape.units; ++j)
        for (std::size_t k = 0; k < parent.units; ++k) values[b.offset + j * columns + offset + k] = m[j * parent.units + k];
    }
    offset += parent.units;
  }
  commit(v, std::move(values));
}

void set_flat(ConditionalView& v, py::handle value) {
  check_changeable(*v.handle);
  const auto array = numbers(value, v.field(), "parameters");
  const std::size_t count = v.distribution().parameter_count();
  if (array.ndim() != 1 || static_cast<std::size_t>(array.size()) != count)
    throw InputError(Where{.field = v.field()}, "parameters has shape " + py::repr(array.attr("shape")).cast<std::string>() +
                                                    ", but must be " + std::to_string(count) +
                                                    " numbers (every block in order, as the property gives them)");
  commit(v, std::vector<double>(array.data(), array.data() + count));
}

// ---- Structure ----------------------------------------------------------------------------

py::dict node_dict(const Network& network, const Node& node) {
  py::dict out;
  out["name"] = text(node.name);
  out["size"] = node.size;
  out["observed"] = node.observed;
  if (node.cue) {
    py::dict cue;
    cue["of"] = text(network.nodes[node.cue->of].name);
    cue["image"] = py::make_tuple(node.cue->image_rows, node.cue->image_columns);
    cue["cells"] = py::make_tuple(node.cue->cell_rows, node.cue->cell_columns);
    cue["threshold"] = node.cue->threshold;
    out["cue"] = cue;
  } else {
    out["cue"] = py::none();
  }
  return out;
}

py::object training_dict(const Network& network) {
  if (!network.training) return py::none();
  const TrainingRecord& r = *network.training;
  const TrainingOptions& o = r.options;
  py::dict options;
  options["batch_size"] = o.batch_size;
  options["generative_learning_rate"] = o.generative_rate;
  options["recognition_learning_rate"] = o.recognition_rate;
  options["shuffle"] = o.shuffle;
  options["optimizer"] = o.optimizer;
  options["momentum"] = o.momentum;
  options["schedule"] = o.schedule;
  options["decay"] = o.decay;
  options["weight_decay"] = o.weight_decay;
  options["natural_coordinates"] = o.natural_coordinates;
  options["samples"] = o.samples;
  options["sleep_updates"] = o.sleep_updates;
  options["damping"] = o.damping;
  options["patience"] = o.patience;
  options["precision"] = o.single_precision ? "float32" : "float64";
  options["cue_epochs"] = o.cue_epochs;
  py::dict state;
  for (const auto& [part, vectors] : r.optimiser_state) {
    py::dict named;
    for (const auto& [key, v] : vectors) named[text(key)] = read_only(to_numpy(v));
    state[text(part)] = named;
  }
  py::dict out;
  out["algorithm"] = text(o.algorithm);
  out["epochs_completed"] = r.epochs_completed;
  out["interrupted"] = r.interrupted;
  out["seed"] = o.seed;
  out["data"] = r.data_file.empty() ? py::object(py::none()) : py::object(text(r.data_file));
  out["data_checksum"] = r.data_checksum.empty() ? py::object(py::none()) : py::object(text(r.data_checksum));
  out["options"] = options;
  out["optimizer_state"] = state;
  return out;
}

// The built-in distributions and those of the plugin libraries named (as `helmholtz --plugin`).
Registry registry_with(const std::vector<std::filesystem::path>& plugins) {
  Registry registry = builtin_registry();
  for (const auto& library : plugins) load_plugin_library(library.string(), registry);
  return registry;
}

Handle load(const std::filesystem::path& file, const std::vector<std::filesystem::path>& plugins) {
  Network network = [&] {
    const py::gil_scoped_release no_gil;
    return read_model(file.string(), registry_with(plugins));
  }();
  return std::make_shared<NetworkHandle>(std::move(network));
}

Handle parse(const std::string& text, const std::string& file, const std::vector<std::filesystem::path>& plugins) {
  Network network = [&] {
    const py::gil_scoped_release no_gil;
    return parse_model(text, file, registry_with(plugins));
  }();
  return std::make_shared<NetworkHandle>(std::move(network));
}

std::string yaml_of(NetworkHandle& h) {
  check_readable(h);
  check_not_training(h, "write it");
  const LongRead use(h);
  const py::gil_scoped_release no_gil;
  return model_to_yaml(h.network);
}

Handle copy_of(NetworkHandle& h) {
  check_not_training(h, "copy it");
  const LongRead use(h);
  Network copy = [&] {
    const py::gil_scoped_release no_gil;
    return h.network;
  }();
  return std::make_shared<NetworkHandle>(std::move(copy));
}

std::string repr_of(const NetworkHandle& h) {
  const Network& n = h.network;
  return "<helmholtz.Network '" + n.name + "': " + std::to_string(n.nodes.size()) + " nodes, " +
         std::to_string(n.visible_units()) + " visible and " + std::to_string(n.hidden_units()) + " hidden units>";
}

}  // namespace

void bind_network(py::module_& module, NetworkClass& network) {
  module.def("load", &load, py::arg("file"), py::kw_only(), py::arg("plugins") = std::vector<std::filesystem::path>{},
             "load(file, *, plugins=()) -> Network\n\n"
             "Reads a model file (docs/model-file.md), as `helmholtz check` does: a mistake raises\n"
             "helmholtz.InputError with the message the program prints, naming the file, line and\n"
             "column, the entry and what was allowed. Parameters the file leaves out are drawn from\n"
             "its seed. Limits (HELMHOLTZ_MAX_* variables, docs/limits.md) apply as to the program.\n"
             "plugins: plugin libraries whose distributions the file may use besides the built-in ones\n"
             "(as `helmholtz --plugin LIB`); those the file names itself (plugins:) are loaded too.");
  module.def("parse", &parse, py::arg("text"), py::arg("file") = "<string>", py::kw_only(),
             py::arg("plugins") = std::vector<std::filesystem::path>{},
             "parse(text, file='<string>', *, plugins=()) -> Network\n\n"
             "A network from model-file text; `file` names it in messages and is where plugin\n"
             "libraries named relative to it are looked for.");
  module.def(
      "distributions",
      [](const std::vector<std::filesystem::path>& plugins) { return registry_with(plugins).names(); },
      py::kw_only(), py::arg("plugins") = std::vector<std::filesystem::path>{},
      "distributions(*, plugins=()) -> list of str\n\n"
      "The distributions a model file may name: the built-in noisy-or, odds-sum and sigmoid, and\n"
      "those of the plugin libraries given.");

  network.def("save", [](NetworkHandle& h, const std::filesystem::path& file) {
    check_readable(h);
    check_not_training(h, "save it");
    const LongRead use(h);
    const py::gil_scoped_release no_gil;
    write_model(h.network, file.string());
  }, py::arg("file"),
              "save(file)\n\n"
              "Writes the model file as `helmholtz train --output` does: every parameter in full\n"
              "precision (reading it back gives the same network bit for bit), the seed, the\n"
              "recognition section, fixed blocks and the training: section. Written atomically:\n"
              "to a temporary file beside `file`, then renamed.");
  network.def("to_yaml", &yaml_of, "to_yaml() -> str\n\nThe text save() writes.");
  network.def("copy", &copy_of, "copy() -> Network\n\nAn independent copy (parameters, structure and training record).");
  network.def("__copy__", &copy_of);
  network.def("__deepcopy__", [](NetworkHandle& h, py::handle) { return copy_of(h); }, py::arg("memo"));
  network.def(py::pickle([](NetworkHandle& h) { return py::make_tuple(yaml_of(h)); },
                         [](const py::tuple& state) {
                           if (state.size() != 1) throw std::runtime_error("a pickled helmholtz.Network holds one text");
                           return parse(state[0].cast<std::string>(), "<pickle>", {});
                         }));
  network.def("__repr__", &repr_of);

  network.def_property_readonly("name", [](const NetworkHandle& h) { return text(h.network.name); },
                                "The model's name (empty when the file gives none).");
  network.def_property_readonly("seed", [](const NetworkHandle& h) { return h.network.seed; },
                                "The seed that drew the parameters the model file left out.");
  network.def_property_readonly(
      "nodes",
      [](const NetworkHandle& h) {
        py::list out;
        for (const Node& n : h.network.nodes) out.append(node_dict(h.network, n));
        return out;
      },
      "The nodes in declaration order, each a dict: name, size (units), observed, cue (None, or\n"
      "a dict of, image, cells, threshold).");
  network.def_property_readonly(
      "node_names",
      [](const NetworkHandle& h) {
        py::list out;
        for (const Node& n : h.network.nodes) out.append(text(n.name));
        return out;
      },
      "The nodes' names in declaration order.");
  network.def_property_readonly(
      "observed_nodes",
      [](const NetworkHandle& h) {
        py::list out;
        for (std::size_t i : h.network.observed_nodes()) out.append(text(h.network.nodes[i].name));
        return out;
      },
      "The observed nodes in declaration order: their units, side by side, are the columns of the data.");
  network.def_property_readonly(
      "hidden_nodes",
      [](const NetworkHandle& h) {
        py::list out;
        for (std::size_t i : h.network.hidden_nodes()) out.append(text(h.network.nodes[i].name));
        return out;
      },
      "The hidden nodes in declaration order (their units, in this order, number the hidden units).");
  network.def_property_readonly("visible_units", [](const NetworkHandle& h) { return h.network.visible_units(); },
                                "Units of the observed nodes: the columns of a data array.");
  network.def_property_readonly("hidden_units", [](const NetworkHandle& h) { return h.network.hidden_units(); },
                                "Units of the hidden nodes.");
  network.def_property_readonly("recognition_declared",
                                [](const NetworkHandle& h) { return h.network.recognition_declared; },
                                "False when the model file gives no recognition section (generative edges reversed).");
  network.def_property_readonly(
      "training",
      [](const NetworkHandle& h) {
        check_readable(h);
        return training_dict(h.network);
      },
      "How the network was trained (the model file's training: section), or None: a dict of\n"
      "algorithm, epochs_completed, interrupted, seed, data, data_checksum, options (the keys\n"
      "of the file) and optimizer_state (part -> name -> array). During train() it still holds\n"
      "the record from before the call.");
  network.def_property_readonly(
      "generative", [](const Handle& h) { return DirectionView{h, true}; },
      "The generative model P: a mapping from every node's name to its distribution given its parents.");
  network.def_property_readonly(
      "recognition", [](const Handle& h) { return DirectionView{h, false}; },
      "The recognition model Q: a mapping from every hidden node's name to its distribution.");

  py::class_<DirectionView>(module, "Direction",
                            "One direction of a network (net.generative or net.recognition): a read-only mapping\n"
                            "from node name to Conditional, in node declaration order.")
      .def("__len__", [](const DirectionView& d) { return d.names().size(); })
      .def("__iter__", [](const DirectionView& d) { return py::iter(py::cast(d.names())); })
      .def("keys", [](const DirectionView& d) { return d.names(); }, "The nodes that have a distribution here.")
      .def("values",
           [](const DirectionView& d) {
             std::vector<ConditionalView> out;
             for (const auto& n : d.names()) out.push_back(d.at(n));
             return out;
           })
      .def("items",
           [](const DirectionView& d) {
             py::list out;
             for (const auto& n : d.names()) out.append(py::make_tuple(text(n), d.at(n)));
             return out;
           })
      .def("__contains__", [](const DirectionView& d, const std::string& name) {
        const auto names = d.names();
        return std::find(names.begin(), names.end(), name) != names.end();
      })
      .def("__getitem__", &DirectionView::at)
      .def_property_readonly("name", [](const DirectionView& d) { return direction_name(d.generative); },
                             "'generative' or 'recognition'.")
      .def_property_readonly(
          "order",
          [](const DirectionView& d) {
            std::vector<std::string> out;
            for (std::size_t i : d.model().order)
              if (d.model().conditionals[i].distribution) out.push_back(d.handle->network.nodes[i].name);
            return out;
          },
          "The nodes in the order sampling visits them: parents before children.")
      .def_property_readonly("parameter_count", [](const DirectionView& d) { return d.model().parameter_count(); },
                             "Parameters of every node of this direction.")
      .def("__repr__", [](const DirectionView& d) {
        return "<helmholtz.Direction " + std::string(direction_name(d.generative)) + ": " + list(d.names()) + ">";
      });

  py::class_<ConditionalView>(
      module, "Conditional",
      "A node's distribution in one direction (net.generative['data']). Its parameter blocks are\n"
      "read as c['bias'] (a float64 array, one number per unit) and c['weights'] (a dict from\n"
      "each parent's name to a matrix: a row per unit of the node, a column per unit of that\n"
      "parent), as the model file lays them out. The arrays are read-only copies: to change\n"
      "values, assign a whole block (c['bias'] = b; c['weights'] = {'mid': W}, parents left out\n"
      "keep their values). Assigned values are checked as the model-file reader checks them,\n"
      "with the same messages (helmholtz.InputError), and nothing changes when one is refused.")
      .def_property_readonly("node", [](const ConditionalView& c) { return text(c.node_name()); })
      .def_property_readonly("direction", [](const ConditionalView& c) { return direction_name(c.generative); })
      .def_property_readonly("distribution", [](const ConditionalView& c) { return std::string(c.distribution().kind()); },
                             "The plugin's registered name: sigmoid, noisy-or, odds-sum.")
      .def_property_readonly(
          "parents",
          [](const ConditionalView& c) {
            std::vector<std::string> out;
            for (std::size_t p : c.conditional().parents) out.push_back(c.network().nodes[p].name);
            return out;
          },
          "The parents in the order their units are laid side by side for the distribution.")
      .def_property_readonly("fixed", [](const ConditionalView& c) { return c.conditional().fixed; },
                             "The blocks training leaves as they are (the entry's fixed: list).")
      .def_property_readonly("units", [](const ConditionalView& c) { return c.network().nodes[c.node].size; })
      .def_property_readonly(
          "blocks",
          [](const ConditionalView& c) {
            std::vector<std::string> out;
            for (const auto& b : c.distribution().blocks()) out.push_back(b.name);
            return out;
          },
          "The names of the parameter blocks, as the model file's keys.")
      .def_property_readonly("parameter_count", [](const ConditionalView& c) { return c.distribution().parameter_count(); })
      .def("keys",
           [](const ConditionalView& c) {
             std::vector<std::string> out;
             for (const auto& b : c.distribution().blocks()) out.push_back(b.name);
             return out;
           })
      .def("__contains__", [](const ConditionalView& c, const std::string& name) { return c.distribution().block(name) != nullptr; })
      .def("__getitem__", &block_values, py::arg("block"))
      .def("__setitem__", &set_block, py::arg("block"), py::arg("value"))
      .def_property(
          "parameters",
          [](const ConditionalView& c) {
            check_readable(*c.handle);
            return read_only(to_numpy(Vector(c.distribution().parameters())));
          },
          &set_flat,
          "Every parameter as one float64 array, block after block ([b_0 ... b_n-1 | W row by row]\n"
          "for the built-in plugins, the parents' columns side by side in `parents` order). A\n"
          "read-only copy; assign a whole array to change them (checked like a block).")
      .def("__repr__", [](const ConditionalView& c) {
        std::string parents;
        for (std::size_t p : c.conditional().parents) parents += (parents.empty() ? "" : ", ") + c.network().nodes[p].name;
        return "<helmholtz.Conditional " + std::string(direction_name(c.generative)) + "." + c.node_name() + ": " +
               std::string(c.distribution().kind()) + " given [" + parents + "]>";
      });
}

}  // namespace helmholtz::python
