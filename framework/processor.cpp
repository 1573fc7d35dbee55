// Compiled for the plainest x86-64 (see CMakeLists.txt), whatever the rest of the library is,
// so that it runs on the processors it is there to turn away.
#include "framework/processor.hpp"

namespace helmholtz {

std::string compiled_architecture() { return HELMHOLTZ_ARCH; }

std::string processor_mismatch() {
  const std::string arch = HELMHOLTZ_ARCH;
  bool supported = true;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (arch == "x86-64-v2") supported = __builtin_cpu_supports("x86-64-v2");
  else if (arch == "x86-64-v3") supported = __builtin_cpu_supports("x86-64-v3");
  else if (arch == "x86-64-v4") supported = __builtin_cpu_supports("x86-64-v4");
#endif
  if (supported) return "";
  return "this build of helmholtz is compiled for " + arch +
         " processors, and this processor is not one; build it with -DHELMHOLTZ_ARCH=x86-64 to run here "
         "(docs/cmake-package.md)";
}

}  // namespace helmholtz
