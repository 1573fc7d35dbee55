#pragma once
// Vectorised (xsimd) versions of the numerics kernels, for the inner loops that evaluate
// many units at once (exact enumeration evaluates every child unit after every flip).
// Each gives the same results as its scalar counterpart in numerics.hpp to within a few
// units in the last place, and the same exact 0, -inf and never NaN at the extremes.
#include <cstddef>

namespace helmholtz::vector_math {

// The largest x[i] (-inf for n = 0), in SIMD lanes with independent accumulators (a scalar
// running maximum is one long dependency chain): the block maximum of a streaming
// log-sum-exp.
double maximum(const double* x, std::size_t n);

// Is every x[i] a finite number?
bool all_finite(const double* x, std::size_t n);

// x[i] = exp(x[i] - shift) in place; returns their sum (the other step of a streaming
// log-sum-exp: one exp per element).
double exp_shifted_sum(double* x, std::size_t n, double shift);

// sum_i softplus(a[i]) = sum_i max(a[i], 0) + log prod_i (1 + exp(-|a[i]|)): one exp per
// element and a log per 512 (a product of factors in [1, 2] cannot overflow before).
double softplus_sum(const double* a, std::size_t n);
// sum_i log P(s_i | a_i) = sum_i log sigmoid(s_i ? a_i : -a_i) for states s_i in {0, 1},
// each term min(x, 0) - log1p(exp(-|x|)): accurate where the terms are tiny.
double log_sigmoid_sum(const double* a, const double* s, std::size_t n);

// x[i] = exp(x[i]).
void exp_in_place(double* x, std::size_t n);

// x[i] = sigmoid(x[i]) = 1 / (1 + exp(-x[i])), exactly 0 and 1 far out.
void sigmoid_in_place(double* x, std::size_t n);

// log_on[i] = log sigmoid(a[i]), log_off[i] = log sigmoid(-a[i]), with one exp and one
// log1p per unit: both are min(+-a, 0) - log1p(exp(-|a|)).
void log_sigmoid_pair(const double* a, double* log_on, double* log_off, std::size_t n);

// log_on[i] = log(1 - exp(log_off[i])) for log_off[i] <= 0 (numerics::log1m_exp).
void log1m_exp(const double* log_off, double* log_on, std::size_t n);

// For odds t >= 0: log_off[i] = -log1p(t[i]), log_on[i] = -log1p(1 / t[i]) (which keeps its
// digits at large odds, where log t - log1p(t) would cancel, and gives -inf at t = 0).
void log_odds_pair(const double* t, double* log_on, double* log_off, std::size_t n);

// Single precision (training with --precision float32).
// x[i] = sigmoid(x[i]).
void sigmoid_in_place(float* x, std::size_t n);
// log_on[i] = log sigmoid(a[i]), log_off[i] = log sigmoid(-a[i]) (as for double).
void log_sigmoid_pair(const float* a, float* log_on, float* log_off, std::size_t n);
// sum_i log P(s_i | a_i) = sum_i log sigmoid(s_i ? a_i : -a_i), for states s_i in {0, 1}.
double log_sigmoid_sum(const float* a, const float* s, std::size_t n);

}  // namespace helmholtz::vector_math
