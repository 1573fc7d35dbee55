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

// The student with its data node read as a 2x4 image: `mid` cued by 2x2 cells (blocks of
// 1x2), `top` by 1x2 cells (blocks of 2x2, on from a quarter of their pixels).
inline std::string cued_student_text() {
  std::string text = model_text("student.yaml");
  auto add = [&](const std::string& node, const std::string& cue) {
    const std::size_t at = text.find("{name: " + node);
    text.insert(text.find('}', at), ", cue: " + cue);
  };
  add("mid", "{of: data, image: 2x4, cells: 2x2}");
  add("top", "{of: data, image: 2x4, cells: 1x2, threshold: 0.25}");
  return text;
}

inline Matrix teacher_data(std::size_t patterns, std::uint64_t seed) {
  const Network teacher = teacher_network();
  Rng rng = make_rng(seed);
  return sample_visible(teacher, patterns, rng);
}

}  // namespace helmholtz::testing
