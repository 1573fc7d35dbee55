#include "framework/distribution.hpp"

#include <algorithm>

#include <boost/random/uniform_real_distribution.hpp>

namespace helmholtz {

std::size_t NodeShape::parent_units() const {
  std::size_t total = 0;
  for (const auto& p : parents) total += p.units;
  return total;
}

ParameterView::operator Vector() const {
  Vector out = Vector::from_shape({size_});
  std::copy(data_, data_ + size_, out.data());
  return out;
}

bool ParameterView::operator==(const ParameterView& other) const {
  return size_ == other.size_ && std::equal(data_, data_ + size_, other.data_);
}

Distribution::Distribution(const Distribution& other)
    : shape_(other.shape_), blocks_(other.blocks_), count_(other.count_),
      own_(other.data_, other.data_ + other.count_), data_(own_.data()) {}

namespace {

template <class To, class From>
void convert(const Tensor<From, 2>& from, Tensor<To, 2>& to) {
  ensure_shape(to, from.shape(0), from.shape(1));
  std::copy(from.begin(), from.end(), to.begin());
}
template <class To, class From>
void convert(const Tensor<From, 1>& from, Tensor<To, 1>& to) {
  ensure_shape(to, from.shape(0));
  std::copy(from.begin(), from.end(), to.begin());
}

}  // namespace

void Distribution::probabilities_single(const MatrixF& parents, MatrixF& p, WorkspaceF& work) const {
  convert(parents, work.parents);
  probabilities(work.parents, work.out);
  convert(work.out, p);
}

void Distribution::log_firing_probabilities_single(const MatrixF& parents, MatrixF& log_on, MatrixF& log_off,
                                                   WorkspaceF& work) const {
  convert(parents, work.parents);
  log_firing_probabilities(work.parents, work.out, work.out2);
  convert(work.out, log_on);
  convert(work.out2, log_off);
}

void Distribution::log_probability_single(const MatrixF& parents, const MatrixF& states, VectorF& log_p,
                                          WorkspaceF& work) const {
  convert(parents, work.parents);
  convert(states, work.states);
  log_probability(work.parents, work.states, work.log_p, work.doubles);
  convert(work.log_p, log_p);
}

void Distribution::accumulate_gradient_single(const MatrixF& parents, const MatrixF& states, const VectorF& weights,
                                              std::span<float> gradient, WorkspaceF& work) const {
  convert(parents, work.parents);
  convert(states, work.states);
  convert(weights, work.weights);
  ensure_shape(work.gradient, gradient.size());
  work.gradient.fill(0.0);
  accumulate_gradient(work.parents, work.states, work.weights, std::span<double>(work.gradient.data(), gradient.size()),
                      work.doubles);
  for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] += static_cast<float>(work.gradient(i));
}

void Distribution::declare_parameters(std::vector<ParameterBlock> blocks) {
  std::size_t offset = 0;
  for (auto& b : blocks) {
    // Learning never leaves what a model file may hold.
    b.learning = {std::max(b.learning.lower, b.valid.lower), std::min(b.learning.upper, b.valid.upper)};
    b.offset = offset;
    b.size = b.layout == BlockLayout::per_unit ? shape_.units : shape_.units * shape_.parent_units();
    offset += b.size;
  }
  blocks_ = std::move(blocks);
  count_ = offset;
  own_.assign(count_, 0.0);
  data_ = own_.data();
}

const ParameterBlock* Distribution::block(std::string_view name) const {
  for (const auto& b : blocks_)
    if (b.name == name) return &b;
  return nullptr;
}

const ParameterBlock& Distribution::block_of(std::size_t i) const {
  for (const auto& b : blocks_)
    if (i >= b.offset && i < b.offset + b.size) return b;
  throw Error("parameter " + std::to_string(i) + " is beyond the " + std::to_string(count_) + " parameters of node '" +
              shape_.node + "'");
}

void Distribution::set_parameters(const Vector& values) {
  if (values.size() != count_)
    throw Error("set_parameters: " + std::to_string(values.size()) + " values given for " + std::to_string(count_) +
                " parameters of node '" + shape_.node + "'");
  std::copy(values.begin(), values.end(), data_);
  refresh();
}

void Distribution::accumulate_gradient(const Matrix& parents, const Matrix& states, double weight, Vector& gradient,
                                       Workspace& work) const {
  if (gradient.size() != count_)
    throw Error("accumulate_gradient: the gradient has " + std::to_string(gradient.size()) + " entries for " +
                std::to_string(count_) + " parameters of node '" + shape_.node + "'");
  Vector weights = Vector::from_shape({parents.shape(0)});
  weights.fill(weight);
  accumulate_gradient(parents, states, weights, std::span<double>(gradient.data(), gradient.size()), work);
}

void Distribution::project_into_learning_ranges() {
  for (const auto& b : blocks_)
    for (std::size_t i = b.offset; i < b.offset + b.size; ++i) data_[i] = b.learning.clamp(data_[i]);
  refresh();
}

void Distribution::attach(double* storage) {
  std::copy(data_, data_ + count_, storage);
  data_ = storage;
  own_.clear();
  own_.shrink_to_fit();
}

std::string Distribution::parameter_name(std::size_t i) const {
  const ParameterBlock& b = block_of(i);
  std::size_t at = i - b.offset;
  if (b.layout == BlockLayout::per_unit) return b.name + "[" + std::to_string(at) + "]";
  const std::size_t columns = shape_.parent_units();
  const std::size_t row = at / columns;
  std::size_t column = at % columns;
  for (const auto& parent : shape_.parents) {
    if (column < parent.units)
      return b.name + "[" + parent.name + "][" + std::to_string(row) + "][" + std::to_string(column) + "]";
    column -= parent.units;
  }
  return b.name + "[" + std::to_string(at) + "]";
}

void Distribution::validate(const Where& where) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const ParameterRange& range = block_of(i).valid;
    if (!range.contains(data_[i]))
      fail(where, parameter_name(i) + " is " + format_number(data_[i]) + ", but must be " + range.describe());
  }
}

void Distribution::initialise(Rng& rng) {
  for (const auto& b : blocks_) {
    const InitialRange r = b.initial;
    for (std::size_t i = b.offset; i < b.offset + b.size; ++i)
      // A degenerate range is a constant (Boost's distribution asserts lower < upper).
      data_[i] = r.lower == r.upper ? r.lower : boost::random::uniform_real_distribution<double>(r.lower, r.upper)(rng);
  }
  refresh();
}

}  // namespace helmholtz
