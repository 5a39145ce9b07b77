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
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class MeanSquaredError {
 public:
  using Scalar = S;

  S forward(const Matrix<S>& predictions, const Matrix<S>& targets, const std::vector<bool>& selected) {
    check_same_shape(predictions, targets, "MeanSquaredError");
    EF_CHECK(Index(selected.size()) == predictions.rows(),
             "MeanSquaredError: " << selected.size() << " selections for " << predictions.rows() << " rows");
    selected_ = selected;
    difference_ = predictions - targets;
    count_ = 0;
    double total = 0;
    for (Index n = 0; n < difference_.rows(); ++n) {
      if (!selected[std::size_t(n)]) continue;
      total += double(difference_.row(n).squaredNorm());
      count_ += difference_.cols();
    }
    EF_CHECK(count_ > 0, "MeanSquaredError: no row is selected, there is nothing to learn");
    return S(total / double(count_));
  }

  /// Forward was loss = sum (p - y)^2 / count, so dp = 2 (p - y) / count on selected rows.
  const Matrix<S>& backward() {
    input_grad_ = difference_ * (S(2) / S(count_));
    for (Index n = 0; n < input_grad_.rows(); ++n)
      if (!selected_[std::size_t(n)]) input_grad_.row(n).setZero();
    return input_grad_;
  }

 private:
  std::vector<bool> selected_;
  Matrix<S> difference_, input_grad_;
  Index count_ = 0;
};

}  // namespace eigenformer
