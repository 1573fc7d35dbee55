// helmholtz train MODEL --data FILE --algorithm wake-sleep ... --output OUT.yaml
#include <iomanip>
#include <ostream>

#include "framework/cli/command.hpp"
#include "framework/cli/interrupt.hpp"
#include "framework/engines/wake_sleep.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"

namespace helmholtz::cli {
namespace {

int run(const Arguments& args, std::ostream& out, std::ostream& err) {
  const std::atomic<bool>& interrupted = interrupt_flag();  // first, so Ctrl-C is never fatal
  const std::string algorithm = args.optional_text("--algorithm").value_or("wake-sleep");
  if (algorithm != "wake-sleep")
    throw UsageError("helmholtz train: unknown algorithm '" + algorithm + "' (available: wake-sleep)");
  const std::string output = args.text("--output");
  check_writable(output);  // before training, not after
  Network network = read_model(args.positional(0));
  const Matrix data = read_data(args.text("--data"), network.visible_units());

  WakeSleepOptions options;
  options.epochs = args.count_or("--epochs", options.epochs);
  const double rate = args.real_or("--learning-rate", options.generative_rate);
  options.generative_rate = args.real_or("--generative-learning-rate", rate);
  options.recognition_rate = args.real_or("--recognition-learning-rate", rate);
  if (!(options.generative_rate > 0) || !(options.recognition_rate > 0))
    throw UsageError("helmholtz train: learning rates must be > 0");
  options.batch_size = args.count_or("--batch-size", 1);
  options.seed = args.count("--seed", 0);
  options.shuffle = !args.flag("--no-shuffle");
  options.interrupt = &interrupted;
  const bool quiet = args.flag("--quiet");

  const TrainingOutcome outcome = train_wake_sleep(network, data, options, [&](const EpochReport& r) {
    if (quiet) return;
    err << "epoch " << r.epoch << "/" << options.epochs << "  " << std::fixed << std::setprecision(0)
        << r.patterns_per_second << " patterns/s  sampled bound " << std::setprecision(4) << r.sampled_bound
        << " nats" << std::defaultfloat << std::endl;
  });
  write_model(network, output);
  if (outcome.interrupted) {
    err << "helmholtz train: interrupted during epoch " << outcome.epochs_completed + 1
        << "; the parameters reached so far are written to " << output << "\n";
    return interrupted_status;
  }
  if (!quiet) err << "wrote " << output << "\n";
  (void)out;
  return 0;
}

}  // namespace

Command train_command() {
  return {{"train",
           "MODEL --data FILE --seed S --output OUT.yaml [--algorithm wake-sleep] [--epochs E]\n"
           "       [--learning-rate LR] [--batch-size B]",
           "Learn generative and recognition parameters from data, and write the trained model file.",
           {"MODEL"},
           {{"--data", "", "FILE", "training data, one pattern per line (required)"},
            {"--algorithm", "", "NAME", "learning algorithm: wake-sleep (default)"},
            {"--epochs", "", "E", "passes through the data (default 10)"},
            {"--learning-rate", "", "LR", "learning rate of both phases (default 0.01)"},
            {"--generative-learning-rate", "", "LR", "learning rate of the wake phase (default: --learning-rate)"},
            {"--recognition-learning-rate", "", "LR", "learning rate of the sleep phase (default: --learning-rate)"},
            {"--batch-size", "", "B", "patterns per step; 1 is the online rule of the papers (default 1)"},
            {"--seed", "", "S", "seed of the random generator (required; same seed, same model)"},
            {"--no-shuffle", "", "", "visit the patterns in file order instead of a new random order each epoch"},
            {"--output", "-o", "OUT.yaml", "where to write the trained model (required; written atomically)"},
            {"--quiet", "", "", "no progress lines"}},
           "Each step uses the mean gradient over the batch. A progress line per epoch on stderr gives\n"
           "the patterns per second and the mean sampled bound -F (nats, one sample per pattern, on up to\n"
           "the first 1000 patterns). The output is a model file of the same schema, with every\n"
           "parameter, so it can be sampled, evaluated or trained further. Ctrl-C stops training and\n"
           "writes the parameters reached so far (exit status 130)."},
          run};
}

}  // namespace helmholtz::cli
