#pragma once
// A distribution that forwards the plugin interface to another and hides every optional
// capability (IncrementalStatistics, LinearLikelihood, FisherBlocks, MeanField), so that
// engines take their generic paths: tests compare those with the fast ones.
#include <memory>

#include "framework/distribution.hpp"

namespace helmholtz::testing {

class OpaqueDistribution final : public Distribution {
 public:
  explicit OpaqueDistribution(std::unique_ptr<Distribution> inner)
      : Distribution(inner->shape()), inner_(std::move(inner)) {
    declare_parameters(inner_->blocks());  // the same blocks; the values are copied in
    set_parameters(inner_->parameters());
  }
  OpaqueDistribution(const OpaqueDistribution& other) : Distribution(other), inner_(other.inner_->clone()) {}
  std::string_view kind() const override { return inner_->kind(); }
  void probabilities(const Matrix& x, Matrix& p) const override { inner_->probabilities(x, p); }
  void log_firing_probabilities(const Matrix& x, Matrix& on, Matrix& off) const override {
    inner_->log_firing_probabilities(x, on, off);
  }
  void log_probability(const Matrix& x, const Matrix& s, Vector& l, Workspace& w) const override {
    inner_->log_probability(x, s, l, w);
  }
  void accumulate_gradient(const Matrix& x, const Matrix& s, const Vector& c, std::span<double> g,
                           Workspace& w) const override {
    inner_->accumulate_gradient(x, s, c, g, w);
  }
  std::unique_ptr<Distribution> clone() const override { return std::make_unique<OpaqueDistribution>(*this); }
  // The inner distribution computes; this keeps its values in step with the network's.
  void refresh() override { inner_->set_parameters(parameters()); }

 private:
  std::unique_ptr<Distribution> inner_;
};

}  // namespace helmholtz::testing
