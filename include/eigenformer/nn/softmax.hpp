// Softmax over each row, computed stably.
//
// \[ p_j = \frac{e^{x_j - m}}{\sum_k e^{x_k - m}}, \qquad m = \max_k x_k \]
// Subtracting the row maximum changes nothing mathematically but keeps every
// exponent <= 0, so exp never overflows (logits of 1e4 are fine). Entries of
// -infinity (a causal mask) get probability exactly 0.
// Backward: with dp = dL/dp,
// \[ dx_j = p_j \Big(dp_j - \sum_k p_k\, dp_k\Big) \]
// Shapes: x, p (N, K); rows are independent distributions.
#pragma once

#include <cmath>
#include <type_traits>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

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

/// Softmax as a layer, for lessons and tests; attention and cross-entropy call the functions above.
template <class S>
class Softmax {
 public:
  using Scalar = S;

  /// What backward reads: p, (N, K).
  struct Saved {
    Matrix<S> probabilities;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(probabilities); }
  };

  Matrix<S> forward(const Matrix<S>& x) const {
    Matrix<S> p = x;
    softmax_rows(p);
    return p;
  }

  Matrix<S> forward(const Matrix<S>& x, Saved& saved) const {
    saved.ticket.clear();
    saved.probabilities = forward(x);
    saved.ticket.issue(this);
    return saved.probabilities;
  }

  /// Forward was p = softmax(x) per row: dx = p * (dp - rowsum(p * dp)), from the kept p.
  Matrix<S> backward(Saved& saved, const Matrix<S>& dp) {
    saved.ticket.spend(this, "Softmax");
    check_same_shape(dp, saved.probabilities, "Softmax");
    Matrix<S> dx = dp;
    softmax_rows_backward(saved.probabilities, dx);
    return dx;
  }

  template <class Visit>
  void parameters(Visit&&) {}
};

}  // namespace eigenformer
