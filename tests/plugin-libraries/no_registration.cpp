// A shared library that is no plugin: it has code, but neither entry point.
extern "C" __attribute__((visibility("default"))) int some_function() { return 42; }
