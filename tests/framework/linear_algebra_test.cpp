// ScopedBlasThreads: the BLAS thread count is one setting for the whole process, and scopes
// opened by engines on different threads may overlap in any order. Whatever the order, the
// count is one while any scope is open and the setting from before the first is back after the
// last.
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <dlfcn.h>
#include <doctest/doctest.h>

#include "framework/linear_algebra.hpp"

namespace helmholtz {
namespace {

// OpenBLAS's own setting, from the library the framework loaded (the test links no BLAS itself).
using GetThreads = int (*)();
using SetThreads = void (*)(int);
const GetThreads openblas_get_num_threads = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
const SetThreads openblas_set_num_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));

// Restores the process's setting after each test, whatever it checks.
struct KeepSetting {
  int before = 0;
  KeepSetting() {
    const bool found = openblas_get_num_threads != nullptr && openblas_set_num_threads != nullptr;
    REQUIRE(found);
    before = openblas_get_num_threads();
  }
  ~KeepSetting() { openblas_set_num_threads(before); }
};

TEST_CASE("ScopedBlasThreads: scopes closed in the order they opened restore the setting from before the first") {
  const KeepSetting keep;
  openblas_set_num_threads(2);
  std::optional<ScopedBlasThreads> first, second;
  first.emplace(1);
  CHECK(openblas_get_num_threads() == 1);
  second.emplace(1);  // opened while the first is open: it sees 1
  first.reset();      // the first closes while the second still works with one thread
  CHECK(openblas_get_num_threads() == 1);
  second.reset();  // each scope restoring what it saw would leave 1 here for good
  CHECK(openblas_get_num_threads() == 2);
}

TEST_CASE("ScopedBlasThreads: nested scopes restore the setting when the outer one closes") {
  const KeepSetting keep;
  openblas_set_num_threads(2);
  {
    const ScopedBlasThreads outer(1);
    { const ScopedBlasThreads inner(1); }
    CHECK(openblas_get_num_threads() == 1);
  }
  CHECK(openblas_get_num_threads() == 2);
}

TEST_CASE("ScopedBlasThreads: scopes opened and closed by many threads at once leave the setting as it was") {
  const KeepSetting keep;
  openblas_set_num_threads(2);
  set_blas_pool_shutdown(false);  // other threads' scopes come and go beside threaded calls
  std::atomic<int> not_one{0};  // times a thread inside a scope saw another count
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&not_one] {
      for (int i = 0; i < 2000; ++i) {
        const ScopedBlasThreads one(1);
        if (openblas_get_num_threads() != 1) ++not_one;
      }
    });
  for (auto& t : threads) t.join();
  set_blas_pool_shutdown(true);
  CHECK(not_one.load() == 0);
  CHECK(openblas_get_num_threads() == 2);
}

}  // namespace
}  // namespace helmholtz
