#include "framework/plugin_library.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

#include "framework/error.hpp"

namespace helmholtz {
namespace {

using VersionFunction = const char* (*)();
using RegisterFunction = void (*)(Registry&);

// dlerror() reports the last failure of the calling thread; the lock keeps the message of one
// dlopen/dlsym together with it on glibc versions where that state is shared.
std::mutex loader_mutex;

std::string last_dl_error() {
  const char* message = dlerror();
  return message ? message : "unknown reason";
}

// dlopen says "libhelmholtz_framework.so.0.2: cannot open shared object file" for a plugin
// built against another version: say what that means.
std::string explain_load_failure(const std::string& file, const std::string& reason) {
  const std::string framework_library = "libhelmholtz_";
  const auto at = reason.find(framework_library);
  if (at != std::string::npos && reason.find("cannot open shared object file") != std::string::npos) {
    const std::string needed = reason.substr(at, reason.find(':', at) - at);
    return "plugin library " + file + " was built against another version of helmholtz (it needs " + needed +
           ", this is helmholtz " + version + "); rebuild it against this version";
  }
  return "plugin library " + file + " cannot be loaded: " + reason;
}

}  // namespace

void load_plugin_library(const std::string& file, Registry& registry) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(file, error);
  if (!fs::exists(status)) throw Error("plugin library " + file + " does not exist");
  if (fs::is_directory(status)) throw Error("plugin library " + file + " is a directory, not a shared library");
  const std::string canonical = fs::canonical(file, error).string();
  if (registry.has_library(canonical)) return;

  const std::lock_guard<std::mutex> lock(loader_mutex);
  // RTLD_NOW: a symbol the library needs but nothing defines is an error here, not a crash
  // when the code that uses it first runs. RTLD_LOCAL: two plugin libraries may use the same
  // names for their own things.
  // A name without a slash would be looked up on the library search path instead.
  const std::string path = file.find('/') == std::string::npos ? "./" + file : file;
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) throw Error(explain_load_failure(file, last_dl_error()));
  const std::string how = " (declare its distributions with HELMHOLTZ_PLUGIN_LIBRARY from "
                          "framework/plugin_library.hpp; see docs/writing-a-plugin.md)";
  const auto version_of = reinterpret_cast<VersionFunction>(dlsym(library, "helmholtz_plugin_version"));
  const auto register_in = reinterpret_cast<RegisterFunction>(dlsym(library, "helmholtz_register_plugins"));
  if (!version_of || !register_in) {
    dlclose(library);
    throw Error("plugin library " + file + " is not a helmholtz plugin: it defines no " +
                (version_of ? "helmholtz_register_plugins" : "helmholtz_plugin_version") + how);
  }
  const std::string built_for = version_of() ? version_of() : "";
  if (built_for != version) {
    dlclose(library);
    throw Error("plugin library " + file + " was built against helmholtz " + built_for + ", this is helmholtz " +
                version + "; rebuild it against this version");
  }
  // The library registers on a registry of its own first, so that a clash leaves `registry` as
  // it was and the message can name both sides.
  Registry added;
  try {
    register_in(added);
  } catch (const std::exception& e) {
    throw Error("plugin library " + file + " failed to register its distributions: " + e.what());
  }
  if (added.has_default_recognition())
    throw Error("plugin library " + file + " sets the default recognition distribution, which only the program "
                "that reads the model files may choose");
  if (added.names().empty()) throw Error("plugin library " + file + " registers no distribution");
  for (const auto& name : added.names())
    if (registry.contains(name)) {
      const std::string taken = registry.origin(name);
      throw Error("plugin library " + file + " registers the distribution '" + name + "', which is already registered" +
                  (taken.empty() ? "" : " (" + taken + ")") + "; rename it");
    }
  registry.add_all(added, file);
  registry.note_library(canonical);
}

}  // namespace helmholtz
