// Parameter blocks are generic: a plugin that declares a block of its own (here a
// temperature per unit, learned in log coordinates) and a model-file key of its own (a note)
// gets model-file reading and writing, range checks, names in messages, initialisation,
// `fixed:` and training without any code for them.
#include <doctest/doctest.h>

#include <cmath>

#include <yaml-cpp/yaml.h>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/training/trainer.hpp"
#include "framework/io/model_file.hpp"
#include "framework/io/yaml_fields.hpp"
#include "framework/numerics.hpp"
#include "framework/registry.hpp"
#include "plugins/builtin.hpp"

namespace helmholtz {
namespace {

// tempered-sigmoid: p_j = sigmoid(a_j / tau_j), a_j = b_j + sum_k W_jk s_k, tau_j > 0.
class TemperedSigmoid final : public Distribution {
 public:
  explicit TemperedSigmoid(NodeShape shape) : Distribution(std::move(shape)) {
    ParameterBlock bias{"bias", BlockLayout::per_unit};
    ParameterBlock weights{"weights", BlockLayout::per_unit_and_parent};
    weights.initial = {-0.1, 0.1};
    ParameterBlock temperature{"temperature", BlockLayout::per_unit};
    temperature.valid = {0.0, numerics::infinity};
    temperature.learning = {1e-3, 1e3};
    temperature.initial = {1.0, 1.0};
    temperature.learn_as = Reparameterisation::log;
    declare_parameters({bias, weights, temperature});
  }
  std::string_view kind() const override { return "tempered-sigmoid"; }

  void probabilities(const Matrix& parents, Matrix& p) const override {
    activations(parents, p);
    for (double& x : p) x = numerics::sigmoid(x);
  }
  void log_firing_probabilities(const Matrix& parents, Matrix& on, Matrix& off) const override {
    activations(parents, on);
    ensure_shape(off, on.shape(0), on.shape(1));
    for (std::size_t i = 0; i < on.size(); ++i) {
      off.data()[i] = numerics::log_sigmoid(-on.data()[i]);
      on.data()[i] = numerics::log_sigmoid(on.data()[i]);
    }
  }
  void log_probability(const Matrix& parents, const Matrix& states, Vector& log_p, Workspace& work) const override {
    activations(parents, work.first);
    ensure_shape(log_p, states.shape(0));
    for (std::size_t n = 0; n < states.shape(0); ++n) {
      log_p(n) = 0;
      for (std::size_t j = 0; j < units(); ++j)
        log_p(n) += numerics::log_sigmoid(states(n, j) != 0 ? work.first(n, j) : -work.first(n, j));
    }
  }
  // d log P / d a_j = (s - p) / tau; d log P / d tau = -(s - p) a / tau^2.
  void accumulate_gradient(const Matrix& parents, const Matrix& states, const Vector& weights,
                           std::span<double> gradient, Workspace&) const override {
    const std::size_t k_count = shape().parent_units();
    for (std::size_t n = 0; n < states.shape(0); ++n)
      for (std::size_t j = 0; j < units(); ++j) {
        const double a = affine(parents, n, j), tau = temperature(j);
        const double delta = weights(n) * (states(n, j) - numerics::sigmoid(a / tau));
        gradient[j] += delta / tau;
        for (std::size_t k = 0; k < k_count; ++k) gradient[units() + j * k_count + k] += delta * parents(n, k) / tau;
        gradient[units() * (1 + k_count) + j] -= delta * a / (tau * tau);
      }
  }
  std::vector<std::string> extra_keys() const override { return {"note"}; }
  void read_extra(const YAML::Node& entry, const Where& where) override {
    if (entry["note"]) note = yaml::read_string(entry["note"], where, "note");
  }
  void write_extra(YAML::Emitter& out) const override {
    if (!note.empty()) out << YAML::Key << "note" << YAML::Value << note;
  }
  std::unique_ptr<Distribution> clone() const override { return std::make_unique<TemperedSigmoid>(*this); }

  std::string note;

 private:
  std::size_t units() const { return shape().units; }
  double temperature(std::size_t j) const { return parameter(units() * (1 + shape().parent_units()) + j); }
  double affine(const Matrix& parents, std::size_t n, std::size_t j) const {
    const std::size_t k_count = shape().parent_units();
    double a = parameter(j);
    for (std::size_t k = 0; k < k_count; ++k) a += parameter(units() + j * k_count + k) * parents(n, k);
    return a;
  }
  void activations(const Matrix& parents, Matrix& out) const {
    ensure_shape(out, parents.shape(0), units());
    for (std::size_t n = 0; n < parents.shape(0); ++n)
      for (std::size_t j = 0; j < units(); ++j) out(n, j) = affine(parents, n, j) / temperature(j);
  }
};

Registry with_tempered() {
  Registry registry;
  register_builtin_plugins(registry);
  registry.add("tempered-sigmoid", [](NodeShape s) { return std::make_unique<TemperedSigmoid>(std::move(s)); });
  return registry;
}

const std::string tempered_yaml = R"(seed: 2
nodes:
  - {name: top,  type: binary, size: 2}
  - {name: data, type: binary, size: 3, observed: true}
generative:
  top:  {distribution: sigmoid}
  data: {distribution: tempered-sigmoid, parents: [top], temperature: [0.5, 2, 1], note: warm, fixed: [temperature]}
)";

std::string error_of(const std::string& text, const Registry& registry) {
  try {
    parse_model(text, "bad.yaml", registry);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("accepted");
  return "";
}

}  // namespace

TEST_CASE("a plugin's own block and key are read, checked, named, written and round-trip generically") {
  const Registry registry = with_tempered();
  const Network n = parse_model(tempered_yaml, "t.yaml", registry);
  const Distribution& d = *n.generative.conditionals[1].distribution;
  REQUIRE(d.parameter_count() == 3 + 3 * 2 + 3);
  CHECK(d.parameters()(9) == 0.5);
  CHECK(d.parameters()(10) == 2.0);
  CHECK(d.parameter_name(10) == "temperature[1]");
  CHECK(d.parameter_name(4) == "weights[top][0][1]");
  CHECK(dynamic_cast<const TemperedSigmoid&>(d).note == "warm");
  CHECK(n.generative.conditionals[1].fixed == std::vector<std::string>{"temperature"});
  const std::string text = model_to_yaml(n);
  CHECK(text.find("temperature: [0.5, 2, 1]") != std::string::npos);
  CHECK(text.find("note: warm") != std::string::npos);
  CHECK(model_to_yaml(parse_model(text, "again.yaml", registry)) == text);

  std::string bad = tempered_yaml;
  bad.replace(bad.find("temperature: [0.5, 2, 1]"), 24, "temperature: [0.5, -2, 1]");
  CHECK(error_of(bad, registry) ==
        "bad.yaml, line 7, column 77: generative.data (tempered-sigmoid): temperature[1] is -2, but must be >= 0");
  bad = tempered_yaml;
  bad.replace(bad.find("note: warm"), 10, "notes: warm");
  CHECK(error_of(bad, registry).find("unknown key 'notes' (allowed: distribution, parents, fixed, bias, weights, "
                                     "temperature, note)") != std::string::npos);
}

TEST_CASE("training moves a plugin's own block in its learning coordinates, and leaves it alone when fixed") {
  const Registry registry = with_tempered();
  Network teacher = parse_model(tempered_yaml, "t.yaml", registry);
  Rng rng = make_rng(3);
  const Matrix data = sample_visible(teacher, 200, rng);
  for (bool fixed : {true, false}) {
    std::string text = tempered_yaml;
    if (!fixed) text.replace(text.find(", fixed: [temperature]"), 22, "");
    Network network = parse_model(text, "t.yaml", registry);
    const Vector before = network.generative.conditionals[1].distribution->parameters();
    TrainingOptions options;
    options.epochs = 2;
    options.generative_rate = options.recognition_rate = 0.2;
    TrainingSetup setup;
    train(network, data, options, setup);
    const Vector after = network.generative.conditionals[1].distribution->parameters();
    for (std::size_t j = 9; j < 12; ++j) {
      CAPTURE(j);
      if (fixed) CHECK(after(j) == before(j));
      else CHECK(after(j) != before(j));
      CHECK(after(j) >= 1e-3);  // the learning range
    }
  }
}

}  // namespace helmholtz
