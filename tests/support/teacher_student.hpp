#pragma once
// The known network that learning tests learn back, and the learner of its shape: the
// shipped models/teacher.yaml (2-4-8 sigmoid units with strong structured weights) and
// models/student.yaml (the same shape, every parameter drawn from its seed).
#include <fstream>
#include <sstream>
#include <string>

#include "framework/engines/ancestral_sampling.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz::testing {

inline std::string model_text(const std::string& name) {
  std::ifstream in(std::string(HELMHOLTZ_SOURCE_DIR) + "/models/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline Network teacher_network() { return parse_model(model_text("teacher.yaml"), "teacher.yaml"); }

// The student, its data node's plugin replaced by `data_kind`.
inline Network student_network(const std::string& data_kind = "sigmoid") {
  std::string text = model_text("student.yaml");
  const std::string node = "data: {distribution: sigmoid";
  text.replace(text.find(node), node.size(), "data: {distribution: " + data_kind);
  return parse_model(text, "student.yaml");
}

inline Matrix teacher_data(std::size_t patterns, std::uint64_t seed) {
  const Network teacher = teacher_network();
  Rng rng = make_rng(seed);
  return sample_visible(teacher, patterns, rng);
}

}  // namespace helmholtz::testing
