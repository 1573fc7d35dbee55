#pragma once
// Counts every allocation of a test program: through operator new, and through
// posix_memalign, which xtensor's aligned allocator calls directly. It replaces the global
// operator new and delete, so include it in exactly one file of a test program.
#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace helmholtz::testing {
inline std::atomic<long> allocations{0};
}  // namespace helmholtz::testing

// GCC sees free() on memory from this operator new and warns, not knowing they are a pair.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  helmholtz::testing::allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

extern "C" int posix_memalign(void** pointer, std::size_t alignment, std::size_t size) {
  using Real = int (*)(void**, std::size_t, std::size_t);
  static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "posix_memalign"));
  helmholtz::testing::allocations.fetch_add(1, std::memory_order_relaxed);
  return real(pointer, alignment, size);
}
