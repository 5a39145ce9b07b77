// Softmax over each row, computed stably.
//
//   p_j = exp(x_j - m) / sum_k exp(x_k - m),  m = max_k x_k
// Subtracting the row maximum changes nothing mathematically but keeps every
// exponent <= 0, so exp never overflows (logits of 1e4 are fine). Entries of
// -infinity (a causal mask) get probability exactly 0.
// Backward: with dp = dL/dp,  dx_j = p_j (dp_j - sum_k p_k dp_k).
// Shapes: x, p (N, K); rows are independent distributions.
#pragma once

#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

/// In place: each row of x becomes softmax(scale * row), scale > 0 (attention's 1/sqrt(D),
/// folded in here to save a pass). Works on any matrix expression (a block too).
template <class Derived>
void softmax_rows(Eigen::MatrixBase<Derived>& x, typename Derived::Scalar scale = 1) {
  for (Index n = 0; n < x.rows(); ++n) {
    auto row = x.row(n).array();
    row = ((row - row.maxCoeff()) * scale).exp();  // max(scale x) = scale max(x) for scale > 0
    row *= 1 / row.sum();
  }
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

/// Softmax as a layer, for lessons and tests; attention and cross-entropy call the functions above.
template <class S>
class Softmax {
 public:
  using Scalar = S;

  const Matrix<S>& forward(const Matrix<S>& x) {
    probabilities_ = x;
    softmax_rows(probabilities_);
    return probabilities_;
  }

  const Matrix<S>& backward(const Matrix<S>& dp) {
    check_same_shape(dp, probabilities_, "Softmax");
    input_grad_ = dp;
    softmax_rows_backward(probabilities_, input_grad_);
    return input_grad_;
  }

  template <class Visit>
  void parameters(Visit&&) {}

 private:
  Matrix<S> probabilities_, input_grad_;
};

}  // namespace eigenformer
