#pragma once
// Reading and writing model files (the schema is documented in docs/model-file.md).
// Every mistake is an InputError naming the file, the line and what is wrong.
#include <string>

#include "framework/graph/network.hpp"
#include "framework/io/limits.hpp"
#include "framework/registry.hpp"

namespace helmholtz {

// Reads a model file; `file` is used in messages. A file larger than limits.max_model_bytes
// or a network of more than limits.max_parameters parameters is refused before it is read
// or allocated; without `limits`, Limits::from_environment().
Network read_model(const std::string& file, const Registry& registry);
Network read_model(const std::string& file, const Registry& registry, const Limits& limits);
// Parses model text; `file` is only used in messages.
Network parse_model(const std::string& text, const std::string& file, const Registry& registry);
Network parse_model(const std::string& text, const std::string& file, const Registry& registry, const Limits& limits);

// The network in the model-file schema, every parameter written out in full precision, so
// that reading it back gives the same network bit for bit. Its plugin libraries are written
// relative to `folder` (where the file will be), or as absolute paths when it is empty.
std::string model_to_yaml(const Network& network, const std::string& folder = "");
// Writes model_to_yaml() atomically: to a temporary file beside `file`, then renamed; plugin
// libraries relative to the file's folder.
void write_model(const Network& network, const std::string& file);

}  // namespace helmholtz
