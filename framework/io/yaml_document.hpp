#pragma once
// The one YAML document of a file, read without YAML::LoadAll. In yaml-cpp 0.7 (Debian 12's),
// LoadAll loops forever on a ',' outside brackets at the top of a document (a file that is
// just ",", or "[a]," ): the parser reports an empty document there without moving past the
// comma, LoadAll asks for the next document, and memory fills with empty ones (yaml-cpp issue
// #1040; upstream now stops when the parser makes no progress, as this reader does).
#include <string>

#include <yaml-cpp/yaml.h>

#include "framework/error.hpp"

namespace helmholtz::yaml {

// The first document of `text` (a null node if there is none). A YAML syntax error, or a
// token where no document can begin, is an InputError "not valid YAML: ..." at its line and
// column; a second document that is not empty is an InputError at its first line, with
// `second_document` as the message. `file` names the file in messages.
YAML::Node read_document(const std::string& text, const Where& file, const std::string& second_document);

}  // namespace helmholtz::yaml
