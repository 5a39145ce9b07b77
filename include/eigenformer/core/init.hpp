// Weight initializers, drawn from our seeded Rng so that runs are reproducible.
//
// GPT-2 (Radford et al., 2019) draws every weight matrix from N(0, 0.02^2) and
// scales the projections that write into the residual stream by 1/sqrt(2 layers),
// so the stream's variance does not grow with depth. Small models often learn
// faster from a width-aware std of 1/sqrt(fan_in) (LeCun et al., 1998).
#pragma once

#include "eigenformer/core/rng.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

template <class Derived>
void fill_normal(Eigen::MatrixBase<Derived>& m, double std, Rng& rng) {
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j) m(i, j) = static_cast<typename Derived::Scalar>(rng.normal(0.0, std));
}

}  // namespace eigenformer
