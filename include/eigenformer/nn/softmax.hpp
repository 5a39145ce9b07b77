// Softmax as a layer, for lessons and tests: p = softmax(x) per row, and its backward
// dx = p * (dp - rowsum(p * dp)). The functions it calls (core/softmax.hpp) are the ones
// attention, cross-entropy and the sampler call.
// Shapes: x, p (N, K).
#pragma once

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/shape_check.hpp"
#include "eigenformer/core/softmax.hpp"

namespace eigenformer {

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
