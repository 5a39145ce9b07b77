// ZeRO-1 (Rajbhandari et al., 2020, "ZeRO: Memory Optimizations Toward Training Trillion
// Parameter Models", stage 1): data parallelism with the optimizer state split between ranks.
//
// AdamW keeps two numbers per weight (m and v, optim/adam.hpp): in float, 8 bytes per weight
// beside the weight's own 4 and its gradient's 4. Under plain data parallelism every rank
// keeps all of it. ZeRO-1 lays the parameters end to end (flat_layout.hpp), cuts the flat
// buffer into N equal slices, and rank r keeps m and v for slice r only: optimizer memory
// per rank falls from 8 P to 8 P / N bytes. A step:
//   1. reduce-scatter the gradients: rank r receives slice r of their sum, divided by N
//   2. the norm of the whole gradient: each rank's sum of squares of its slice, summed
//      over ranks (one number); clip the slice by it
//   3. AdamW on slice r only, with the slice's m and v
//   4. allgather the slices of weights: every rank again holds the whole updated model
// Steps 1 and 4 move (N-1)/N of the model each, the same as the allreduce they replace
// (an allreduce is a reduce-scatter then an allgather), so the memory saving is free in
// traffic. The result equals DataParallel with AdamW up to rounding.
//
// It is the optimizer and train()'s `processes` at once (train/single_process.hpp), so it
// is passed once, as the optimizer (the train() overload below):
//   Zero1AdamW<float> zero(communicator, model.parameter_list(), {.lr = 3e-3});
//   train(model, zero, schedule, [&](Index s, Index m) { return zero.slice(batch(s, m)); }, options);
// Checkpoints hold the whole m and v, as AdamW's do (rank 0 gathers the slices and writes),
// so a run resumes with any number of ranks, with or without ZeRO.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "eigenformer/dist/communicator.hpp"
#include "eigenformer/dist/flat_layout.hpp"
#include "eigenformer/dist/rank_group.hpp"
#include "eigenformer/io/checkpoint.hpp"
#include "eigenformer/optim/adam.hpp"
#include "eigenformer/train/trainer.hpp"

namespace eigenformer::dist {

template <class S>
class Zero1AdamW : public RankGroup {
 public:
  /// Broadcasts rank 0's weights; weight decay on matrices only (optim/parameter_groups.hpp).
  Zero1AdamW(const Communicator& communicator, const std::vector<Parameter<S>*>& parameters, AdamWOptions options = {})
      : RankGroup(communicator, parameters),
        options_(options.as_adam()),
        layout_(parameters, communicator.size()),
        flat_(std::size_t(layout_.size())),
        gradient_(std::size_t(layout_.slice_size())),
        weights_(std::size_t(layout_.slice_size())),
        exp_avg_(std::size_t(layout_.slice_size()), S(0)),
        exp_avg_sq_(std::size_t(layout_.slice_size()), S(0)) {
    check_adam_options(options_, "Zero1AdamW");
  }

  /// Steps 1 and 2: this rank's slice of the mean gradient, clipped by the whole one's norm.
  /// The parameters' own gradients stay this rank's (they are not averaged).
  double clip_gradients(const std::vector<Parameter<S>*>& parameters, double max_norm) {
    check_same_parameters(parameters == layout_.parameters(), "Zero1AdamW");
    {
      const Stopwatch timed(communication_seconds_);
      layout_.copy_gradients_to(flat_.data());
      communicator_.reduce_scatter_sum(flat_.data(), gradient_.data(), layout_.slice_size());
    }
    auto gradient = Eigen::Map<Eigen::ArrayX<S>>(gradient_.data(), layout_.slice_size());
    gradient /= S(ranks());
    const double norm = std::sqrt(communicator_.sum(double(gradient.matrix().squaredNorm())));
    const double coefficient = max_norm / (norm + 1e-6);  // as clip_grad_norm
    if (coefficient < 1.0) gradient *= S(coefficient);
    gradient_ready_ = true;
    return norm;
  }

  /// Steps 3 and 4: AdamW on this rank's slice, then every rank gets every slice.
  void step() {
    EF_CHECK(gradient_ready_,
             "Zero1AdamW: step() without a clip_gradients() before it (its slice of the mean "
             "gradient): train with it as train(model, zero, schedule, next_batch, options)");
    gradient_ready_ = false;  // each step uses one reduce-scatter's gradient, once
    ++step_count_;
    layout_.for_each_piece_of_slice(rank(), [&](const Parameter<S>& p, Index at, Index first, Index count) {
      std::copy(p.value.data() + first, p.value.data() + first + count, weights_.begin() + at);
      const AdamUpdate<S> update(options_, true, p.is_matrix() ? options_.weight_decay : 0.0, step_count_);
      update.apply(weights_.data() + at, gradient_.data() + at, exp_avg_.data() + at, exp_avg_sq_.data() + at, count);
    });
    {
      const Stopwatch timed(communication_seconds_);
      communicator_.allgather(weights_.data(), flat_.data(), layout_.slice_size());
    }
    layout_.set_values_from(flat_.data());
  }

  double learning_rate() const { return options_.lr; }
  void set_learning_rate(double lr) {
    check_learning_rate(lr, "Zero1AdamW");
    options_.lr = lr;
  }
  Index step_count() const { return step_count_; }
  void set_step_count(Index steps) { step_count_ = steps; }

  /// The whole m and v, per parameter, as AdamW names and orders them (its groups' order:
  /// matrices, then vectors): only while saving or resuming (gathered to rank 0 for a save;
  /// read there and scattered on resume).
  template <class Visit>
  void state(Visit&& visit) {
    EF_CHECK(!whole_exp_avg_.empty(), "Zero1AdamW: its whole state exists only on rank 0 while saving or resuming");
    for (const bool matrices : {true, false})
      for (std::size_t i = 0; i < layout_.parameters().size(); ++i)
        if (layout_.parameters()[i]->is_matrix() == matrices) {
          visit("exp_avg." + layout_.parameters()[i]->name, whole_exp_avg_[i]);
          visit("exp_avg_sq." + layout_.parameters()[i]->name, whole_exp_avg_sq_[i]);
        }
  }

  template <class Model>
  Index resume(const std::string& path, Model& model, Zero1AdamW& self) {
    EF_CHECK(&self == this, "Zero1AdamW: resume it as its own optimizer");
    ResumePoint point;
    if (communicator_.is_root() && std::filesystem::exists(path)) {
      allocate_whole_state();
      point.numbers = {1, double(load_checkpoint(path, model, this)), double(step_count_)};
    }
    communicator_.broadcast(point.numbers.data(), 3);
    if (point.loaded()) {
      broadcast_values(layout_.parameters());
      step_count_ = point.optimizer_steps();
      scatter_whole_state(whole_exp_avg_, exp_avg_);
      scatter_whole_state(whole_exp_avg_sq_, exp_avg_sq_);
    }
    release_whole_state();
    return point.step();
  }

  template <class Model>
  void save(const std::string& path, Model& model, Index step, Zero1AdamW& self, std::uint32_t tokenizer_fingerprint) {
    EF_CHECK(&self == this, "Zero1AdamW: save it as its own optimizer");
    if (communicator_.is_root()) allocate_whole_state();
    gather_whole_state(exp_avg_, whole_exp_avg_);
    gather_whole_state(exp_avg_sq_, whole_exp_avg_sq_);
    if (communicator_.is_root()) save_checkpoint(path, model, step, this, tokenizer_fingerprint);
    release_whole_state();
  }

  /// Bytes of m and v this rank keeps (AdamW under plain data parallelism: 2 P numbers).
  Index state_bytes() const { return Index(2 * exp_avg_.size() * sizeof(S)); }

 private:
  void allocate_whole_state() {
    whole_exp_avg_.reserve(layout_.parameters().size());
    whole_exp_avg_sq_.reserve(layout_.parameters().size());
    for (const Parameter<S>* p : layout_.parameters()) {
      whole_exp_avg_.push_back(Matrix<S>::Zero(p->value.rows(), p->value.cols()));
      whole_exp_avg_sq_.push_back(Matrix<S>::Zero(p->value.rows(), p->value.cols()));
    }
  }
  void release_whole_state() {
    whole_exp_avg_.clear();
    whole_exp_avg_sq_.clear();
  }

  /// Rank 0's per-parameter matrices <- every rank's slice (through one flat buffer).
  void gather_whole_state(const std::vector<S>& mine, std::vector<Matrix<S>>& whole) {
    communicator_.gather_to_root(mine.data(), flat_.data(), layout_.slice_size());
    if (communicator_.is_root())
      for_each_whole(whole, [&](Matrix<S>& m, Index at) {
        std::copy(flat_.begin() + at, flat_.begin() + at + m.size(), m.data());
      });
  }
  /// The reverse, on resume: every rank's slice <- rank 0's matrices.
  void scatter_whole_state(std::vector<Matrix<S>>& whole, std::vector<S>& mine) {
    if (communicator_.is_root()) {
      std::fill(flat_.begin(), flat_.end(), S(0));
      for_each_whole(whole,
                     [&](Matrix<S>& m, Index at) { std::copy(m.data(), m.data() + m.size(), flat_.begin() + at); });
    }
    communicator_.scatter_from_root(flat_.data(), mine.data(), layout_.slice_size());
  }
  template <class Visit>
  void for_each_whole(std::vector<Matrix<S>>& whole, Visit&& visit) {
    Index at = 0;
    for (Matrix<S>& m : whole) {
      visit(m, at);
      at += m.size();
    }
  }

  AdamOptions options_;
  FlatLayout<S> layout_;
  std::vector<S> flat_;                                      // the whole model, laid end to end
  std::vector<S> gradient_, weights_;                        // this rank's slice
  std::vector<S> exp_avg_, exp_avg_sq_;                      // this rank's slice of AdamW's m and v
  std::vector<Matrix<S>> whole_exp_avg_, whole_exp_avg_sq_;  // rank 0, while saving or resuming
  Index step_count_ = 0;
  bool gradient_ready_ = false;
};

/// Training with ZeRO-1: the optimizer is also the processes policy, so it is passed once.
template <class Model, class S, class Schedule, class NextBatch>
std::vector<StepRecord> train(Model& model, Zero1AdamW<S>& zero, const Schedule& schedule, NextBatch&& next_batch,
                              const TrainingOptions& options, const std::function<double()>& evaluate = {}) {
  return eigenformer::train(model, zero, schedule, std::forward<NextBatch>(next_batch), options, evaluate, zero);
}

}  // namespace eigenformer::dist
