#pragma once
// An optional capability of a distribution, asked for with dynamic_cast: the Fisher
// information of each unit's conditional with respect to that unit's own parameters. In a
// belief network whose units are conditionally independent given their parents, the Fisher
// matrix of the whole network is block diagonal, one small block per unit (its bias and its
// row of weights), so the natural gradient is exact block by block (Varady, Volpi, Malago &
// Ay, natural wake-sleep). For a unit whose log-probability depends on its parameters only
// through a_j = b_j + sum_k W_jk x_k (sigmoid),
//   F_j = sum_n w_n p_nj (1 - p_nj) x~_n x~_n^T,   x~ = [1, x]  (bias first).
// Natural-gradient algorithms refuse, naming the plugin, a node whose plugin lacks it.
#include <cstddef>

#include "framework/distribution.hpp"

namespace helmholtz {

class FisherBlocks {
 public:
  virtual ~FisherBlocks() = default;
  // The size of every unit's block.
  virtual std::size_t fisher_block_size() const = 0;
  // indices[i] = the position, within the node's parameters, of row/column i of unit j's
  // block (fisher_block_size() entries).
  virtual void fisher_block_indices(std::size_t unit, std::size_t* indices) const = 0;
  // blocks += sum_n weights(n) F_j(parents_n) for every unit j: `blocks` holds units blocks
  // of size x size, row-major, one after the other.
  virtual void accumulate_fisher_blocks(const Matrix& parents, const Vector& weights, double* blocks,
                                        Workspace& work) const = 0;
};

}  // namespace helmholtz
