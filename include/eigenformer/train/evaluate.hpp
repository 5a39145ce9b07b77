// Estimating a model's loss on data it does not train on.
//
// One batch's loss is noisy, and a new random batch at every evaluation makes the
// curve noisier still. The mean over a fixed set of held-out batches (the same ones
// every time, as nanoGPT's estimate_loss) is a number that can be compared from step to
// step: its changes are the model's, not the sample's. The model runs in eval mode
// (no dropout) and the loss is averaged over every trained position of the set.
#pragma once

#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/data/batch.hpp"

namespace eigenformer {

/// Mean loss per trained position (target != -1) over `batches`, in eval mode.
template <class Model>
double mean_loss(Model& model, const std::vector<Batch>& batches) {
  EF_CHECK(!batches.empty(), "mean_loss needs at least one batch");
  model.set_training(false);
  double total = 0;
  Index positions = 0;
  for (const Batch& batch : batches) {
    const double loss = double(model.forward(batch.tokens, batch.targets, batch.batch, batch.time));
    total += loss * double(model.loss().count());
    positions += model.loss().count();
  }
  return total / double(positions);
}

}  // namespace eigenformer
