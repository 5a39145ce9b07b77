// Cross-entropy loss of next-token logits, fused with the softmax.
//
// \[ \ell_n = -\log \mathrm{softmax}(z_n)_{t_n} = \log \sum_k e^{z_{n,k}} - z_{n,t_n}, \qquad
//     L = \frac{1}{|\mathcal C|} \sum_{n \in \mathcal C} \ell_n \]
// with z the logits, t the targets and C the rows whose target is not -1.
// A target of -1 means "nothing to learn here" (a prompt position of a task):
// that row adds nothing to the loss or the gradient (PyTorch's ignore_index).
// Backward, fused: dlogits_n = (softmax(logits_n) - onehot(target_n)) / count.
// Shapes: logits (N, V), targets (N,), per-row losses (N,).
#pragma once

#include <cmath>
#include <limits>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"
#include "eigenformer/nn/softmax.hpp"

namespace eigenformer {

template <class S>
class CrossEntropy {
 public:
  using Scalar = S;
  static constexpr int kIgnore = -1;

  /// Mean loss over the rows with a target. Throws on a target outside [-1, V) or no target at all.
  S forward(const Matrix<S>& logits, const Tokens& targets) {
    EF_CHECK(static_cast<Index>(targets.size()) == logits.rows(),
             "CrossEntropy: " << targets.size() << " targets for " << logits.rows() << " rows of logits");
    targets_ = targets;
    probabilities_.resize(logits.rows(), logits.cols());
    row_losses_.resize(logits.rows());
    count_ = 0;
    double total = 0.0;
    for (Index n = 0; n < logits.rows(); ++n) {
      const int target = targets[n];
      EF_CHECK(target >= kIgnore && target < logits.cols(),
               "CrossEntropy: target " << target << " at row " << n << " is outside the vocabulary [0, "
                                       << logits.cols() << ") and is not -1 (ignore)");
      // One exp per logit gives both p and the loss: -log p_t = log Z - x_t (softmax.hpp).
      probabilities_.row(n) = logits.row(n);
      const SoftmaxNormalizer<S> normalizer = softmax_row(probabilities_.row(n));
      if (target == kIgnore) {
        row_losses_(n) = std::numeric_limits<S>::quiet_NaN();
        continue;
      }
      row_losses_(n) = normalizer.log_normalizer() - logits(n, target);
      total += row_losses_(n);
      ++count_;
    }
    EF_CHECK(count_ > 0, "CrossEntropy: every target is -1, there is nothing to learn");
    return static_cast<S>(total / count_);
  }

  /// dL/dlogits = (p - onehot(target)) / count on trained rows, 0 on ignored ones.
  const Matrix<S>& backward() {
    EF_CHECK(count_ > 0, "CrossEntropy: backward before any forward");
    input_grad_ = probabilities_ / S(count_);
    for (Index n = 0; n < input_grad_.rows(); ++n) {
      if (targets_[n] == kIgnore)
        input_grad_.row(n).setZero();
      else
        input_grad_(n, targets_[n]) -= S(1) / S(count_);
    }
    return input_grad_;
  }

  /// Softmax of the last logits, (N, V): what the model predicts at each position.
  const Matrix<S>& probabilities() const { return probabilities_; }
  /// Loss of each row, NaN where the target was -1: for per-position probes.
  const Vector<S>& row_losses() const { return row_losses_; }
  Index count() const { return count_; }

 private:
  Tokens targets_;
  Matrix<S> probabilities_, input_grad_;
  Vector<S> row_losses_;
  Index count_ = 0;
};

}  // namespace eigenformer
