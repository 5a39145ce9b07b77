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
#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/types.hpp"
#include "eigenformer/nn/softmax.hpp"

namespace eigenformer {

template <class S>
class CrossEntropy {
 public:
  using Scalar = S;
  static constexpr int kIgnore = -1;

  /// What backward reads, and what probes read: softmax(logits) (N, V), the targets,
  /// how many rows have one, and each row's loss (N,) (NaN where the target is -1).
  /// Backward takes the probabilities over (they become dL/dlogits in place).
  struct Saved {
    Matrix<S> probabilities;
    Tokens targets;
    Index count = 0;
    Vector<S> row_losses;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(probabilities, targets, row_losses); }
  };

  /// Mean loss over the rows with a target. Throws on a target outside [-1, V) or no target at all.
  /// The logits are taken by value and become the probabilities in place: a temporary
  /// (the model's logits) costs no second (N, V) matrix.
  S forward(Matrix<S> logits, const Tokens& targets, Saved& saved) const {
    saved.ticket.clear();
    EF_CHECK(static_cast<Index>(targets.size()) == logits.rows(),
             "CrossEntropy: " << targets.size() << " targets for " << logits.rows() << " rows of logits");
    for (Index n = 0; n < logits.rows(); ++n)
      EF_CHECK(targets[n] >= kIgnore && targets[n] < logits.cols(),
               "CrossEntropy: target " << targets[n] << " at row " << n << " is outside the vocabulary [0, "
                                       << logits.cols() << ") and is not -1 (ignore)");
    saved.targets = targets;
    saved.row_losses.resize(logits.rows());
    saved.count = 0;
    double total = 0.0;
    for (Index n = 0; n < logits.rows(); ++n) {
      const int target = targets[n];
      const S target_logit = target == kIgnore ? S(0) : logits(n, target);
      // One exp per logit gives both p and the loss: -log p_t = log Z - x_t (softmax.hpp).
      const SoftmaxNormalizer<S> normalizer = softmax_row(logits.row(n));
      if (target == kIgnore) {
        saved.row_losses(n) = std::numeric_limits<S>::quiet_NaN();
        continue;
      }
      saved.row_losses(n) = normalizer.log_normalizer() - target_logit;
      total += saved.row_losses(n);
      ++saved.count;
    }
    saved.probabilities = std::move(logits);
    EF_CHECK(saved.count > 0, "CrossEntropy: every target is -1, there is nothing to learn");
    saved.ticket.issue(this);
    return static_cast<S>(total / saved.count);
  }

  /// Inference: the same mean loss, the saved state dropped.
  S forward(const Matrix<S>& logits, const Tokens& targets) const {
    Saved dropped;
    return forward(Matrix<S>(logits), targets, dropped);
  }

  /// dL/dlogits = loss_grad * (p - onehot(target)) / count on trained rows, 0 on ignored
  /// ones (loss_grad = dL/dloss, 1 when the loss is what is minimized). Computed in place
  /// of p, which this backward consumes.
  Matrix<S> backward(Saved& saved, S loss_grad) {
    saved.ticket.spend(this, "CrossEntropy");
    Matrix<S> logits_grad = std::move(saved.probabilities);
    const S scale = loss_grad / S(saved.count);
    logits_grad *= scale;
    for (Index n = 0; n < logits_grad.rows(); ++n) {
      if (saved.targets[n] == kIgnore)
        logits_grad.row(n).setZero();
      else
        logits_grad(n, saved.targets[n]) -= scale;
    }
    return logits_grad;
  }
};

}  // namespace eigenformer
