#pragma once
// The libraries are compiled for one processor level (HELMHOLTZ_ARCH in CMakeLists.txt; by
// default x86-64-v3, with AVX2, FMA and BMI2). On an older processor their first vector
// instruction would kill the program with SIGILL; this says why, before any of it runs.
#include <string>

namespace helmholtz {

// The -march the libraries were compiled with ("" for the compiler's default).
std::string compiled_architecture();

// Empty if this processor runs the libraries' code, else a message saying what is missing and
// how to build for it.
std::string processor_mismatch();

}  // namespace helmholtz
