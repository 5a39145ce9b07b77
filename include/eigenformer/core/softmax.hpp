// Softmax over rows, computed stably: the one softmax of the library.
//
// \[ p_j = \frac{e^{x_j - m}}{\sum_k e^{x_k - m}}, \qquad m = \max_k x_k \]
// Subtracting the row maximum changes nothing mathematically but keeps every
// exponent <= 0, so exp never overflows (logits of 1e4 are fine). Entries of
// -infinity (a causal mask) get probability exactly 0.
// Backward: with dp = dL/dp,
// \[ dx_j = p_j \Big(dp_j - \sum_k p_k\, dp_k\Big) \]
// Shapes: x, p (N, K); rows are independent distributions. These functions sit below the
// layers and the kernels because both call them: attention (nn/causal_attention.hpp and
// its fast kernel), cross-entropy, the Softmax layer and the sampler.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include "eigenformer/core/types.hpp"

namespace eigenformer {

/// What softmax divided by: sum_k exp(scale x_k) = exp(shift) * sum. Cross-entropy needs
/// its log, -log p_t = log_normalizer() - scale x_t, finite even where p_t underflows to 0.
template <class S>
struct SoftmaxNormalizer {
  S shift;  // scale * max_k x_k
  S sum;    // sum_k exp(scale x_k - shift), in [1, K]
  S log_normalizer() const { return shift + std::log(sum); }
};

/// In place: a row (any row vector expression) becomes softmax(scale * row), scale > 0.
/// The one softmax of the library: attention, cross-entropy and the sampler call it.
template <class Row>
auto softmax_row(Row&& row, typename std::remove_reference_t<Row>::Scalar scale = 1) {
  using S = typename std::remove_reference_t<Row>::Scalar;
  auto values = row.array();
  const S max = values.maxCoeff();  // max(scale x) = scale max(x) for scale > 0
  values = ((values - max) * scale).exp();
  const S sum = values.sum();
  values *= 1 / sum;
  return SoftmaxNormalizer<S>{scale * max, sum};
}

/// In place: each row of x becomes softmax(scale * row), scale > 0 (attention's 1/sqrt(D),
/// folded in here to save a pass). Works on any matrix expression (a block too).
template <class Derived>
void softmax_rows(Eigen::MatrixBase<Derived>& x, typename Derived::Scalar scale = 1) {
  for (Index n = 0; n < x.rows(); ++n) softmax_row(x.row(n), scale);
}

/// In place: dp becomes dx = scale * p * (dp - rowsum(p * dp)), the backward of
/// p = softmax(scale * x).
template <class DerivedP, class DerivedG>
void softmax_rows_backward(const Eigen::MatrixBase<DerivedP>& p, Eigen::MatrixBase<DerivedG>& dp,
                           typename DerivedG::Scalar scale = 1) {
  for (Index n = 0; n < p.rows(); ++n) {
    const auto dot = (p.row(n).array() * dp.row(n).array()).sum();
    dp.row(n).array() = scale * p.row(n).array() * (dp.row(n).array() - dot);
  }
}

/// Softmax of scale * row i over its first past+i+1 entries; the rest (the future) become 0.
/// Done as the definition says, over whole rows (full SIMD packets, no scalar tails):
/// future scores are set to -infinity, so they count neither in the row's maximum nor in
/// its sum. Their exp is 0 in exact arithmetic; Eigen's vectorized exp returns a
/// denormal ~1e-308 for doubles, so the future is then set to exactly 0. `past` counts
/// the positions before the first query (cached keys when generating; 0 in training).
template <class Derived>
void causal_softmax_rows(Eigen::MatrixBase<Derived>& scores, typename Derived::Scalar scale, Index past = 0) {
  using S = typename Derived::Scalar;
  const auto future = [&](Index i) { return scores.row(i).tail(scores.cols() - past - i - 1); };
  for (Index i = 0; i < scores.rows(); ++i) future(i).setConstant(-std::numeric_limits<S>::infinity());
  softmax_rows(scores, scale);
  for (Index i = 0; i < scores.rows(); ++i) future(i).setZero();
}

}  // namespace eigenformer
