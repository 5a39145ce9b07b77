// Mean squared error over selected rows, for models that predict numbers, not tokens.
//
//   loss = sum over selected rows n, columns c of (p_nc - y_nc)^2 / count
//   dL/dp_nc = 2 (p_nc - y_nc) / count on selected rows, 0 elsewhere
// count = selected rows * columns. Rows not selected (positions where nothing is
// predicted, like the y tokens of an in-context regression prompt) add nothing.
// Shapes: predictions, targets (N, K); selected (N,).
#pragma once

#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class MeanSquaredError {
 public:
  using Scalar = S;

  /// What backward reads: p - y (N, K), which rows count, and how many numbers.
  struct Saved {
    Matrix<S> difference;
    std::vector<bool> selected;
    Index count = 0;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(difference); }
  };

  S forward(const Matrix<S>& predictions, const Matrix<S>& targets, const std::vector<bool>& selected,
            Saved& saved) const {
    saved.ticket.clear();
    check_same_shape(predictions, targets, "MeanSquaredError");
    EF_CHECK(Index(selected.size()) == predictions.rows(),
             "MeanSquaredError: " << selected.size() << " selections for " << predictions.rows() << " rows");
    saved.selected = selected;
    saved.difference = predictions - targets;
    saved.count = 0;
    double total = 0;
    for (Index n = 0; n < saved.difference.rows(); ++n) {
      if (!selected[std::size_t(n)]) continue;
      total += double(saved.difference.row(n).squaredNorm());
      saved.count += saved.difference.cols();
    }
    EF_CHECK(saved.count > 0, "MeanSquaredError: no row is selected, there is nothing to learn");
    saved.ticket.issue(this);
    return S(total / double(saved.count));
  }

  /// Inference: the same loss, the saved state dropped.
  S forward(const Matrix<S>& predictions, const Matrix<S>& targets, const std::vector<bool>& selected) const {
    Saved dropped;
    return forward(predictions, targets, selected, dropped);
  }

  /// Forward was loss = sum (p - y)^2 / count, so dp = loss_grad * 2 (p - y) / count on
  /// selected rows (loss_grad = dL/dloss, 1 when the loss is what is minimized).
  Matrix<S> backward(Saved& saved, S loss_grad) {
    saved.ticket.spend(this, "MeanSquaredError");
    Matrix<S> predictions_grad = saved.difference * (S(2) * loss_grad / S(saved.count));
    for (Index n = 0; n < predictions_grad.rows(); ++n)
      if (!saved.selected[std::size_t(n)]) predictions_grad.row(n).setZero();
    return predictions_grad;
  }
};

}  // namespace eigenformer
