#pragma once
// Reading and writing model files (the schema is documented in docs/model-file.md).
// Every mistake is an InputError naming the file, the line and what is wrong.
#include <string>

#include "framework/graph/network.hpp"
#include "framework/registry.hpp"

namespace helmholtz {

// Reads a model file; `file` is used in messages.
Network read_model(const std::string& file, const Registry& registry);
// Parses model text; `file` is only used in messages.
Network parse_model(const std::string& text, const std::string& file, const Registry& registry);

// The network in the model-file schema, every parameter written out in full precision, so
// that reading it back gives the same network bit for bit.
std::string model_to_yaml(const Network& network);
// Writes model_to_yaml() atomically: to a temporary file beside `file`, then renamed.
void write_model(const Network& network, const std::string& file);

}  // namespace helmholtz
