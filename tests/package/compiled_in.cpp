// probit_compiled_in MODEL DATA: exact log p(d) of each pattern, one per line in 17 digits, with
// probit compiled into this program and registered on its own registry (no plugin library).
#include <cstdio>
#include <exception>

#include "framework/engines/exact_inference.hpp"
#include "framework/io/data_file.hpp"
#include "framework/io/model_file.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::example {
std::unique_ptr<Distribution> make_probit(NodeShape shape);  // probit.cpp
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: probit_compiled_in MODEL DATA\n");
    return 2;
  }
  try {
    helmholtz::Registry registry;
    helmholtz::register_builtin_plugins(registry);
    registry.add("probit", helmholtz::example::make_probit);
    const helmholtz::Network network = helmholtz::read_model(argv[1], registry);
    const helmholtz::Matrix data = helmholtz::read_data(argv[2], network.visible_units());
    const helmholtz::ExactResult result = helmholtz::exact_inference(network, data);
    for (double log_p : result.log_likelihood) std::printf("%.17g\n", log_p);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "probit_compiled_in: %s\n", e.what());
    return 1;
  }
  return 0;
}
