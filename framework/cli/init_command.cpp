// helmholtz init MODEL --seed S -o OUT.yaml: the model with every parameter written out, those
// the file leaves out drawn as a model file with `seed: S` draws them.
//
// Parameters a model file leaves out are drawn when it is read, from the stream seeded by its
// `seed:` key (framework/io/model_file.cpp); `train --seed` seeds only the training itself
// (each epoch's stream, framework/engines/training/trainer.hpp). So the file written here is
// the network `train` starts from when MODEL says `seed: S`, and training it with any
// --seed T gives the same model, byte for byte, as training that MODEL with --seed T.
#include <algorithm>
#include <fstream>
#include <ostream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "framework/cli/command.hpp"
#include "framework/cli/model_argument.hpp"
#include "framework/io/atomic_file.hpp"
#include "framework/io/model_file.hpp"
#include "framework/io/yaml_document.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::cli {
namespace {

// MODEL read again as if its `seed:` key said `seed`: its YAML with that one key set, so that
// the reader itself draws what the file leaves out, in its own order. `file` has been read
// without error already, so every mistake has been reported against its own lines.
Network read_with_seed(const std::string& file, std::uint64_t seed, const Registry& registry) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw Error("cannot read model file '" + file + "'");
  YAML::Node root = yaml::read_document(text.str(), Where{file, 0, 0, ""}, "a second YAML document begins here");
  root["seed"] = std::to_string(seed);
  YAML::Emitter emitter;
  emitter << root;
  const std::string seeded(emitter.c_str(), emitter.size());
  Limits limits = Limits::from_environment();
  limits.max_model_bytes = std::max<std::uint64_t>(limits.max_model_bytes, seeded.size());
  try {
    return parse_model(seeded, file, registry, limits);
  } catch (const Error& e) {
    throw Error("cannot draw the parameters of " + file + " with seed " + std::to_string(seed) + ": " + e.what());
  }
}

int run(const Arguments& args, std::ostream& out, std::ostream& /*err*/) {
  if (!args.has("--seed")) throw UsageError("helmholtz init: missing --seed (see helmholtz init --help)");
  const std::uint64_t seed = args.count("--seed", 0);
  const std::string output = args.text("--output");
  check_writable(output);
  const std::string file = args.positional(0);
  const Registry registry = command_registry(args);
  helmholtz::read_model(file, registry);  // reports any mistake at its place in the file
  const Network network = read_with_seed(file, seed, registry);
  write_model(network, output);
  out << output << ": " << file << " with every parameter written out, those it leaves out drawn from seed " << seed
      << "\n";
  return 0;
}

}  // namespace

Command init_command() {
  return {{"init",
           "MODEL --seed S -o OUT.yaml",
           "Write the model with every parameter filled in: those the file leaves out drawn from seed S.",
           {"MODEL"},
           {{"--seed", "", "S", "the seed the parameters MODEL leaves out are drawn from (required), as by `seed: S`"},
            {"--output", "-o", "OUT.yaml", "where to write the model (required; written atomically)"}},
           "Parameters a model file leaves out are drawn when it is read, from its `seed:` key (default 0);\n"
           "those it gives, fixed or not, are kept as they are. OUT.yaml is MODEL with `seed: S` and every\n"
           "parameter written out in full precision, the network `helmholtz train` starts from when the\n"
           "file says `seed: S`: training OUT.yaml with --seed T gives the model that training MODEL with\n"
           "`seed: S` and --seed T gives. train's own --seed does not draw parameters: it seeds the\n"
           "training (sampling and the order of the patterns)."},
          run};
}

}  // namespace helmholtz::cli
