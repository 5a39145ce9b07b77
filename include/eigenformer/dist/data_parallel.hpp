// Data parallelism: N processes train one model, each on its own slice of every batch.
//
// Every rank holds the whole model. Per step, rank r runs forward and backward on rows
// [r B/N, (r+1) B/N) of the global batch of B rows and gets the gradient g_r of its mean
// loss. Then one allreduce sums the g_r, and each rank divides by N:
//   g = (1/N) sum_r g_r = the gradient of the mean loss over all B rows
// (exactly so when every row has the same number of targets: the mean of the slices'
// means is then the mean over the batch). Every rank now holds the same g, clips it the
// same way and takes the same optimizer step, so the weights, broadcast from rank 0 at the
// start, stay identical without ever being sent again. N ranks of B/N rows each are one
// process with B rows, N times faster in compute; the price is the allreduce of every
// gradient, 2 (N-1)/N of the model's size in bytes per rank per step (communicator.hpp).
//
// Use it as train()'s `processes` (train/trainer.hpp), with any optimizer:
//   DataParallel<float> replicas(communicator, model.parameter_list());
//   train(model, optimizer, schedule, [&](Index s, Index m) { return replicas.slice(batch(s, m)); },
//         options, {}, replicas);
// Rank 0 alone writes the CSV, the progress line and the checkpoints; a resumed run reads
// the checkpoint on rank 0 and broadcasts it, so it may have any number of ranks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "eigenformer/dist/communicator.hpp"
#include "eigenformer/dist/flat_layout.hpp"
#include "eigenformer/dist/rank_group.hpp"
#include "eigenformer/io/checkpoint.hpp"
#include "eigenformer/optim/clip_grad_norm.hpp"

namespace eigenformer::dist {

template <class S>
class DataParallel : public RankGroup {
 public:
  /// Broadcasts rank 0's weights: every rank starts from the same model.
  DataParallel(const Communicator& communicator, const std::vector<Parameter<S>*>& parameters)
      : RankGroup(communicator, parameters), layout_(parameters, 1), flat_(std::size_t(layout_.size())) {}

  /// One allreduce of every gradient, laid end to end; then the usual clip.
  double clip_gradients(const std::vector<Parameter<S>*>& parameters, double max_norm) {
    check_same_parameters(parameters == layout_.parameters(), "DataParallel");
    {
      const Stopwatch timed(communication_seconds_);
      layout_.copy_gradients_to(flat_.data());
      communicator_.allreduce_sum(flat_.data(), layout_.size());
      layout_.set_gradients_from(flat_.data(), S(1) / S(ranks()));
    }
    return clip_grad_norm(parameters, max_norm);
  }

  /// Rank 0 reads the checkpoint (if there is one) and sends it to every rank.
  template <class Model, class Optimizer>
  Index resume(const std::string& path, Model& model, Optimizer& optimizer) const {
    ResumePoint point;
    if (communicator_.is_root() && std::filesystem::exists(path))
      point.numbers = {1, double(load_checkpoint(path, model, &optimizer)), double(optimizer.step_count())};
    communicator_.broadcast(point.numbers.data(), 3);
    if (point.loaded()) {
      for (const auto& named : checkpoint_format::tensors_of(model, &optimizer))
        communicator_.broadcast(named.numbers->data(), named.numbers->size());
      optimizer.set_step_count(point.optimizer_steps());
    }
    return point.step();
  }

  /// Rank 0 writes (the ranks hold the same model and optimizer state).
  template <class Model, class Optimizer>
  void save(const std::string& path, Model& model, Index step, Optimizer& optimizer,
            std::uint32_t tokenizer_fingerprint) const {
    if (communicator_.is_root()) save_checkpoint(path, model, step, &optimizer, tokenizer_fingerprint);
  }

 private:
  FlatLayout<S> layout_;
  std::vector<S> flat_;
};

}  // namespace eigenformer::dist
