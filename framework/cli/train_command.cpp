// helmholtz train MODEL --data FILE --seed S --output OUT.yaml [--algorithm NAME] ...
//
// In an MPI job of several ranks (job.hpp, docs/distributed.md) training is data-parallel:
// every rank reads and checks the same input, each minibatch is split over the ranks
// (TrainingSetup::communicator), and rank 0 alone writes the model, the learning curve and
// the lines on stderr (the ranks step together, so its progress is the job's).
#include <cmath>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "framework/cli/command.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/cli/interrupt.hpp"
#include "framework/cli/job.hpp"
#include "framework/cli/progress.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"
#include "framework/io/text_lines.hpp"

namespace helmholtz::cli {
namespace {

// A number for a progress line or a CSV cell: 4 decimals, or 6 significant digits when it is
// very large (a diverging run must not print 300 digits), empty in a CSV when unknown.
std::string show(double x, bool csv = false) {
  if (std::isnan(x)) return csv ? "" : "-";
  std::ostringstream out;
  if (std::abs(x) < 1e6) out << std::fixed << std::setprecision(csv ? 6 : 4) << x;
  else out << std::setprecision(6) << x;
  return out.str();
}

// Options from the command line over `base` (the defaults, or the record of a run resumed).
TrainingOptions read_options(const Arguments& args, TrainingOptions o) {
  o.algorithm = args.optional_text("--algorithm").value_or(o.algorithm);
  o.epochs = args.count_or("--epochs", 10);
  if (args.has("--learning-rate")) o.generative_rate = o.recognition_rate = args.real_or("--learning-rate", 0.0);
  o.generative_rate = args.real_or("--generative-learning-rate", o.generative_rate);
  o.recognition_rate = args.real_or("--recognition-learning-rate", o.recognition_rate);
  if (!(o.generative_rate > 0) || !(o.recognition_rate > 0)) throw UsageError("helmholtz train: learning rates must be > 0");
  o.batch_size = args.count_or("--batch-size", o.batch_size);
  if (args.has("--seed")) o.seed = args.count("--seed", 0);
  if (args.flag("--no-shuffle")) o.shuffle = false;
  o.optimizer = args.optional_text("--optimizer").value_or(o.optimizer);
  if (o.optimizer != "sgd" && o.optimizer != "momentum" && o.optimizer != "cg")
    throw UsageError("helmholtz train: unknown optimizer '" + o.optimizer + "' (available: sgd, momentum, cg)");
  o.momentum = args.real_or("--momentum", o.momentum);
  if (!(o.momentum >= 0 && o.momentum < 1)) throw UsageError("helmholtz train: --momentum must be in [0, 1)");
  if (args.has("--momentum") && o.optimizer != "momentum")
    throw UsageError("helmholtz train: --momentum applies to --optimizer momentum only");
  o.schedule = args.optional_text("--schedule").value_or(o.schedule);
  if (o.schedule != "constant" && o.schedule != "inverse" && o.schedule != "exponential")
    throw UsageError("helmholtz train: unknown schedule '" + o.schedule + "' (available: constant, inverse, exponential)");
  o.decay = args.real_or("--decay", o.decay);
  if (!(o.decay >= 0)) throw UsageError("helmholtz train: --decay must be >= 0");
  o.weight_decay = args.real_or("--weight-decay", o.weight_decay);
  if (!(o.weight_decay >= 0)) throw UsageError("helmholtz train: --weight-decay must be >= 0");
  if (args.flag("--natural-coordinates")) o.natural_coordinates = true;
  o.samples = args.count_or("--samples", o.samples);
  if (args.flag("--sleep-updates")) o.sleep_updates = true;
  o.damping = args.real_or("--damping", o.damping);
  if (!(o.damping > 0)) throw UsageError("helmholtz train: --damping must be > 0");
  o.patience = args.count_or("--patience", o.patience, 0);
  o.cue_epochs = args.count_or("--cue-epochs", o.cue_epochs, 0);
  if (const auto precision = args.optional_text("--precision")) {
    if (*precision != "float32" && *precision != "float64")
      throw UsageError("helmholtz train: unknown precision '" + *precision + "' (available: float64, float32)");
    o.single_precision = *precision == "float32";
  }
  if (!builtin_algorithms().contains(o.algorithm)) {
    std::string known;
    for (const auto& n : builtin_algorithms().names()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("helmholtz train: unknown algorithm '" + o.algorithm + "' (available: " + known + ")");
  }
  return o;
}

// The CSV learning curve, rewritten whole (and atomically) after every epoch, so that it can
// be watched while training runs and is never left half-written.
class LearningCurve {
 public:
  LearningCurve(std::string file, bool keep_rows_up_to_epoch, std::size_t epochs_before) : file_(std::move(file)) {
    text_ = "epoch,seconds,sampled_bound,objective,validation_log_likelihood,validation_exact_bound,"
            "validation_sampled_bound\n";
    if (!keep_rows_up_to_epoch) return;
    std::ifstream in(file_);  // a resumed run continues the curve of the run before
    std::string line;
    for (std::size_t number = 1; read_text_line(in, line, file_, number); ++number) {
      const bool header = number == 1;
      if (header || line.empty()) continue;
      const std::size_t epoch = std::strtoull(line.c_str(), nullptr, 10);
      if (epoch >= 1 && epoch <= epochs_before) text_ += line + "\n";
    }
  }
  void add(const EpochReport& r) {
    text_ += std::to_string(r.epoch) + "," + show(r.seconds, true) + "," + show(r.sampled_bound, true) + "," +
             show(r.objective, true) + "," + show(r.validation_log_likelihood, true) + "," +
             show(r.validation_exact_bound, true) + "," + show(r.validation_sampled_bound, true) + "\n";
    write_file_atomically(file_, text_, /*sync_folder=*/false);  // rewritten every epoch
  }

 private:
  std::string file_, text_;
};

// A job of R ranks splits each minibatch into R parts: it needs B >= R (with cg, the whole
// data set is split instead, and B is not used).
void check_batch_for_job(const TrainingOptions& options, std::size_t ranks) {
  if (options.optimizer == "cg" || options.batch_size >= ranks) return;
  const std::string what = options.batch_size == 1 ? "online training (--batch-size 1, the default)"
                                                   : "--batch-size " + std::to_string(options.batch_size);
  throw UsageError("helmholtz train: " + what + " cannot be split over the " + std::to_string(ranks) +
                   " ranks of this MPI job, which share each minibatch; give --batch-size " + std::to_string(ranks) +
                   " or more, or run it in one process (without mpirun)");
}

int run(const Arguments& args, std::ostream& out, std::ostream& err) {
  const std::atomic<bool>& interrupted = interrupt_flag();  // first, so Ctrl-C is never fatal
  const std::size_t ranks = job_ranks();
  const bool writer = is_main_rank();  // the one process, or rank 0 of a job
  if (args.optional_text("--data") == standard_input && args.optional_text("--validation") == standard_input)
    throw UsageError("helmholtz train: --data and --validation are both '-', but standard input can be read only once; "
                     "give one of them as a file");
  const std::string output = args.text("--output");
  if (writer) check_writable(output);  // before training, not after
  const std::optional<std::string> log_file = args.optional_text("--log");
  if (log_file && writer) check_writable(*log_file);
  const std::string model_file = args.positional(0);
  Network network = read_model(args, model_file);
  const std::string data_file = args.text("--data");
  const ByteMatrix data = read_patterns(data_file, network.visible_units());
  const std::string checksum = data_checksum(data);

  const bool resume = args.flag("--resume");
  TrainingSetup setup;
  TrainingOptions base;
  if (resume) {
    if (!network.training)
      throw UsageError("helmholtz train: --resume needs a model written by 'helmholtz train' (" + model_file +
                       " has no training: section)");
    const TrainingRecord& record = *network.training;
    if (record.data_checksum.empty())
      throw Error("--resume: the training: section of " + model_file +
                  " records no data_checksum, so the data cannot be checked; leave out --resume to train on");
    if (record.data_checksum != checksum)
      throw Error("--resume: " + data_source_name(data_file) +
                  " holds other patterns than the run being resumed was trained on (" +
                  data_source_name(record.data_file) + ", checksum " + record.data_checksum + ", here " + checksum +
                  "); to train on these data, leave out --resume");
    if (args.has("--seed") && args.count("--seed", 0) != record.options.seed)
      throw UsageError("helmholtz train: --resume continues the recorded run, whose seed is " +
                       std::to_string(record.options.seed) + "; leave out --seed, or --resume to start a new run");
    if (args.has("--algorithm") && args.text("--algorithm") != record.options.algorithm)
      throw UsageError("helmholtz train: --resume continues a run of " + record.options.algorithm +
                       "; leave out --resume to train on with another algorithm");
    base = record.options;
    // Early stopping watches validation data, which a model file does not record.
    if (!args.has("--validation")) base.patience = 0;
    setup.epochs_completed = record.epochs_completed;
    setup.optimiser_state = record.optimiser_state;
    if (record.interrupted && !args.flag("--quiet"))
      err << "note: the run in " << model_file << " was interrupted during epoch " << record.epochs_completed + 1
          << "; it goes on from the parameters reached then, so it will not match an uninterrupted run exactly\n";
  } else if (!args.has("--seed")) {
    throw UsageError("helmholtz train: missing --seed (see helmholtz train --help)");
  }
  TrainingOptions options = read_options(args, base);
  options.interrupt = &interrupted;
  if (ranks > 1) check_batch_for_job(options, ranks);

  std::optional<Matrix> validation;
  if (const auto file = args.optional_text("--validation")) validation = read_data(*file, network.visible_units());
  if (options.patience > 0 && !validation)
    throw UsageError("helmholtz train: --patience needs --validation FILE (the data it watches)");
  setup.validation = validation ? &*validation : nullptr;
  setup.validation_max_hidden_units = args.count_or("--max-hidden-units", setup.validation_max_hidden_units, 0);
  const std::size_t epochs_before = setup.epochs_completed;
  std::optional<LearningCurve> curve;
  if (log_file && writer) curve.emplace(*log_file, resume, epochs_before);

  const bool quiet = args.flag("--quiet");
  if (!quiet) setup.on_note = [&err](const std::string& note) { err << "note: " << note << "\n"; };
  const std::size_t last_epoch = epochs_before + options.epochs;
  Progress progress(err, "train: " + std::to_string(options.epochs) + " epochs of " + std::to_string(data.shape(0)) +
                             " patterns" + on_ranks(), quiet);
  setup.on_progress = [&progress](double fraction) { progress.update(fraction); };
  // Every input is read and checked once train() has checked the options against the
  // network and made the algorithm: the ranks agree there, and the training is collective.
  std::optional<CollectiveWork> collective;
  setup.communicator = &job_communicator();
  setup.on_ready = [&collective] {
    job_ready();
    collective.emplace();
  };
  const TrainingOutcome outcome = train(network, data, options, setup, [&](const EpochReport& r) {
    if (curve) curve->add(r);
    if (quiet) return;
    progress.finish();  // the epoch's line replaces a progress line shown on a terminal
    err << "epoch " << r.epoch << "/" << last_epoch << "  " << std::fixed << std::setprecision(0)
        << r.patterns_per_second << " patterns/s  sampled bound " << show(r.sampled_bound) << " nats";
    if (!std::isnan(r.objective)) err << "  objective " << show(r.objective);
    if (!std::isnan(r.validation_log_likelihood)) err << "  validation log p(d) " << show(r.validation_log_likelihood);
    else if (!std::isnan(r.validation_sampled_bound)) err << "  validation bound " << show(r.validation_sampled_bound);
    err << std::defaultfloat << std::endl;
  });

  collective.reset();  // every rank has the same outcome: what follows is agreed on (job.hpp)
  progress.finish();
  TrainingRecord record;
  record.options = options;
  record.options.interrupt = nullptr;
  record.epochs_completed = outcome.epochs_completed;
  record.interrupted = outcome.interrupted;
  record.data_file = data_file;
  record.data_checksum = checksum;
  record.optimiser_state = setup.optimiser_state;
  network.training = record;
  if (writer) write_model(network, output);
  if (outcome.interrupted) {
    err << "helmholtz train: interrupted during epoch " << outcome.epochs_completed + 1
        << "; the parameters reached so far are written to " << output << "\n";
    return interrupted_status();
  }
  if (outcome.diverged) {
    err << "helmholtz train: " << outcome.message << " and written to " << output << "\n";
    return 1;
  }
  if (!quiet && outcome.stopped_early) err << outcome.message << "\n";
  if (!quiet) err << "wrote " << output << "\n";
  (void)out;
  return 0;
}

std::string algorithm_list() {
  std::string out = "Algorithms (--algorithm):\n";
  for (const auto& name : builtin_algorithms().names()) {
    std::string line = "  " + name;
    line.resize(22, ' ');
    out += line + builtin_algorithms().info(name).summary + "\n";
  }
  return out;
}

}  // namespace

Command train_command() {
  return {{"train",
           "MODEL --data FILE --seed S --output OUT.yaml [--algorithm NAME] [--epochs E]\n"
           "       [--learning-rate LR] [--batch-size B] [--optimizer sgd|momentum|cg] [--resume]",
           "Learn generative and recognition parameters from data, and write the trained model file.",
           {"MODEL"},
           {{"--data", "", "FILE", "training data, one pattern per line (required; - for standard input)"},
            {"--algorithm", "", "NAME", "learning algorithm (default wake-sleep; list below)"},
            {"--epochs", "", "E", "passes through the data in this run (default 10)"},
            {"--learning-rate", "", "LR", "learning rate of both directions (default 0.01); with cg, the first step length"},
            {"--generative-learning-rate", "", "LR", "learning rate of the generative parameters (default: --learning-rate)"},
            {"--recognition-learning-rate", "", "LR", "learning rate of the recognition parameters (default: --learning-rate)"},
            {"--batch-size", "", "B", "patterns per step; 1 is the online rule of the papers (default 1)"},
            {"--seed", "", "S", "seed of the random generator (required unless --resume; same seed, same model)"},
            {"--no-shuffle", "", "", "visit the patterns in file order instead of a new random order each epoch"},
            {"--optimizer", "", "NAME", "sgd (default), momentum, or cg (conjugate gradient, whole data set)"},
            {"--momentum", "", "M", "momentum: fraction of the last step kept (default 0.9)"},
            {"--schedule", "", "NAME", "learning-rate schedule: constant (default), inverse, exponential"},
            {"--decay", "", "D", "schedule decay per epoch: inverse rate/(1+D t), exponential rate e^(-D t) (default 0.1)"},
            {"--weight-decay", "", "L", "L2 penalty (L/2) sum W^2 on the weights, not the biases (default 0)"},
            {"--natural-coordinates", "", "", "learn every parameter as it is, not in its plugin's learning coordinates"},
            {"--samples", "", "K", "rws, natural-rws: samples from Q per pattern (default 5)"},
            {"--sleep-updates", "", "", "rws, natural-rws: also train Q on fantasies from P (sleep phase)"},
            {"--damping", "", "E", "natural gradients: added to the Fisher matrix's diagonal (default 0.001)"},
            {"--cue-epochs", "", "E", "wake-sleep: lean on the model's cues in the first E epochs, weight 1 down to 1/E (default 0)"},
            {"--precision", "", "P", "float64 (default) or float32: compute in single precision (wake-sleep, rws)"},
            {"--validation", "", "FILE",
             "held-out data: exact log p(d) per epoch when the network is small enough (- for standard input)"},
            {"--max-hidden-units", "", "H", "exact validation only up to H hidden units (default 20)"},
            {"--patience", "", "N", "stop after N epochs without a better validation score; keep the best (needs --validation)"},
            {"--log", "", "FILE", "write the learning curve as CSV, a row per epoch (rewritten atomically each epoch)"},
            {"--resume", "", "", "continue the run recorded in MODEL's training: section (same data); --epochs more"},
            {"--output", "-o", "OUT.yaml", "where to write the trained model (required; written atomically)"},
            {"--quiet", "", "", "no progress lines"}},
           algorithm_list() +
               "\nA progress line per epoch on stderr gives the patterns per second, the mean sampled bound -F\n"
               "(nats, one sample per pattern, on up to the first 1000 patterns), the algorithm's objective\n"
               "where it has one, and the validation score. The output is a model file of the same schema\n"
               "with every parameter, plus a training: section recording the algorithm, options, epochs,\n"
               "seed, data file and checksum, and the optimiser's state: `train OUT.yaml --resume --data FILE\n"
               "--epochs 5 -o NEXT.yaml` then goes on exactly as one longer run would have. A run whose\n"
               "numbers stop being finite stops with the last good parameters (exit status 1). Ctrl-C stops\n"
               "training and writes the parameters reached so far (exit status 130); so does SIGTERM (143).\n"
               "\nUnder mpirun -np R, training is data-parallel: each minibatch (--batch-size B >= R) is split\n"
               "over the R ranks, their gradients summed, and every rank takes the same step; rank 0 writes\n"
               "the files. With a fixed seed the model equals one process's to rounding (docs/distributed.md)."},
          run, /*distributed=*/true};
}

}  // namespace helmholtz::cli
