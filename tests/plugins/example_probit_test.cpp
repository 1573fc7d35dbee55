// The worked example of docs/writing-a-plugin.md: a `probit` distribution, registered on a
// program's own Registry, and the tests a new plugin should have.
//
// The plugin's code is the guide's, character for character, in tests/package/probit.cpp (also
// built as a plugin library there). Keep the two in sync: the first test below fails when they
// differ.
//
// The maths checked here, with a_j = b_j + sum_k W_jk s_k and Phi the standard normal CDF:
//   P(s_j = 1 | parents) = Phi(a_j),
//   log P(s | parents)   = sum_j log Phi(s_j ? a_j : -a_j),
//   d log P / d a_j      = s_j ? phi(a_j) / Phi(a_j) : -phi(a_j) / (1 - Phi(a_j)).
// The reference Phi is computed without erfc and without the plugin's tail series: by
// Marsaglia's Taylor series near 0 and by Laplace's continued fraction for the Mills ratio
// in the tails, in long double.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "plugins/builtin.hpp"
#include "framework/engines/ancestral_sampling.hpp"
#include "framework/error.hpp"
#include "framework/io/model_file.hpp"
#include "framework/registry.hpp"

#include "tests/package/probit.cpp"

namespace helmholtz {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The built-in plugins plus "probit", the way a program adds its own distributions.
Registry probit_registry() {
  Registry registry;
  register_builtin_plugins(registry);
  registry.add("probit", example::make_probit);
  return registry;
}

// ---------------------------------------------------------------------------------------
// An independent Phi, in long double.

constexpr long double pi = 3.141592653589793238462643383279502884L;

long double log_pdf(long double x) { return -0.5L * x * x - 0.5L * std::log(2.0L * pi); }

// Marsaglia (2004): Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...), for |x| <= 3.
long double taylor_cdf(long double x) {
  long double term = x, sum = x;
  for (int n = 1; n < 200; ++n) {
    term *= x * x / (2 * n + 1);
    sum += term;
  }
  return 0.5L + std::exp(log_pdf(x)) * sum;
}

// Laplace: (1 - Phi(t)) / phi(t) = 1 / (t + 1 / (t + 2 / (t + 3 / (t + ...)))), t > 0,
// evaluated from the bottom up.
long double mills_ratio(long double t) {
  long double f = t;
  for (int k = 2000; k >= 1; --k) f = t + k / f;
  return 1.0L / f;
}

// log Phi(x) for any x.
long double reference_log_cdf(long double x) {
  if (std::abs(x) <= 3) return std::log(taylor_cdf(x));
  if (x < 0) return log_pdf(x) + std::log(mills_ratio(-x));
  return std::log1p(-std::exp(log_pdf(x)) * mills_ratio(x));
}

long double reference_cdf(long double x) { return std::exp(reference_log_cdf(x)); }

// phi(x) / Phi(x) = exp(log phi(x) - log Phi(x)).
long double reference_pdf_over_cdf(long double x) { return std::exp(log_pdf(x) - reference_log_cdf(x)); }

// How far a careful double evaluation may be from the exact value: a few roundings of the
// argument (a itself, a / sqrt 2 inside erfc), magnified by the condition number
// |x f'(x) / f(x)|, plus the rounding of the result; and below the smallest normal double,
// that number itself (such results are 0 or subnormal).
constexpr long double epsilon = std::numeric_limits<double>::epsilon();
constexpr long double smallest_normal = std::numeric_limits<double>::min();

long double allowed_error(long double exact, long double condition) {
  return 16 * epsilon * (1 + condition) * std::abs(exact) + smallest_normal;
}

// f = Phi: x f'/f = x phi / Phi.   f = log Phi: x f'/f = x (phi / Phi) / log Phi.
long double cdf_error(long double x) {
  return allowed_error(reference_cdf(x), std::abs(x * reference_pdf_over_cdf(x)));
}
long double log_cdf_error(long double x) {
  return allowed_error(reference_log_cdf(x), std::abs(x * reference_pdf_over_cdf(x) / reference_log_cdf(x)));
}

void check_close(double actual, long double expected, long double allowed) {
  INFO("actual ", actual, ", expected ", static_cast<double>(expected), ", allowed error ",
       static_cast<double>(allowed));
  CHECK(!std::isnan(actual));
  CHECK(std::abs(static_cast<long double>(actual) - expected) <= allowed);
}

// ---------------------------------------------------------------------------------------
// A node `data` of 3 units with one parent `cause` of 2 units: parameters are
// [b_0 b_1 b_2 | W (3 x 2, row-major)].

constexpr std::size_t units = 3, parent_units = 2;

NodeShape data_shape() { return NodeShape{"data", units, {{"cause", parent_units}}}; }

Vector values(std::initializer_list<double> list) {
  Vector v = Vector::from_shape({list.size()});
  std::copy(list.begin(), list.end(), v.begin());
  return v;
}

Matrix bits(std::initializer_list<std::initializer_list<double>> rows) {
  Matrix m = Matrix::from_shape({rows.size(), rows.begin()->size()});
  std::size_t r = 0;
  for (const auto& row : rows) {
    std::copy(row.begin(), row.end(), &m(r, 0));
    ++r;
  }
  return m;
}

// a(n, j) = b_j + sum_k W_jk x_nk, from the documented parameter layout.
long double activation(const Vector& theta, const Matrix& parents, std::size_t n, std::size_t j) {
  long double a = theta(j);
  for (std::size_t k = 0; k < parent_units; ++k) a += theta(units + j * parent_units + k) * parents(n, k);
  return a;
}

// Every parent pattern of the two cause units.
const Matrix all_parents = bits({{0, 0}, {0, 1}, {1, 0}, {1, 1}});

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, "cannot open ", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text from the line "// BEGIN probit example" to the line "// END probit example"
// (markers that stand alone on their lines; mentions inside other lines do not count).
std::string example_block(const std::string& text, const std::string& file) {
  const std::string begin_line = "\n// BEGIN probit example\n", end_line = "\n// END probit example\n";
  const auto begin = text.find(begin_line);
  const auto end = text.find(end_line);
  INFO("in ", file);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  REQUIRE(begin < end);
  REQUIRE(text.find(begin_line, begin + 1) == std::string::npos);
  REQUIRE(text.find(end_line, end + 1) == std::string::npos);
  const std::string block = text.substr(begin, end + end_line.size() - begin);
  REQUIRE(block.size() > 2000);  // the whole plugin, not a stray marker
  return block;
}

TEST_CASE("probit example: the code in tests/package/probit.cpp is the code in docs/writing-a-plugin.md") {
  const std::string source = std::string(HELMHOLTZ_SOURCE_DIR) + "/tests/package/probit.cpp";
  const std::string guide = std::string(HELMHOLTZ_SOURCE_DIR) + "/docs/writing-a-plugin.md";
  const std::string in_source = example_block(read_text(source), source);
  const std::string in_guide = example_block(read_text(guide), guide);
  CHECK(in_source == in_guide);
}

TEST_CASE("probit example: a model file using distribution: probit loads through the program's registry") {
  const std::string text = R"(name: probit-example
seed: 3
nodes:
  - {name: cause, type: binary, size: 2}
  - {name: data,  type: binary, size: 3, observed: true}
generative:
  cause: {distribution: probit, bias: [0.5, -1]}
  data:  {distribution: probit, parents: [cause], bias: [0.2, -0.4, 0],
          weights: {cause: [[1, -2], [0.5, 0.5], [-1, 3]]}}
recognition:
  cause: {distribution: probit, parents: [data]}
)";
  const Registry registry = probit_registry();
  const Network network = parse_model(text, "probit.yaml", registry);
  REQUIRE(network.nodes.size() == 2);
  const std::size_t cause = network.index_of("cause"), data = network.index_of("data");
  const Distribution& top = *network.generative.conditionals[cause].distribution;
  const Distribution& bottom = *network.generative.conditionals[data].distribution;
  CHECK(top.kind() == "probit");
  CHECK(bottom.kind() == "probit");
  CHECK(network.recognition.conditionals[cause].distribution->kind() == "probit");
  CHECK(network.recognition.conditionals[data].distribution == nullptr);

  // The file's numbers land in the layout [bias | W row-major], W's rows the units of data.
  const Vector expected = values({0.2, -0.4, 0, 1, -2, 0.5, 0.5, -1, 3});
  REQUIRE(bottom.parameters().size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(bottom.parameter_name(i));
    CHECK(bottom.parameters()(i) == expected(i));
  }
  CHECK(bottom.parameter_name(7) == "weights[cause][2][0]");

  // The recognition weights the file omits are drawn from seed 3 in [-0.1, 0.1], biases 0.
  const Vector& recognition = network.recognition.conditionals[cause].distribution->parameters();
  REQUIRE(recognition.size() == 2 * (1 + 3));
  for (std::size_t i = 0; i < recognition.size(); ++i) {
    INFO("recognition parameter ", i);
    if (i < 2) CHECK(recognition(i) == 0.0);
    else CHECK(std::abs(recognition(i)) <= 0.1);
  }

  // Written out and read back: the same numbers, bit for bit.
  const Network again = parse_model(model_to_yaml(network), "again.yaml", registry);
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(again.generative.conditionals[data].distribution->parameters()(i) == bottom.parameters()(i));
  for (std::size_t i = 0; i < recognition.size(); ++i)
    CHECK(again.recognition.conditionals[cause].distribution->parameters()(i) == recognition(i));

  // The built-in registry alone does not know the name; the message points at it.
  try {
    parse_model(text, "probit.yaml");
    FAIL("a model using probit loaded without the plugin registered");
  } catch (const InputError& e) {
    const std::string message = e.what();
    const std::string expected = "probit.yaml, line 7, column 25: generative.cause: unknown distribution 'probit' "
                                 "(registered: ";
    CHECK(message.substr(0, expected.size()) == expected);
    CHECK(message.find("sigmoid", expected.size()) != std::string::npos);
  }
}

TEST_CASE("probit example: P(s_j = 1) and the log-probabilities match an independent Phi") {
  auto plugin = probit_registry().create("probit", data_shape());
  plugin->set_parameters(values({0.3, -1.2, 2.5, 1.1, -0.7, 0.4, 2.0, -3.1, -1.5}));
  const Vector& theta = plugin->parameters();

  Matrix p = Matrix::from_shape({4, units}), log_on = p, log_off = p;
  p.fill(nan);
  log_on.fill(nan);
  log_off.fill(nan);
  plugin->probabilities(all_parents, p);
  plugin->log_firing_probabilities(all_parents, log_on, log_off);
  for (std::size_t n = 0; n < 4; ++n)
    for (std::size_t j = 0; j < units; ++j) {
      const long double a = activation(theta, all_parents, n, j);
      INFO("pattern ", n, ", unit ", j, ", a = ", static_cast<double>(a));
      check_close(p(n, j), reference_cdf(a), cdf_error(a));
      check_close(log_on(n, j), reference_log_cdf(a), log_cdf_error(a));
      check_close(log_off(n, j), reference_log_cdf(-a), log_cdf_error(-a));
    }

  // log P(states | parents) = sum_j log Phi(s_j ? a_j : -a_j), for every state pattern.
  Matrix parents = Matrix::from_shape({32, parent_units}), states = Matrix::from_shape({32, units});
  for (std::size_t n = 0; n < 32; ++n) {
    for (std::size_t k = 0; k < parent_units; ++k) parents(n, k) = (n >> (units + k)) & 1;
    for (std::size_t j = 0; j < units; ++j) states(n, j) = (n >> j) & 1;
  }
  Vector log_p = Vector::from_shape({32});
  log_p.fill(nan);
  Workspace work;
  plugin->log_probability(parents, states, log_p, work);
  for (std::size_t n = 0; n < 32; ++n) {
    long double expected = 0, allowed = 0;
    for (std::size_t j = 0; j < units; ++j) {
      const long double a = activation(theta, parents, n, j), x = states(n, j) != 0.0 ? a : -a;
      expected += reference_log_cdf(x);
      allowed += log_cdf_error(x);
    }
    INFO("pattern ", n);
    check_close(log_p(n), expected, allowed + 4 * epsilon * std::abs(expected));
  }

  // Across the whole range, on both sides of the switches at 0 and at -30: a node with no
  // parents whose unit j < 91 has bias -45 + j (a = -45, ..., 45) and unit 91 the largest
  // double below -30.
  const std::size_t sweep = 92;
  auto alone = probit_registry().create("probit", NodeShape{"sweep", sweep, {}});
  Vector biases = Vector::from_shape({sweep});
  for (std::size_t j = 0; j < sweep; ++j) biases(j) = -45.0 + static_cast<double>(j);
  biases(91) = std::nextafter(-30.0, -31.0);  // just inside the tail
  alone->set_parameters(biases);
  const Matrix no_parents = Matrix::from_shape({1, 0});
  Matrix on, off;
  alone->log_firing_probabilities(no_parents, on, off);
  REQUIRE(on.shape(1) == sweep);
  for (std::size_t j = 0; j < sweep; ++j) {
    INFO("a = ", biases(j));
    check_close(on(0, j), reference_log_cdf(biases(j)), log_cdf_error(biases(j)));
    check_close(off(0, j), reference_log_cdf(-biases(j)), log_cdf_error(-biases(j)));
  }
}

// sum_n log P(states_n | parents_n) with parameter i set to `value`.
double total_log_probability(const Distribution& d, std::size_t i, double value, const Matrix& parents,
                             const Matrix& states) {
  auto probe = d.clone();
  Vector theta = d.parameters();
  theta(i) = value;
  probe->set_parameters(theta);
  Vector log_p;
  Workspace work;
  probe->log_probability(parents, states, log_p, work);
  double sum = 0;
  for (double x : log_p) sum += x;
  return sum;
}

TEST_CASE("probit example: the gradient matches central finite differences, and accumulates") {
  // Parent patterns with every state of the units; biases that put some activations deep in
  // the lower tail (a = -35 with the unit on uses the series) and some in the upper one.
  Matrix parents = Matrix::from_shape({32, parent_units}), states = Matrix::from_shape({32, units});
  for (std::size_t n = 0; n < 32; ++n) {
    for (std::size_t k = 0; k < parent_units; ++k) parents(n, k) = (n >> (units + k)) & 1;
    for (std::size_t j = 0; j < units; ++j) states(n, j) = (n >> j) & 1;
  }
  for (const Vector& theta : {values({0.3, -1.2, 2.5, 1.1, -0.7, 0.4, 2.0, -3.1, -1.5}),
                              values({-35.0, 8.0, -6.0, 0.5, -0.5, 1.0, -2.0, 0.25, 1.5})}) {
    auto plugin = probit_registry().create("probit", data_shape());
    plugin->set_parameters(theta);

    // d/db_j = sum_n delta_nj,  d/dW_jk = sum_n delta_nj x_nk, started from a non-zero
    // gradient and scaled by 0.5: the call must add 0.5 * gradient.
    Vector gradient = Vector::from_shape({theta.size()});
    for (std::size_t i = 0; i < theta.size(); ++i) gradient(i) = static_cast<double>(i) - 4.0;
    const Vector start = gradient;
    Workspace work;
    plugin->accumulate_gradient(parents, states, 0.5, gradient, work);

    const double h = 1e-5;
    for (std::size_t i = 0; i < theta.size(); ++i) {
      const double up = theta(i) + h, down = theta(i) - h;
      const double numeric = (total_log_probability(*plugin, i, up, parents, states) -
                              total_log_probability(*plugin, i, down, parents, states)) /
                             (up - down);
      const double analytic = (gradient(i) - start(i)) / 0.5;
      INFO(plugin->parameter_name(i), ": analytic ", analytic, ", numeric ", numeric);
      CHECK(std::abs(analytic - numeric) <= 1e-6 * std::max(1.0, std::abs(numeric)));
    }

    // And against the formula with the independent Phi.
    for (std::size_t j = 0; j < units; ++j) {
      long double expected = 0;
      for (std::size_t n = 0; n < 32; ++n) {
        const long double a = activation(theta, parents, n, j);
        expected += states(n, j) != 0.0 ? reference_pdf_over_cdf(a) : -reference_pdf_over_cdf(-a);
      }
      INFO("bias ", j);
      CHECK(std::abs((gradient(j) - start(j)) / 0.5 - static_cast<double>(expected)) <=
            1e-10 * std::max(1.0L, std::abs(expected)));
    }
  }
}

TEST_CASE("probit example: saturated units (a = +-40 and beyond) give exact 0 and 1, finite logs, no NaN") {
  auto plugin = probit_registry().create("probit", NodeShape{"data", 2, {{"cause", 1}}});
  // Unit 0: a = 40 (parent off) or 80 (on); unit 1: a = -40 or -80.
  plugin->set_parameters(values({40.0, -40.0, 40.0, -40.0}));
  const Matrix parents = bits({{0}, {1}});

  Matrix p;
  plugin->probabilities(parents, p);
  for (std::size_t n = 0; n < 2; ++n) {
    CHECK(p(n, 0) == 1.0);
    CHECK(p(n, 1) == 0.0);
  }

  // Every state, including the nearly impossible ones: log P is finite and equals
  // log Phi(+-a) of the reference (log Phi(-40) = -804.6, log Phi(-80) = -3205.3).
  Matrix all_parents_states = Matrix::from_shape({8, 1}), states = Matrix::from_shape({8, 2});
  for (std::size_t n = 0; n < 8; ++n) {
    all_parents_states(n, 0) = (n >> 2) & 1;
    states(n, 0) = n & 1;
    states(n, 1) = (n >> 1) & 1;
  }
  Vector log_p;
  Workspace work;
  plugin->log_probability(all_parents_states, states, log_p, work);
  for (std::size_t n = 0; n < 8; ++n) {
    const long double a0 = 40.0L * (1 + all_parents_states(n, 0)), a1 = -a0;
    const long double x0 = states(n, 0) != 0.0 ? a0 : -a0, x1 = states(n, 1) != 0.0 ? a1 : -a1;
    const long double expected = reference_log_cdf(x0) + reference_log_cdf(x1);
    INFO("pattern ", n);
    CHECK(std::isfinite(log_p(n)));
    check_close(log_p(n), expected, log_cdf_error(x0) + log_cdf_error(x1) + 4 * epsilon * std::abs(expected));
  }

  // d log P / d a: a unit on against a = -40 is pulled up by phi/Phi = 40.02..., a unit
  // agreeing with a saturated input gets 0; never NaN or infinite.
  Vector gradient = Vector::from_shape({4});
  gradient.fill(0.0);
  plugin->accumulate_gradient(all_parents_states, states, 1.0, gradient, work);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(plugin->parameter_name(i), " = ", gradient(i));
    CHECK(std::isfinite(gradient(i)));
  }
  long double expected_bias_1 = 0;
  for (std::size_t n = 0; n < 8; ++n) {
    const long double a1 = -40.0L * (1 + all_parents_states(n, 0));
    expected_bias_1 += states(n, 1) != 0.0 ? reference_pdf_over_cdf(a1) : -reference_pdf_over_cdf(-a1);
  }
  check_close(gradient(1), expected_bias_1, 1e-12L * std::abs(expected_bias_1));

  // Far beyond: a = -1e200 makes Phi underflow even in log space (a^2 overflows), giving
  // log P = -inf for the unit on, 0 for it off, and a finite gradient.
  auto extreme = probit_registry().create("probit", NodeShape{"data", 1, {}});
  extreme->set_parameters(values({-1e200}));
  const Matrix none = Matrix::from_shape({2, 0});
  Matrix on, off;
  extreme->log_firing_probabilities(none, on, off);
  CHECK(on(0, 0) == -std::numeric_limits<double>::infinity());
  CHECK(off(0, 0) == 0.0);
  Vector g = Vector::from_shape({1});
  g.fill(0.0);
  extreme->accumulate_gradient(none, bits({{1}, {0}}), 1.0, g, work);
  CHECK(g(0) == doctest::Approx(1e200));
}

TEST_CASE("probit example: ancestral samples follow P(v) = sum_h prod Phi, computed by brute force") {
  const std::string text = R"(nodes:
  - {name: cause, type: binary, size: 2}
  - {name: data,  type: binary, size: 3, observed: true}
generative:
  cause: {distribution: probit, bias: [0.5, -1]}
  data:  {distribution: probit, parents: [cause], bias: [0.2, -0.4, 0],
          weights: {cause: [[1, -2], [0.5, 0.5], [-1, 3]]}}
)";
  const Network network = parse_model(text, "probit.yaml", probit_registry());
  const std::vector<double> b_cause = {0.5, -1}, b_data = {0.2, -0.4, 0};
  const double w[3][2] = {{1, -2}, {0.5, 0.5}, {-1, 3}};

  // P(v) = sum_h prod_i Phi(+-b_i) prod_j Phi(+-(b_j + sum_k W_jk h_k)), v as 3 bits (v_0 first).
  std::vector<long double> expected(8, 0.0L);
  for (int h = 0; h < 4; ++h)
    for (int v = 0; v < 8; ++v) {
      long double p = 1;
      for (int i = 0; i < 2; ++i) p *= reference_cdf(((h >> (1 - i)) & 1) ? b_cause[i] : -b_cause[i]);
      for (int j = 0; j < 3; ++j) {
        long double a = b_data[j];
        for (int k = 0; k < 2; ++k) a += w[j][k] * ((h >> (1 - k)) & 1);
        p *= reference_cdf(((v >> (2 - j)) & 1) ? a : -a);
      }
      expected[v] += p;
    }

  const std::size_t draws = 40000;
  Rng rng = make_rng(2024);
  const Matrix samples = sample_visible(network, draws, rng);
  std::vector<double> counts(8, 0.0);
  for (std::size_t n = 0; n < draws; ++n)
    counts[4 * static_cast<int>(samples(n, 0)) + 2 * static_cast<int>(samples(n, 1)) +
           static_cast<int>(samples(n, 2))] += 1;
  // Each frequency within 5 standard errors of its probability.
  for (int v = 0; v < 8; ++v) {
    const double p = static_cast<double>(expected[v]);
    const double frequency = counts[v] / draws;
    INFO("pattern ", v, ": frequency ", frequency, ", P(v) ", p);
    CHECK(std::abs(frequency - p) <= 5 * std::sqrt(p * (1 - p) / draws));
  }
}

}  // namespace
}  // namespace helmholtz
