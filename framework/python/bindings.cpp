// The module's contents, put together once the processor has been checked (module.cpp).
#include "framework/linear_algebra.hpp"
#include "framework/python/bindings.hpp"
#include "framework/version.hpp"

namespace helmholtz::python {

void define_module(py::module_& module) {
  module.doc() =
      "Helmholtz machines: belief networks of binary stochastic units with a generative model P\n"
      "and a recognition model Q, declared in YAML model files (docs/model-file.md).\n\n"
      "    import helmholtz\n"
      "    net = helmholtz.load('models/tiny.yaml')\n"
      "    fantasies = net.sample(100, seed=1)             # uint8, 100 x visible units\n"
      "    net.exact(fantasies)['mean_log_likelihood']     # exact log p(d), nats\n"
      "    net.train(fantasies, seed=1, epochs=5)          # wake-sleep, or any algorithm\n"
      "    net.save('trained.yaml')\n\n"
      "Long work (sample, exact, evaluate, train) releases the GIL, and Ctrl-C stops it with\n"
      "KeyboardInterrupt. See docs/python.md.";
  // Python programs run BLAS on several threads at once (numpy, networks trained side by side):
  // stopping OpenBLAS's idle threads under another thread's threaded call could hang it.
  set_blas_pool_shutdown(false);
  module.attr("__version__") = HELMHOLTZ_VERSION;
  bind_errors(module);
  NetworkClass network(module, "Network",
                       "A Helmholtz machine: nodes of binary units, a generative model P over all of them and a\n"
                       "recognition model Q over the hidden ones. Made by helmholtz.load() or helmholtz.parse().");
  bind_network(module, network);
  bind_engines(module, network);
  bind_training(module, network);
}

}  // namespace helmholtz::python
