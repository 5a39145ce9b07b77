// The training loop, written once so that every lesson reads the same. One step is
// take_step() below, top to bottom:
//     zero the gradients
//     for each micro-batch: loss = model.forward(batch, activations); model.backward(activations)
//     average the gradients over micro-batches (and processes), clip their global norm
//     optimizer.step()
// and train() does the bookkeeping around it: the learning rate of the step, checks that
// stop a run going wrong, and every N steps evaluate, log a CSV row, save a checkpoint.
// The activations (what backward reads, GPT::Activations) are the loop's, reused from
// step to step.
// Batches come from next_batch(step, micro_step), a function of the step, so a run
// resumed from a checkpoint sees exactly the batches the uninterrupted run would, and
// its CSV log continues from the checkpoint's step (later rows are dropped, not repeated).
// The last good model survives: a loss or gradient that is NaN or infinite, a loss past
// max_loss_ratio x the first, or an update that makes a weight non-finite or larger than
// checkpoint_format::kMaxWeight stops training with an Error naming the step, the tensor
// and the learning rate (the usual sign of a learning rate too high), before any save.
// Ctrl-C or SIGTERM finishes the current step, saves a checkpoint and throws
// TrainingInterrupted; resume continues exactly where it stopped.
// Many processes train one model when `processes` is dist/'s DataParallel or Zero1AdamW:
// each computes its own slice of the batch, and the gradients are averaged before the
// clip (train/single_process.hpp lists what they share).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/os.hpp"
#include "eigenformer/io/checkpoint.hpp"
#include "eigenformer/optim/clip_grad_norm.hpp"
#include "eigenformer/train/csv_log.hpp"
#include "eigenformer/train/progress_line.hpp"
#include "eigenformer/train/single_process.hpp"

namespace eigenformer {

struct TrainingOptions {
  Index steps = 1000;
  Index gradient_accumulation = 1;  // micro-batches per optimizer step
  double clip_grad_norm = 1.0;      // 0: no clipping
  Index eval_every = 0;             // 0: evaluate only at the end (if an evaluator is given)
  std::string csv_path;             // "": no CSV log
  std::string checkpoint_path;      // "": no checkpoints
  Index checkpoint_every = 0;       // 0: only at the end (if a path is given)
  bool resume = false;              // continue from checkpoint_path if it exists
  bool show_progress = true;
  bool stop_on_signal = true;               // Ctrl-C / SIGTERM: end the step, save, throw TrainingInterrupted
  std::uint32_t tokenizer_fingerprint = 0;  // saved in checkpoints: the tokenizer the data was encoded with
  // Divergence: a step whose loss exceeds this multiple of max(the run's first loss, 1)
  // stops training (0: never). A healthy run stays near or below its first loss; 10x is
  // a model gone wrong, and a checkpoint of it would replace a good one. The floor of 1
  // keeps a run that resumes near zero loss from stopping on a noisy batch.
  double max_loss_ratio = 10;
};

/// Thrown when Ctrl-C or SIGTERM stopped training at the end of a step (after the save).
struct TrainingInterrupted : Error {
  using Error::Error;
};

struct StepRecord {
  Index step = 0;  // 1-based: the number of optimizer steps taken
  double loss = 0, learning_rate = 0, grad_norm = 0, tokens_per_second = 0;
  double eval_loss = std::numeric_limits<double>::quiet_NaN();  // NaN where not evaluated
};

/// A gradient norm that is not finite stops training, naming the first tensor to blame.
template <class S>
void check_gradients_finite(const std::vector<Parameter<S>*>& parameters, double grad_norm, Index step,
                            double learning_rate) {
  if (std::isfinite(grad_norm)) return;
  std::string culprit = "a tensor on another process";
  for (const auto* p : parameters)
    if (!p->grad.allFinite()) {
      culprit = p->name;
      break;
    }
  EF_CHECK(false, "step " << step + 1 << ": the gradient of " << culprit << " is not finite (learning rate "
                          << learning_rate << ")");
}

/// Everything train() asks of `processes`: SingleProcess (train/single_process.hpp) says
/// what each call means; dist/'s DataParallel and Zero1AdamW answer the same calls.
template <class P, class Model, class Optimizer>
concept TrainingProcesses = requires(P& processes, const P& reader, Model& model, Optimizer& optimizer,
                                     const std::vector<Parameter<typename Model::Scalar>*>& parameters) {
  { reader.ranks() } -> std::convertible_to<int>;
  { reader.writes_files() } -> std::convertible_to<bool>;
  { processes.sum(1.0) } -> std::convertible_to<double>;
  { processes.max(1.0) } -> std::convertible_to<double>;
  { processes.clip_gradients(parameters, 1.0) } -> std::convertible_to<double>;
  { processes.resume(std::string(), model, optimizer) } -> std::convertible_to<Index>;
  processes.save(std::string(), model, Index(0), optimizer, std::uint32_t(0));
};

/// One optimizer step on the micro-batches of `step`: the loss (mean over micro-batches
/// and processes), the gradient norm before clipping and the tokens this process read.
/// check_loss(loss) may throw to stop the step before it changes a weight.
template <class Model, class Optimizer, class NextBatch, class Processes, class CheckLoss>
StepRecord take_step(Model& model, typename Model::Activations& activations, Optimizer& optimizer,
                     NextBatch& next_batch, Index step, const TrainingOptions& options, Processes& processes,
                     Index& tokens, CheckLoss&& check_loss) {
  using S = typename Model::Scalar;
  StepRecord record;
  const auto parameters = model.parameter_list();
  model.zero_grad();
  for (Index micro = 0; micro < options.gradient_accumulation; ++micro) {
    const Batch batch = next_batch(step, micro);
    const double loss = double(model.forward(batch.tokens, batch.targets, batch.batch, batch.time, activations));
    model.backward(activations);  // gradients add up over micro-batches
    record.loss += loss / double(options.gradient_accumulation);
    tokens += Index(batch.tokens.size());
  }
  if (options.gradient_accumulation > 1)
    for (auto* p : parameters) p->grad /= S(options.gradient_accumulation);
  record.loss = processes.sum(record.loss) / processes.ranks();  // every process decides on the same loss
  check_loss(record.loss);
  record.grad_norm = processes.clip_gradients(
      parameters, options.clip_grad_norm > 0 ? options.clip_grad_norm : std::numeric_limits<double>::infinity());
  check_gradients_finite(parameters, record.grad_norm, step, optimizer.learning_rate());
  optimizer.step();
  return record;
}

/// Trains and returns one record per step taken. evaluate() (optional) returns a
/// validation loss. `processes` shares the work between processes (SingleProcess: none
/// to share).
template <class Model, class Optimizer, class Schedule, class NextBatch, TrainingProcesses<Model, Optimizer> Processes>
std::vector<StepRecord> train(Model& model, Optimizer& optimizer, const Schedule& schedule, NextBatch&& next_batch,
                              const TrainingOptions& options, const std::function<double()>& evaluate,
                              Processes& processes) {
  EF_CHECK(options.steps >= 0 && options.gradient_accumulation >= 1,
           "training needs steps >= 0 and gradient_accumulation >= 1, got " << options.steps << " and "
                                                                            << options.gradient_accumulation);
  EF_CHECK(std::isfinite(options.max_loss_ratio) && options.max_loss_ratio >= 0,
           "max_loss_ratio must be finite and >= 0 (0: no divergence check), got " << options.max_loss_ratio);
  Index first_step = 0;
  if (options.resume && !options.checkpoint_path.empty())
    first_step = processes.resume(options.checkpoint_path, model, optimizer);

  const auto parameters = model.parameter_list();
  std::optional<CsvLog> csv;
  const std::vector<std::string> columns{"step",     "loss", "learning_rate", "grad_norm", "tokens_per_second",
                                         "eval_loss"};
  if (!options.csv_path.empty() && processes.writes_files())
    csv.emplace(first_step > 0 ? CsvLog::continued(options.csv_path, columns, double(first_step))
                               : CsvLog(options.csv_path, columns));
  std::optional<os::StopSignals> stop_signals;
  if (options.stop_on_signal) stop_signals.emplace();
  const auto save = [&](Index steps_taken) {
    processes.save(options.checkpoint_path, model, steps_taken, optimizer, options.tokenizer_fingerprint);
  };
  ProgressLine progress(options.steps, first_step);
  std::vector<StepRecord> history;
  typename Model::Activations activations;  // what each backward reads, reused from step to step
  double first_loss = 0;                    // this run's first step's loss, the yardstick of divergence

  for (Index step = first_step; step < options.steps; ++step) {
    const auto start = std::chrono::steady_clock::now();
    const double learning_rate = schedule(step);
    EF_CHECK(std::isfinite(learning_rate) && learning_rate >= 0,
             "step " << step + 1 << ": the schedule gave the learning rate " << learning_rate
                     << " (it must be finite and >= 0)");
    optimizer.set_learning_rate(learning_rate);
    const auto check_loss = [&](double loss) {
      EF_CHECK(std::isfinite(loss), "step " << step + 1 << ": the loss is " << loss << " (learning rate "
                                            << learning_rate << "); try a smaller learning rate");
      if (step == first_step) first_loss = loss;
      EF_CHECK(options.max_loss_ratio == 0 || loss <= options.max_loss_ratio * std::max(first_loss, 1.0),
               "step " << step + 1 << ": the loss " << loss << " is more than " << options.max_loss_ratio
                       << "x the first step's " << first_loss << " (or 1) (learning rate " << learning_rate
                       << "): training diverged; try a smaller learning rate");
    };
    Index tokens = 0;
    StepRecord record =
        take_step(model, activations, optimizer, next_batch, step, options, processes, tokens, check_loss);
    record.step = step + 1;
    record.learning_rate = learning_rate;
    for (const auto* p : parameters)  // never carry (or save) a weight the step broke
      EF_CHECK(p->value.allFinite() && double(p->value.cwiseAbs().maxCoeff()) <= checkpoint_format::kMaxWeight,
               "step " << step + 1 << ": the update made " << p->name << " "
                       << (p->value.allFinite() ? "larger than the bound of a healthy model" : "not finite")
                       << " (learning rate " << learning_rate << "); try a smaller learning rate");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    record.tokens_per_second = processes.sum(double(tokens)) / std::max(processes.max(seconds), 1e-9);

    const bool last = step + 1 == options.steps;
    if (evaluate && (last || (options.eval_every > 0 && (step + 1) % options.eval_every == 0))) {
      record.eval_loss = evaluate();
    }
    if (csv)
      csv->write({double(record.step), record.loss, record.learning_rate, record.grad_norm, record.tokens_per_second,
                  record.eval_loss});
    const int signal = int(processes.max(stop_signals ? stop_signals->received() : 0));  // one stops: all stop
    if (!options.checkpoint_path.empty() &&
        (last || signal != 0 || (options.checkpoint_every > 0 && (step + 1) % options.checkpoint_every == 0)))
      save(step + 1);
    if (options.show_progress && processes.writes_files())
      progress.update({record.step, record.loss, record.learning_rate, record.grad_norm, record.tokens_per_second,
                       record.eval_loss});
    history.push_back(record);
    if (signal != 0 && !last)
      throw TrainingInterrupted(std::string(signal == SIGINT ? "Ctrl-C" : "SIGTERM") + " stopped training after step " +
                                std::to_string(step + 1) +
                                (options.checkpoint_path.empty()
                                     ? " (no checkpoint path: nothing was saved)"
                                     : "; saved '" + options.checkpoint_path + "': resume to continue"));
  }
  return history;
}

/// Training in this one process.
template <class Model, class Optimizer, class Schedule, class NextBatch>
std::vector<StepRecord> train(Model& model, Optimizer& optimizer, const Schedule& schedule, NextBatch&& next_batch,
                              const TrainingOptions& options, const std::function<double()>& evaluate = {}) {
  SingleProcess one;
  return train(model, optimizer, schedule, std::forward<NextBatch>(next_batch), options, evaluate, one);
}

}  // namespace eigenformer
