#pragma once
// Fisher blocks for a distribution that does not supply its own (FisherBlocks), computed from
// its gradients. A unit's parameters are its entry of every per_unit block and its row of
// every per_unit_and_parent block, and its log-probability depends on no other parameters, so
//   F_j = sum_n w_n sum_{s in {0,1}} P(s_j = s | x_n) g_js(x_n) g_js(x_n)^T,
//   g_js(x) = d/dtheta_j log P(s_j = s | x),
// where g_j1 and g_j0 of every unit come from two calls of accumulate_gradient per pattern,
// with every unit on and every unit off. Exact (the Fisher matrix, not its empirical
// estimate from the observed states), for any plugin; it costs two gradient calls and a few
// outer products per pattern, where a plugin's own blocks can be one matrix product.
#include <vector>

#include "framework/fisher_blocks.hpp"

namespace helmholtz {

class FisherFromGradients final : public FisherBlocks {
 public:
  // `distribution` must outlive this object; its parameters may change between calls.
  explicit FisherFromGradients(const Distribution& distribution);

  std::size_t fisher_block_size() const override { return per_unit_; }
  void fisher_block_indices(std::size_t unit, std::size_t* indices) const override;
  void accumulate_fisher_blocks(const Matrix& parents, const Vector& weights, double* blocks,
                                Workspace& work) const override;

 private:
  const Distribution& distribution_;
  std::size_t per_unit_ = 0;
  std::vector<std::size_t> indices_;  // units x per_unit_
  // Buffers for one pattern, made once: the calls allocate nothing in steady state.
  mutable Matrix parent_row_, on_, off_, log_on_, log_off_;
  mutable Vector one_, gradient_on_, gradient_off_;
};

}  // namespace helmholtz
