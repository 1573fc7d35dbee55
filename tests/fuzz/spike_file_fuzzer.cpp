// libFuzzer target: the spike-file reader (the input's layout is described at fuzz::spike_file).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_entry_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    helmholtz::fuzz::spike_file({reinterpret_cast<const char*>(data), size});
  } catch (const helmholtz::Error&) {
    // A refused input, as it should be.
  } catch (const helmholtz::fuzz::OverBudget&) {
    // Too big for the fuzzer's budget (see fuzz_entry_points.hpp).
  }
  return 0;
}
