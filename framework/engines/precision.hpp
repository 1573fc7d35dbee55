#pragma once
// The plugin calls an engine makes, in either precision, so that an engine written once as
// a template over T (double, or float for train --precision float32) reaches the plugin's
// double calls or its single-precision ones.
#include <span>
#include <type_traits>

#include "framework/distribution.hpp"

namespace helmholtz::precision {

template <class T>
using Workspace = std::conditional_t<std::is_same_v<T, float>, WorkspaceF, helmholtz::Workspace>;

inline void probabilities(const Distribution& d, const Matrix& parents, Matrix& p, helmholtz::Workspace&) {
  d.probabilities(parents, p);
}
inline void probabilities(const Distribution& d, const MatrixF& parents, MatrixF& p, WorkspaceF& work) {
  d.probabilities_single(parents, p, work);
}

inline void log_firing_probabilities(const Distribution& d, const Matrix& parents, Matrix& log_on, Matrix& log_off,
                                     helmholtz::Workspace&) {
  d.log_firing_probabilities(parents, log_on, log_off);
}
inline void log_firing_probabilities(const Distribution& d, const MatrixF& parents, MatrixF& log_on, MatrixF& log_off,
                                     WorkspaceF& work) {
  d.log_firing_probabilities_single(parents, log_on, log_off, work);
}

inline void log_probability(const Distribution& d, const Matrix& parents, const Matrix& states, Vector& log_p,
                            helmholtz::Workspace& work) {
  d.log_probability(parents, states, log_p, work);
}
inline void log_probability(const Distribution& d, const MatrixF& parents, const MatrixF& states, VectorF& log_p,
                            WorkspaceF& work) {
  d.log_probability_single(parents, states, log_p, work);
}

inline void accumulate_gradient(const Distribution& d, const Matrix& parents, const Matrix& states,
                                const Vector& weights, std::span<double> gradient, helmholtz::Workspace& work) {
  d.accumulate_gradient(parents, states, weights, gradient, work);
}
inline void accumulate_gradient(const Distribution& d, const MatrixF& parents, const MatrixF& states,
                                const VectorF& weights, std::span<float> gradient, WorkspaceF& work) {
  d.accumulate_gradient_single(parents, states, weights, gradient, work);
}

inline void accumulate_gradient_after_log_probability(const Distribution& d, const Matrix& parents,
                                                     const Matrix& states, const Vector& weights,
                                                     std::span<double> gradient, helmholtz::Workspace& work) {
  d.accumulate_gradient_after_log_probability(parents, states, weights, gradient, work);
}
inline void accumulate_gradient_after_log_probability(const Distribution& d, const MatrixF& parents,
                                                     const MatrixF& states, const VectorF& weights,
                                                     std::span<float> gradient, WorkspaceF& work) {
  d.accumulate_gradient_after_log_probability_single(parents, states, weights, gradient, work);
}

}  // namespace helmholtz::precision
