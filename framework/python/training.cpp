// Training from Python: the trainer `helmholtz train` runs, with the options checked and the
// training: section recorded as the program records them, so that the same seed, options and
// data give the same model file, byte for byte.
#include <algorithm>
#include <cmath>
#include <optional>
#include <thread>

#include <pybind11/stl.h>

#include "framework/engines/training/trainer.hpp"
#include "framework/io/data_file.hpp"
#include "framework/patterns.hpp"
#include "framework/python/arrays.hpp"
#include "framework/python/bindings.hpp"
#include "framework/python/errors.hpp"
#include "framework/python/long_work.hpp"

namespace helmholtz::python {
namespace {

// The keyword arguments of train(); None means "not given", as a missing command-line option.
struct Arguments {
  py::object seed, epochs, algorithm, learning_rate, generative_learning_rate, recognition_learning_rate, batch_size,
      shuffle, optimizer, momentum, schedule, decay, weight_decay, natural_coordinates, samples, sleep_updates, damping,
      cue_epochs, precision, patience, validation, max_hidden_units, resume, data_file, callback;
};

std::optional<double> real(const py::object& value, const char* name) {
  if (value.is_none()) return std::nullopt;
  if (py::isinstance<py::bool_>(value) || !(py::isinstance<py::float_>(value) || py::isinstance<py::int_>(value)))
    fail_argument(std::string(name) + " is " + py::repr(value).cast<std::string>() + ", but must be a number");
  return value.cast<double>();
}

// A number that must be > lower (above) or >= lower, and < upper.
double checked(double x, const char* name, double lower, bool above, double upper = INFINITY) {
  const bool ok = std::isfinite(x) && (above ? x > lower : x >= lower) && x < upper;
  if (!ok)
    fail_argument(std::string(name) + " is " + format_number(x) + ", but must be a number " + (above ? "> " : ">= ") +
                  format_number(lower) + (std::isfinite(upper) ? " and < " + format_number(upper) : ""));
  return x;
}

std::optional<bool> flag(const py::object& value, const char* name) {
  if (value.is_none()) return std::nullopt;
  if (!py::isinstance<py::bool_>(value))
    fail_argument(std::string(name) + " is " + py::repr(value).cast<std::string>() + ", but must be True or False");
  return value.cast<bool>();
}

std::optional<std::string> one_of(const py::object& value, const char* name, const std::vector<std::string>& allowed) {
  if (value.is_none()) return std::nullopt;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  if (!py::isinstance<py::str>(value))
    fail_argument(std::string(name) + " is " + py::repr(value).cast<std::string>() + ", but must be one of " + list);
  const auto text = value.cast<std::string>();
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end())
    fail_argument(std::string(name) + " is '" + text + "', but must be one of " + list);
  return text;
}

// The options of the run over `o` (the defaults, or the record of the run resumed), checked as
// `helmholtz train` checks its command line (framework/cli/train_command.cpp, read_options).
TrainingOptions read_options(const Arguments& a, TrainingOptions o) {
  if (!a.algorithm.is_none()) {
    if (!py::isinstance<py::str>(a.algorithm))
      fail_argument("algorithm is " + py::repr(a.algorithm).cast<std::string>() + ", but must be a name");
    o.algorithm = a.algorithm.cast<std::string>();
  }
  o.epochs = count_argument(a.epochs, "epochs", 1);
  if (const auto rate = real(a.learning_rate, "learning_rate"))
    o.generative_rate = o.recognition_rate = checked(*rate, "learning_rate", 0, true);
  if (const auto rate = real(a.generative_learning_rate, "generative_learning_rate"))
    o.generative_rate = checked(*rate, "generative_learning_rate", 0, true);
  if (const auto rate = real(a.recognition_learning_rate, "recognition_learning_rate"))
    o.recognition_rate = checked(*rate, "recognition_learning_rate", 0, true);
  if (!a.batch_size.is_none()) o.batch_size = count_argument(a.batch_size, "batch_size", 1);
  if (!a.seed.is_none()) o.seed = seed_argument(a.seed, "seed");
  if (const auto shuffle = flag(a.shuffle, "shuffle")) o.shuffle = *shuffle;
  if (const auto optimizer = one_of(a.optimizer, "optimizer", {"sgd", "momentum", "cg"})) o.optimizer = *optimizer;
  if (const auto momentum = real(a.momentum, "momentum")) {
    o.momentum = checked(*momentum, "momentum", 0, false, 1);
    if (o.optimizer != "momentum") fail_argument("momentum applies to optimizer='momentum' only");
  }
  if (const auto schedule = one_of(a.schedule, "schedule", {"constant", "inverse", "exponential"})) o.schedule = *schedule;
  if (const auto decay = real(a.decay, "decay")) o.decay = checked(*decay, "decay", 0, false);
  if (const auto decay = real(a.weight_decay, "weight_decay")) o.weight_decay = checked(*decay, "weight_decay", 0, false);
  if (const auto natural = flag(a.natural_coordinates, "natural_coordinates")) o.natural_coordinates = *natural;
  if (!a.samples.is_none()) o.samples = count_argument(a.samples, "samples", 1);
  if (const auto sleep = flag(a.sleep_updates, "sleep_updates")) o.sleep_updates = *sleep;
  if (const auto damping = real(a.damping, "damping")) o.damping = checked(*damping, "damping", 0, true);
  if (!a.patience.is_none()) o.patience = count_argument(a.patience, "patience", 0);
  if (!a.cue_epochs.is_none()) o.cue_epochs = count_argument(a.cue_epochs, "cue_epochs", 0);
  if (const auto precision = one_of(a.precision, "precision", {"float64", "float32"}))
    o.single_precision = *precision == "float32";
  if (!builtin_algorithms().contains(o.algorithm)) {
    std::string known;
    for (const auto& n : builtin_algorithms().names()) known += (known.empty() ? "" : ", ") + n;
    fail_argument("unknown algorithm '" + o.algorithm + "' (available: " + known + ")");
  }
  return o;
}

py::object number_or_none(double x) { return std::isnan(x) ? py::object(py::none()) : py::object(py::float_(x)); }

py::dict report_dict(const EpochReport& r) {
  py::dict out;
  out["epoch"] = r.epoch;
  out["seconds"] = r.seconds;
  out["patterns_per_second"] = r.patterns_per_second;
  out["sampled_bound"] = r.sampled_bound;
  out["objective"] = number_or_none(r.objective);
  out["validation_log_likelihood"] = number_or_none(r.validation_log_likelihood);
  out["validation_exact_bound"] = number_or_none(r.validation_exact_bound);
  out["validation_sampled_bound"] = number_or_none(r.validation_sampled_bound);
  return out;
}

py::dict train_network(const Handle& h, py::handle data, const Arguments& a) {
  const TrainingUse use(*h);
  Network& network = h->network;
  const bool resume = flag(a.resume, "resume").value_or(false);
  Patterns patterns = patterns_argument(data, network.visible_units(), "data");
  if (!a.data_file.is_none()) {
    if (!patterns.file.empty())
      fail_argument("data_file names the file an array of patterns came from; data given as a file (" + patterns.file +
                    ") is recorded as that name");
    const auto name = path_argument(a.data_file);
    if (!name) fail_argument("data_file is " + py::repr(a.data_file).cast<std::string>() + ", but must be a file name");
    patterns.file = *name;
  }
  const std::string checksum = data_checksum(patterns.bytes);

  TrainingSetup setup;
  TrainingOptions base;
  std::vector<std::string> notes;
  if (resume) {
    if (!network.training)
      fail_argument("resume=True continues a recorded run, and this network has no training: section (train it "
                    "without resume first)");
    const TrainingRecord& record = *network.training;
    if (record.data_checksum.empty())
      throw Error("resume: the training: section records no data_checksum, so the data cannot be checked; leave out "
                  "resume to train on");
    if (record.data_checksum != checksum)
      throw Error("resume: " + (patterns.file.empty() ? std::string("the data") : patterns.file) +
                  " holds other patterns than the run being resumed was trained on (" + record.data_file + ", checksum " +
                  record.data_checksum + ", here " + checksum + "); to train on these data, leave out resume");
    if (!a.seed.is_none() && seed_argument(a.seed, "seed") != record.options.seed)
      fail_argument("resume=True continues the recorded run, whose seed is " + std::to_string(record.options.seed) +
                    "; leave out seed, or resume to start a new run");
    if (!a.algorithm.is_none() && py::str(a.algorithm).cast<std::string>() != record.options.algorithm)
      fail_argument("resume=True continues a run of " + record.options.algorithm +
                    "; leave out resume to train on with another algorithm");
    base = record.options;
    // Early stopping watches validation data, which a model file does not record.
    if (a.validation.is_none()) base.patience = 0;
    setup.epochs_completed = record.epochs_completed;
    setup.optimiser_state = record.optimiser_state;
    if (patterns.file.empty()) patterns.file = record.data_file;  // the same patterns (the checksum says so)
    if (record.interrupted)
      notes.push_back("the run was interrupted during epoch " + std::to_string(record.epochs_completed + 1) +
                      "; it goes on from the parameters reached then, so it will not match an uninterrupted run exactly");
  } else if (a.seed.is_none()) {
    fail_argument("train() needs a seed (the seed of every random stream: same seed, same result), unless resume=True");
  }
  TrainingOptions options = read_options(a, base);

  std::optional<Matrix> validation;
  if (!a.validation.is_none())
    validation = to_matrix(patterns_argument(a.validation, network.visible_units(), "validation").bytes);
  if (options.patience > 0 && !validation)
    fail_argument("patience needs validation data (the data it watches)");
  setup.validation = validation ? &*validation : nullptr;
  setup.validation_max_hidden_units = count_argument(a.max_hidden_units, "max_hidden_units", 0);
  setup.on_note = [&notes](const std::string& note) { notes.push_back(note); };
  if (!a.callback.is_none() && !PyCallable_Check(a.callback.ptr()))
    fail_argument("callback is " + py::repr(a.callback).cast<std::string>() +
                  ", but must be callable (it is called with each epoch's report)");

  std::vector<EpochReport> reports;
  bool callback_raised = false;
  bool trained = false;
  TrainingOutcome outcome;
  std::exception_ptr failure;
  try {
    run_long_work([&](const std::atomic<bool>& stop, CallerThread& caller) {
      options.interrupt = &stop;
      const auto on_epoch = [&](const EpochReport& report) {
        reports.push_back(report);
        if (a.callback.is_none()) return;
        const auto outcome = caller.run([&] {
          // The trainer waits: the parameters hold still, so the callback may read them.
          h->paused = true;
          h->callback_thread = std::this_thread::get_id();
          struct Resume {
            NetworkHandle& h;
            ~Resume() { h.paused = false; }
          } resume_after{*h};
          a.callback(report_dict(report));
        });
        if (outcome == CallerThread::Outcome::raised) callback_raised = true;
      };
      outcome = helmholtz::train(network, patterns.bytes, options, setup, on_epoch);
      trained = true;
    });
  } catch (...) {
    failure = std::current_exception();
  }
  if (trained) {  // recorded as `helmholtz train` records it, also when stopped
    TrainingRecord record;
    record.options = options;
    record.options.interrupt = nullptr;
    record.epochs_completed = outcome.epochs_completed;
    // Stopped by the callback, the run stops before the next epoch's first step: the parameters
    // are those of the last epoch completed, as a shorter run would leave them.
    record.interrupted = outcome.interrupted && !callback_raised;
    record.data_file = patterns.file;
    record.data_checksum = checksum;
    record.optimiser_state = setup.optimiser_state;
    network.training = record;
  }
  if (failure) std::rethrow_exception(failure);

  py::list history;
  for (const EpochReport& r : reports) history.append(report_dict(r));
  py::dict out;
  out["epochs_completed"] = outcome.epochs_completed;
  out["diverged"] = outcome.diverged;
  out["stopped_early"] = outcome.stopped_early;
  out["best_epoch"] = outcome.best_epoch == 0 ? py::object(py::none()) : py::object(py::int_(outcome.best_epoch));
  out["message"] = outcome.message.empty() ? py::object(py::none()) : py::object(text(outcome.message));
  out["history"] = history;
  out["notes"] = notes;
  if (outcome.diverged)
    if (PyErr_WarnEx(PyExc_RuntimeWarning, outcome.message.c_str(), 1) != 0) throw py::error_already_set();
  return out;
}

}  // namespace

void bind_training(py::module_& module, NetworkClass& network) {
  module.def(
      "algorithms",
      [] {
        py::dict out;
        for (const auto& name : builtin_algorithms().names()) out[text(name)] = builtin_algorithms().info(name).summary;
        return out;
      },
      "algorithms() -> dict\n\nThe learning algorithms train() accepts, each with a one-line summary.");
  network.def(
      "train",
      [](const Handle& h, py::handle data, py::object seed, py::object epochs, py::object algorithm,
         py::object learning_rate, py::object generative_learning_rate, py::object recognition_learning_rate,
         py::object batch_size, py::object shuffle, py::object optimizer, py::object momentum, py::object schedule,
         py::object decay, py::object weight_decay, py::object natural_coordinates, py::object samples,
         py::object sleep_updates, py::object damping, py::object cue_epochs, py::object precision, py::object patience,
         py::object validation, py::object max_hidden_units, py::object resume, py::object data_file,
         py::object callback) {
        const Arguments a{seed, epochs, algorithm, learning_rate, generative_learning_rate, recognition_learning_rate,
                          batch_size, shuffle, optimizer, momentum, schedule, decay, weight_decay, natural_coordinates,
                          samples, sleep_updates, damping, cue_epochs, precision, patience, validation,
                          max_hidden_units, resume, data_file, callback};
        return train_network(h, data, a);
      },
      py::arg("data"), py::kw_only(), py::arg("seed") = py::none(), py::arg("epochs") = 10,
      py::arg("algorithm") = py::none(), py::arg("learning_rate") = py::none(),
      py::arg("generative_learning_rate") = py::none(), py::arg("recognition_learning_rate") = py::none(),
      py::arg("batch_size") = py::none(), py::arg("shuffle") = py::none(), py::arg("optimizer") = py::none(),
      py::arg("momentum") = py::none(), py::arg("schedule") = py::none(), py::arg("decay") = py::none(),
      py::arg("weight_decay") = py::none(), py::arg("natural_coordinates") = py::none(),
      py::arg("samples") = py::none(), py::arg("sleep_updates") = py::none(), py::arg("damping") = py::none(),
      py::arg("cue_epochs") = py::none(), py::arg("precision") = py::none(), py::arg("patience") = py::none(),
      py::arg("validation") = py::none(), py::arg("max_hidden_units") = 20, py::arg("resume") = false,
      py::arg("data_file") = py::none(), py::arg("callback") = py::none(),
      "train(data, *, seed, epochs=10, algorithm='wake-sleep', learning_rate=0.01, ...,\n"
      "      validation=None, resume=False, data_file=None, callback=None) -> dict\n\n"
      "Trains the network in place, as `helmholtz train` does: the same seed, options and data\n"
      "give the same parameters and the same training: section, so save() writes the file the\n"
      "program writes, byte for byte (docs/training.md).\n\n"
      "data: a 2-D array of 0/1 (uint8 or bool), or a data file's name, which the training:\n"
      "section records as given (for an array, give data_file= to record a name). The options\n"
      "are those of the program, with _ for -: seed (required unless resume), epochs, algorithm\n"
      "(see helmholtz.algorithms()), learning_rate, generative_learning_rate,\n"
      "recognition_learning_rate, batch_size, shuffle, optimizer ('sgd', 'momentum', 'cg'),\n"
      "momentum, schedule ('constant', 'inverse', 'exponential'), decay, weight_decay,\n"
      "natural_coordinates, samples, sleep_updates, damping, cue_epochs, precision ('float64',\n"
      "'float32'), patience; validation (held-out patterns, scored every epoch, exactly up to\n"
      "max_hidden_units hidden units) and resume=True (continue the recorded run, on the same\n"
      "data). Options left as None take the program's defaults, or with resume the recorded ones.\n\n"
      "callback(report) is called after every epoch, on this thread, with a dict: epoch, seconds,\n"
      "patterns_per_second, sampled_bound, objective, validation_log_likelihood,\n"
      "validation_exact_bound, validation_sampled_bound (None when not computed). Training waits\n"
      "meanwhile, so the callback may read the parameters (not change them). If it raises,\n"
      "training stops before the next epoch's first step and the exception propagates: the\n"
      "network keeps the parameters of that epoch, and its training: section records the run up\n"
      "to it, as a run of that many epochs would.\n\n"
      "Returns a dict: epochs_completed (in all, counting resumed runs), diverged, stopped_early,\n"
      "best_epoch, message, history (the reports) and notes. A run that diverges keeps the last\n"
      "good parameters, as the program does, and warns (RuntimeWarning).\n\n"
      "Runs without the GIL. Ctrl-C (or another signal handler that raises) stops training before\n"
      "the next minibatch, within moments, and raises KeyboardInterrupt: the network keeps the\n"
      "parameters reached so far and its training: section records the last whole epoch with\n"
      "interrupted: true, as `helmholtz train` writes them after Ctrl-C.");
}

}  // namespace helmholtz::python
