// Estimating a model's loss on data it does not train on.
//
// One batch's loss is noisy, and a new random batch at every evaluation makes the
// curve noisier still. The mean over a fixed set of held-out batches (the same ones
// every time, as nanoGPT's estimate_loss) is a number that can be compared from step to
// step: its changes are the model's, not the sample's. The model runs by inference
// (no dropout) and the loss is averaged over every trained position of the set.
#pragma once

#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/error.hpp"
#include "eigenformer/nn/cross_entropy.hpp"

namespace eigenformer {

/// Mean loss per trained position (target != -1) over `batches`, by inference (no dropout).
template <class Model>
double mean_loss(const Model& model, const std::vector<Batch>& batches) {
  using S = typename Model::Scalar;
  EF_CHECK(!batches.empty(), "mean_loss needs at least one batch");
  double total = 0;
  Index positions = 0;
  for (const Batch& batch : batches) {
    typename CrossEntropy<S>::Saved loss;  // for its count of trained positions
    const Matrix<S> logits = model.forward(batch.tokens, batch.batch, batch.time);
    total += double(CrossEntropy<S>().forward(logits, batch.targets, loss)) * double(loss.count);
    positions += loss.count;
  }
  return total / double(positions);
}

}  // namespace eigenformer
