// What data parallelism and ZeRO-1 share: a group of ranks that train one model.
//
// Each rank trains on its own rows of the global batch (slice), rank 0 alone writes files,
// a number each rank measured is summed or maxed over the ranks, and the group starts by
// broadcasting rank 0's weights, so every rank begins with the same model. DataParallel
// and Zero1AdamW build on it; train() uses these calls (train/single_process.hpp).
#pragma once

#include <array>
#include <chrono>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/dist/communicator.hpp"

namespace eigenformer::dist {

/// Rows [rank B / ranks, (rank + 1) B / ranks) of a batch of B rows (B a multiple of ranks).
inline Batch slice_of_batch(const Batch& global, int rank, int ranks) {
  EF_CHECK(global.batch % ranks == 0, "dist: a batch of " << global.batch << " rows does not split evenly between "
                                                          << ranks << " ranks (make it a multiple)");
  const Index rows = global.batch / ranks, begin = Index(rank) * rows * global.time, count = rows * global.time;
  return {Tokens(global.tokens.begin() + begin, global.tokens.begin() + begin + count),
          Tokens(global.targets.begin() + begin, global.targets.begin() + begin + count), rows, global.time};
}

/// What rank 0 read from a checkpoint, sent to every rank as three numbers.
struct ResumePoint {
  std::array<double, 3> numbers{};  // loaded (1) or not (0), the training step, the optimizer's step count
  bool loaded() const { return numbers[0] != 0; }
  Index step() const { return Index(numbers[1]); }
  Index optimizer_steps() const { return Index(numbers[2]); }
};

/// The seconds a call took, added to `total`.
class Stopwatch {
 public:
  explicit Stopwatch(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~Stopwatch() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  Stopwatch(const Stopwatch&) = delete;
  Stopwatch& operator=(const Stopwatch&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

class RankGroup {
 public:
  template <class S>
  RankGroup(const Communicator& communicator, const std::vector<Parameter<S>*>& parameters)
      : communicator_(communicator) {
    broadcast_values(parameters);
  }

  /// This rank's rows of a global batch.
  Batch slice(const Batch& global) const { return slice_of_batch(global, rank(), ranks()); }

  int rank() const { return communicator_.rank(); }
  int ranks() const { return communicator_.size(); }
  bool writes_files() const { return communicator_.is_root(); }
  double sum(double value) const { return communicator_.sum(value); }
  double max(double value) const { return communicator_.max(value); }
  double communication_seconds() const { return communication_seconds_; }  // in total, on this rank

 protected:
  /// Rank 0's weights on every rank.
  template <class S>
  void broadcast_values(const std::vector<Parameter<S>*>& parameters) const {
    for (Parameter<S>* p : parameters) communicator_.broadcast(p->value.data(), p->value.size());
  }
  static void check_same_parameters(bool same, const char* who) {
    EF_CHECK(same, "dist: clip_gradients was given other parameters than the " << who << " was built with");
  }

  const Communicator& communicator_;
  double communication_seconds_ = 0;
};

}  // namespace eigenformer::dist
