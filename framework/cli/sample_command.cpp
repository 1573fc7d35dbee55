// helmholtz sample MODEL -n N --seed S [--all-nodes]: ancestral samples ("fantasies").
#include <algorithm>
#include <cerrno>
#include <future>
#include <ostream>

#include "framework/cli/command.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {
namespace {


int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  const Network network = read_model(args, args.positional(0));
  const std::uint64_t total = args.count("-n");
  const std::uint64_t seed = args.count("--seed", 0);
  const bool all_nodes = args.flag("--all-nodes");

  std::vector<std::size_t> nodes, groups;
  for (std::size_t i = 0; i < network.nodes.size(); ++i)
    if (all_nodes || network.nodes[i].observed) {
      nodes.push_back(i);
      groups.push_back(network.nodes[i].size);
    }
  if (all_nodes) {
    out << "# nodes:";
    for (std::size_t i : nodes) out << " " << network.nodes[i].name << "(" << network.nodes[i].size << ")";
    out << "\n";
  }
  Rng rng = make_rng(seed);
  const std::size_t most_patterns = sampling_batch_patterns(network);
  AncestralSampler sampler(network);
  if (!all_nodes) groups.clear();
  // A batch is written as text on a second thread while the next one is drawn; any N takes
  // the memory of two batches. A failed write (a closed pipe when SIGPIPE is ignored, a full
  // disk) stops the drawing.
  Matrix drawn, writing;
  std::future<int> written;  // the errno of the write, which is the writing thread's
  auto finish_write = [&] {
    if (written.valid()) check_output(out, written.get());
  };
  for (std::uint64_t done = 0; done < total;) {
    const std::size_t batch = static_cast<std::size_t>(std::min<std::uint64_t>(most_patterns, total - done));
    gather_nodes(nodes, sampler.sample(batch, rng), drawn);
    finish_write();
    std::swap(drawn, writing);
    written = std::async(std::launch::async, [&] {
      errno = 0;
      write_patterns(out, writing, groups);
      return errno;
    });
    done += batch;
  }
  finish_write();
  return 0;
}

}  // namespace

Command sample_command() {
  return {{"sample",
           "MODEL -n N --seed S [--all-nodes]",
           "Draw N patterns from the generative model by ancestral sampling.",
           {"MODEL"},
           {{"-n", "", "N", "number of patterns to draw, in digits (required; written as drawn: any N in bounded memory)"},
            {"--seed", "", "S", "seed of the random generator (required; same seed, same samples)"},
            {"--all-nodes", "", "", "print every node, not only the observed ones, blocks separated by spaces"}},
           "Prints one pattern per line as 0/1 characters, in the data-file format: the observed\n"
           "nodes' units in declaration order. With --all-nodes a '# nodes:' comment names the blocks."},
          run};
}

}  // namespace helmholtz::cli
