// Natural gradients, unit by unit: the Fisher blocks and the damped solve against the exact
// Fisher matrix by enumeration, the steps natural-wake-sleep takes, fixed blocks kept out of
// the solve, and the refusal of plugins without Fisher blocks.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <vector>

#include "framework/engines/ancestral_sampling.hpp"
#include "framework/engines/exact_inference.hpp"
#include "framework/engines/recognition.hpp"
#include "framework/engines/training/natural_gradient.hpp"
#include "framework/engines/training/trainer.hpp"
#include "tests/support/fixed_blocks.hpp"
#include "plugins/builtin.hpp"
#include "tests/support/random_networks.hpp"
#include "tests/support/teacher_student.hpp"

using namespace helmholtz;

namespace {

using Real = long double;

// Sigmoid units throughout, two parents of one node, and fixed blocks in both directions.
const char* const shape_yaml = R"(
nodes:
  - {name: top,   type: binary, size: 2}
  - {name: left,  type: binary, size: 2}
  - {name: right, type: binary, size: 3}
  - {name: data,  type: binary, size: 4, observed: true}
generative:
  top:   {distribution: sigmoid}
  left:  {distribution: sigmoid, parents: [top], fixed: [bias]}
  right: {distribution: sigmoid, parents: [top]}
  data:  {distribution: sigmoid, parents: [left, right]}
recognition:
  left:  {distribution: sigmoid, parents: [data]}
  right: {distribution: sigmoid, parents: [data], fixed: [weights]}
  top:   {distribution: sigmoid, parents: [left, right]}
)";

Network random_sigmoid_network(std::uint64_t seed) {
  Rng rng = make_rng(seed);
  return testing::random_network(shape_yaml, rng, false);  // parameters uniform in [-3, 3]
}

// One pattern's row of a matrix, as a 1-row matrix.
Matrix row_of(const Matrix& m, std::size_t n) {
  Matrix out = Matrix::from_shape({1, m.shape(1)});
  std::copy(m.data() + n * m.shape(1), m.data() + (n + 1) * m.shape(1), out.data());
  return out;
}

// A x = b by Gaussian elimination with partial pivoting, in long double.
std::vector<Real> solve_dense(std::vector<Real> a, std::vector<Real> b) {
  const std::size_t m = b.size();
  for (std::size_t c = 0; c < m; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < m; ++r)
      if (std::abs(a[r * m + c]) > std::abs(a[pivot * m + c])) pivot = r;
    for (std::size_t k = 0; k < m; ++k) std::swap(a[c * m + k], a[pivot * m + k]);
    std::swap(b[c], b[pivot]);
    for (std::size_t r = c + 1; r < m; ++r) {
      const Real f = a[r * m + c] / a[c * m + c];
      for (std::size_t k = c; k < m; ++k) a[r * m + k] -= f * a[c * m + k];
      b[r] -= f * b[c];
    }
  }
  std::vector<Real> x(m);
  for (std::size_t r = m; r-- > 0;) {
    Real sum = b[r];
    for (std::size_t k = r + 1; k < m; ++k) sum -= a[r * m + k] * x[k];
    x[r] = sum / a[r * m + r];
  }
  return x;
}

// The brute-force reference for one direction of the network at weighted states:
//   g = sum_n w_n d/dtheta log P(states_n) - lambda theta (free weights only),
//   F = sum_n w_n sum_s P(s | x_n) d/dtheta log P(s | x_n) (...)^T   for every node,
// the expectation over every state s of the node's units given its parents, from the
// plugin's log-probability and gradient only (not the p (1 - p) x x^T of the Fisher blocks),
// and the direction (F_j + damping I)^{-1} g_j on each unit j's free parameters, which for a
// sigmoid node are its bias b_j and its row of weights W_j. (F has nothing between units;
// the test checks that too.)
struct Reference {
  Vector gradient, direction;
  std::vector<std::vector<Real>> fisher;  // per node, count x count
};

Reference brute_force(const DirectedModel& model, const NodeStates& states, const Vector& weights, double damping,
                      double lambda) {
  Reference r;
  r.gradient = xt::zeros<double>({model.parameters.size()});
  r.direction = xt::zeros<double>({model.parameters.size()});
  r.fisher.resize(model.conditionals.size());
  const std::vector<bool> fixed = model.fixed_mask();
  for (std::size_t node = 0; node < model.conditionals.size(); ++node) {
    const Conditional& c = model.conditionals[node];
    if (!c.distribution) continue;
    const Distribution& d = *c.distribution;
    const std::size_t count = d.parameter_count(), units = d.shape().units, k_count = d.shape().parent_units();
    const std::size_t offset = model.offsets[node];
    Matrix parents;
    gather_parents(c, states, weights.size(), parents);
    Workspace work;
    Vector g = xt::zeros<double>({count});
    d.accumulate_gradient(parents, states[node], weights, g, work);
    for (std::size_t i = units; i < count; ++i)
      if (!fixed[offset + i]) g(i) -= lambda * d.parameters()(i);
    std::vector<Real>& f = r.fisher[node];
    f.assign(count * count, 0);
    for (std::size_t n = 0; n < weights.size(); ++n) {
      const Matrix x = row_of(parents, n);
      for (std::size_t s = 0; s < (std::size_t{1} << units); ++s) {
        Matrix state = Matrix::from_shape({1, units});
        for (std::size_t j = 0; j < units; ++j) state(0, j) = (s >> j) & 1u;
        Vector log_p;
        d.log_probability(x, state, log_p, work);
        Vector score = xt::zeros<double>({count});
        d.accumulate_gradient(x, state, 1.0, score, work);
        const Real weight = weights(n) * std::exp(static_cast<Real>(log_p(0)));
        for (std::size_t a = 0; a < count; ++a)
          for (std::size_t b = 0; b < count; ++b) f[a * count + b] += weight * score(a) * score(b);
      }
    }
    for (std::size_t j = 0; j < units; ++j) {
      std::vector<std::size_t> free;  // unit j's free parameters: b_j, then W_j0 .. W_jK-1
      if (!fixed[offset + j]) free.push_back(j);
      for (std::size_t k = 0; k < k_count; ++k)
        if (!fixed[offset + units + j * k_count + k]) free.push_back(units + j * k_count + k);
      std::vector<Real> a(free.size() * free.size()), b(free.size());
      for (std::size_t p = 0; p < free.size(); ++p) {
        for (std::size_t q = 0; q < free.size(); ++q) a[p * free.size() + q] = f[free[p] * count + free[q]];
        a[p * free.size() + p] += damping;
        b[p] = g(free[p]);
      }
      const std::vector<Real> x = solve_dense(a, b);
      for (std::size_t p = 0; p < free.size(); ++p) r.direction(offset + free[p]) = static_cast<double>(x[p]);
    }
    for (std::size_t i = 0; i < count; ++i) r.gradient(offset + i) = g(i);
  }
  return r;
}

// Which unit parameter i of a sigmoid node belongs to: b_j and W_j. are unit j's.
std::size_t unit_of(std::size_t i, std::size_t units, std::size_t k_count) {
  return i < units ? i : (i - units) / k_count;
}

void check_close(const Vector& actual, const Vector& expected, double tolerance) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(actual(i) - expected(i)) <= tolerance * std::max(1.0, std::abs(expected(i))));
  }
}

Vector positive_weights(std::size_t count, Rng& rng) {
  Vector w = Vector::from_shape({count});
  for (double& x : w) x = 0.05 + 0.4 * uniform01(rng);
  return w;
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

}  // namespace

TEST_CASE("each unit's natural gradient is the damped inverse of its exact Fisher block times its gradient") {
  const Network network = random_sigmoid_network(11);
  Rng rng = make_rng(12);
  const Matrix data = sample_visible(network, 6, rng);
  RecognitionSampler recognition(network);
  AncestralSampler generative(network);
  const NodeStates recognised = recognition.sample(data, rng);  // states for P
  const NodeStates fantasy = generative.sample(6, rng);          // states for Q
  for (const double damping : {1e-3, 0.5}) {
    for (auto [model, states] :
         {std::pair{&network.generative, &recognised}, std::pair{&network.recognition, &fantasy}}) {
      CAPTURE(damping);
      CAPTURE(model == &network.generative);
      const Vector weights = positive_weights(6, rng);
      const double lambda = 0.03;
      const Reference expected = brute_force(*model, *states, weights, damping, lambda);

      NaturalGradient natural(network, *model, damping, lambda, "test");
      natural.compute_fisher(*states, weights);
      for (std::size_t node = 0; node < model->conditionals.size(); ++node) {
        const Distribution* d = model->conditionals[node].distribution.get();
        if (!d) continue;
        CAPTURE(network.nodes[node].name);
        const std::size_t count = d->parameter_count(), units = d->shape().units, k_count = d->shape().parent_units();
        const std::vector<Real>& f = expected.fisher[node];
        // The enumerated Fisher matrix has nothing between the parameters of different units.
        for (std::size_t a = 0; a < count; ++a)
          for (std::size_t b = 0; b < count; ++b)
            if (unit_of(a, units, k_count) != unit_of(b, units, k_count)) CHECK(std::abs(f[a * count + b]) < 1e-15);
        // Each unit's block is the plugin's, in its order [b_j, W_j0, ...].
        for (std::size_t j = 0; j < units; ++j) {
          const double* block = natural.fisher_block(node, j);
          REQUIRE(block != nullptr);
          std::vector<std::size_t> index{j};
          for (std::size_t k = 0; k < k_count; ++k) index.push_back(units + j * k_count + k);
          for (std::size_t a = 0; a < index.size(); ++a)
            for (std::size_t b = 0; b < index.size(); ++b)
              CHECK(std::abs(block[a * index.size() + b] - static_cast<double>(f[index[a] * count + index[b]])) <
                    1e-13);
        }
      }
      // The solve, given the gradient with its weight decay.
      Vector gradient = xt::zeros<double>({model->parameters.size()});
      for (std::size_t node = 0; node < model->conditionals.size(); ++node) {
        const Conditional& c = model->conditionals[node];
        if (!c.distribution) continue;
        Matrix parents;
        gather_parents(c, *states, 6, parents);
        Workspace work;
        c.distribution->accumulate_gradient(parents, (*states)[node], weights, model->slice(gradient, node), work);
      }
      Network scratch = network;  // add_weight_decay reads the parameters through a learner
      DirectedModel& same = model == &network.generative ? scratch.generative : scratch.recognition;
      LearningCoordinates(same, false).add_weight_decay(lambda, &gradient);
      check_close(gradient, expected.gradient, 1e-13);
      Vector direction;
      natural.solve(gradient, direction);
      check_close(direction, expected.direction, 1e-10);
      const std::vector<bool> fixed = model->fixed_mask();
      for (std::size_t i = 0; i < fixed.size(); ++i)
        if (fixed[i]) CHECK(direction(i) == 0.0);
    }
  }
}

TEST_CASE("natural-wake-sleep steps P and Q by rate times the brute-force natural gradients of their phases") {
  const Network original = random_sigmoid_network(21);
  Rng data_rng = make_rng(22);
  const Matrix batch = sample_visible(original, 5, data_rng);
  TrainingOptions options;
  options.algorithm = "natural-wake-sleep";
  options.generative_rate = 0.5;
  options.recognition_rate = 0.25;
  options.weight_decay = 0.02;
  options.damping = 0.01;

  Network network = original;
  {
    DirectionLearner generative(network.generative, options, options.generative_rate);
    DirectionLearner recognition(network.recognition, options, options.recognition_rate);
    Learners learners{generative, recognition};
    const auto algorithm = builtin_algorithms().create(options.algorithm, network, options);
    Rng rng = make_rng(23);
    algorithm->train_batch(batch, rng, learners, 1.0);
  }
  // The same random stream: the wake phase's h ~ Q, then fantasies from the updated P.
  Rng rng = make_rng(23);
  const Vector weights = xt::ones<double>({5}) / 5.0;
  RecognitionSampler recognition(original);
  const NodeStates recognised = recognition.sample(batch, rng);
  const Reference wake = brute_force(original.generative, recognised, weights, options.damping, options.weight_decay);
  Network updated = original;
  std::copy(network.generative.parameters.begin(), network.generative.parameters.end(),
            updated.generative.parameters.begin());
  updated.generative.parameters_changed();
  AncestralSampler generative(updated);
  const NodeStates fantasy = generative.sample(5, rng);
  const Reference sleep = brute_force(original.recognition, fantasy, weights, options.damping, options.weight_decay);

  check_close((network.generative.parameters - original.generative.parameters) / options.generative_rate,
              wake.direction, 1e-10);
  check_close((network.recognition.parameters - original.recognition.parameters) / options.recognition_rate,
              sleep.direction, 1e-10);
}

TEST_CASE("a plugin without Fisher blocks gets them from its gradients, exact, with a note naming the node") {
  // Every plugin at random in both directions: the computed blocks and the solved directions
  // must be the brute-force ones, as for sigmoid's own blocks.
  Rng pick = make_rng(21);
  for (int trial = 0; trial < 4; ++trial) {
    const Network network = testing::random_network(testing::layered_shape, pick, false);
    Rng rng = make_rng(22 + trial);
    const Matrix data = sample_visible(network, 5, rng);
    RecognitionSampler recognition(network);
    const NodeStates recognised = recognition.sample(data, rng);
    const Vector weights = positive_weights(5, rng);
    const Reference expected = brute_force(network.generative, recognised, weights, 0.01, 0.0);
    NaturalGradient natural(network, network.generative, 0.01, 0.0, "test");
    natural.compute_fisher(recognised, weights);
    std::size_t computed = 0;
    for (std::size_t node = 0; node < network.nodes.size(); ++node) {
      const Distribution& d = *network.generative.conditionals[node].distribution;
      CAPTURE(network.nodes[node].name);
      CAPTURE(d.kind());
      if (!dynamic_cast<const FisherBlocks*>(&d)) ++computed;
      const std::size_t count = d.parameter_count(), units = d.shape().units, k_count = d.shape().parent_units();
      const std::vector<Real>& f = expected.fisher[node];
      for (std::size_t j = 0; j < units; ++j) {
        const double* block = natural.fisher_block(node, j);
        REQUIRE(block != nullptr);
        std::vector<std::size_t> index{j};
        for (std::size_t k = 0; k < k_count; ++k) index.push_back(units + j * k_count + k);
        for (std::size_t a = 0; a < index.size(); ++a)
          for (std::size_t b = 0; b < index.size(); ++b) {
            const double want = static_cast<double>(f[index[a] * count + index[b]]);
            CHECK(std::abs(block[a * index.size() + b] - want) <= 1e-12 * std::max(1.0, std::abs(want)));
          }
      }
    }
    CHECK(natural.notes().size() == computed);
    Vector direction;
    natural.solve(expected.gradient, direction);
    check_close(direction, expected.direction, 1e-9);
  }
  // The note, through the algorithm and the trainer.
  const char* const noisy_or_data = R"(
nodes:
  - {name: mid,  type: binary, size: 3}
  - {name: data, type: binary, size: 4, observed: true}
generative:
  mid:  {distribution: sigmoid}
  data: {distribution: noisy-or, parents: [mid]}
recognition:
  mid:  {distribution: odds-sum, parents: [data]}
)";
  Network network = parse_model(noisy_or_data, "noisy.yaml");
  TrainingOptions options;
  options.algorithm = "natural-wake-sleep";
  options.epochs = 1;
  options.batch_size = 10;
  std::vector<std::string> notes;
  TrainingSetup setup;
  setup.on_note = [&](const std::string& note) { notes.push_back(note); };
  Rng rng = make_rng(3);
  const Matrix data = sample_visible(network, 40, rng);
  train(network, data, options, setup);
  CHECK(notes == std::vector<std::string>{
                     "natural-wake-sleep: generative.data (noisy-or) has no Fisher blocks of its own; they are computed "
                     "from its gradients (exact, slower)",
                     "natural-wake-sleep: recognition.mid (odds-sum) has no Fisher blocks of its own; they are "
                     "computed from its gradients (exact, slower)"});
  // A node whose every block is fixed is not trained: no blocks, no note, and it stays put.
  std::string text = noisy_or_data;
  text.replace(text.find("parents: [mid]}"), 15, "parents: [mid], fixed: [bias, weights]}");
  network = parse_model(text, "noisy.yaml");
  const Network before = network;
  notes.clear();
  train(network, data, options, setup);
  CHECK(notes.size() == 1);
  const std::size_t data_node = 1;
  for (std::size_t i = 0; i < 4 + 4 * 3; ++i)
    CHECK(same_bits(network.generative.conditionals[data_node].distribution->parameters()(i),
                    before.generative.conditionals[data_node].distribution->parameters()(i)));
  CHECK(network.generative.parameters(0) != before.generative.parameters(0));  // mid did learn
  // The damping must be a positive number.
  options.damping = 0.0;
  CHECK_THROWS_WITH_AS(builtin_algorithms().create("natural-wake-sleep", network, options),
                       "natural-wake-sleep: the damping must be a number > 0, not 0", Error);
}

TEST_CASE("fixed blocks stay bit for bit fixed through rws, natural-rws and natural-wake-sleep") {
  const Network start = random_sigmoid_network(31);
  Rng rng = make_rng(32);
  const Matrix data = sample_visible(start, 40, rng);
  for (const std::string algorithm : {"rws", "natural-rws", "natural-wake-sleep"}) {
    for (const bool sleep_updates : {false, true}) {
      for (const std::string optimizer : {"sgd", "momentum"}) {
        CAPTURE(algorithm);
        CAPTURE(sleep_updates);
        CAPTURE(optimizer);
        Network network = start;
        TrainingOptions options;
        options.algorithm = algorithm;
        options.optimizer = optimizer;
        options.sleep_updates = sleep_updates;
        options.samples = 4;
        options.epochs = 2;
        options.batch_size = 8;
        options.weight_decay = 0.01;  // decay must not move fixed weights either
        options.generative_rate = options.recognition_rate = 0.1;
        options.seed = 3;
        TrainingSetup setup;
        train(network, data, options, setup);
        const auto [kept, moved] = testing::check_fixed_blocks(network, start);
        CHECK(kept == 2 + 3 * 4);  // generative left's bias, recognition right's weights
        CHECK(moved > 0);
      }
    }
  }
}

TEST_CASE("natural-wake-sleep learns a known network to within 0.5 nats of its held-out log-likelihood") {
  // The teacher of wake_sleep_test.cpp, and a student of its shape with parameters from the
  // seed. Minibatches of 100: natural steps need Fisher blocks taken over enough samples.
  const Network teacher = testing::teacher_network();
  Network student = testing::student_network();
  Rng rng = make_rng(1);
  const Matrix train_data = sample_visible(teacher, 2000, rng);
  const Matrix held_out = sample_visible(teacher, 1000, rng);
  const auto mean_log_likelihood = [&](const Network& network) {
    return xt::mean(exact_inference(network, held_out).log_likelihood)();
  };
  const double truth = mean_log_likelihood(teacher), before = mean_log_likelihood(student);
  TrainingOptions options;
  options.algorithm = "natural-wake-sleep";
  options.epochs = 20;
  options.batch_size = 100;
  options.generative_rate = options.recognition_rate = 0.2;
  options.seed = 4;
  TrainingSetup setup;
  train(student, train_data, options, setup);
  const double after = mean_log_likelihood(student);
  MESSAGE("natural-wake-sleep: held-out mean log p(d) " << before << " -> " << after << " (true network " << truth
                                                        << ")");
  CHECK(after > truth - 0.5);
}
