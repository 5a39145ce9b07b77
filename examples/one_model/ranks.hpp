// Where pretraining runs: this process alone, or the MPI ranks mpirun started.
#pragma once

#include <eigenformer/model/gpt.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/train/trainer.hpp>
#include <functional>
#include <utility>
#include <vector>

#include "setup.hpp"

#if EIGENFORMER_EXAMPLE_WITH_MPI
#include <eigenformer/dist/data_parallel.hpp>
#endif

namespace examples::one_model {

#if EIGENFORMER_EXAMPLE_WITH_MPI
/// The processes mpirun started (one, when run alone): each trains on its slice of every
/// batch and the gradients are averaged (dist/data_parallel.hpp); rank 0 alone writes files
/// and does every stage after pretraining.
struct Ranks {
  dist::Communicator communicator;

  bool is_root() const { return communicator.is_root(); }
  int count() const { return communicator.size(); }
  void wait_for_root() const { communicator.barrier(); }
  /// A rank that fails ends them all when there are others: they may wait in a collective call.
  void stop_the_others(const char* error) const {
    if (count() > 1) dist::abort_every_rank(error);
  }
  Index from_root(Index value) const {
    double number = double(value);
    communicator.broadcast(&number, 1);
    return Index(number);
  }
  template <class Schedule, class NextBatch>
  std::vector<StepRecord> train(GPT<float>& model, AdamW<float>& optimizer, const Schedule& schedule,
                                NextBatch&& next_batch, const TrainingOptions& options,
                                const std::function<double()>& evaluate) const {
    dist::DataParallel<float> replicas(communicator, model.parameter_list());
    return eigenformer::train(
        model, optimizer, schedule, [&](Index step, Index micro) { return replicas.slice(next_batch(step, micro)); },
        options, evaluate, replicas);
  }
};
#else
/// This process alone (built without MPI).
struct Ranks {
  bool is_root() const { return true; }
  int count() const { return 1; }
  void wait_for_root() const {}
  void stop_the_others(const char*) const {}
  Index from_root(Index value) const { return value; }
  template <class Schedule, class NextBatch>
  std::vector<StepRecord> train(GPT<float>& model, AdamW<float>& optimizer, const Schedule& schedule,
                                NextBatch&& next_batch, const TrainingOptions& options,
                                const std::function<double()>& evaluate) const {
    return eigenformer::train(model, optimizer, schedule, std::forward<NextBatch>(next_batch), options, evaluate);
  }
};
#endif

}  // namespace examples::one_model
