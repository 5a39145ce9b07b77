// Stage 1: next-token prediction on the training books, each model for the same tokens.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/core/os.hpp>
#include <eigenformer/data/token_shard.hpp>
#include <eigenformer/data/token_windows.hpp>
#include <eigenformer/io/checkpoint.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/model/model_size.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/evaluate.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "emergence.hpp"
#include "ranks.hpp"
#include "setup.hpp"

namespace examples::one_model {

struct Pretrained {
  std::string name;
  GPT<float> model;
  Index steps = 0, parameters = 0, non_embedding = 0;
  double held_out_loss = 0, training_seconds = 0;
};

inline double learning_rate(Index channels) { return 2e-3 * std::sqrt(256.0 / double(channels)); }

/// Trains one model for `steps` steps of the training tokens (resuming a checkpoint of an
/// earlier run), logging the probes to emergence.csv as it goes.
inline Pretrained pretrain(const Shape& shape, Index steps, const Setup& setup, const Options& options,
                           const MappedTokenShard& training, const Corpus& corpus, const Probes& probes,
                           std::uint32_t tokenizer_fingerprint, const Ranks& ranks) {
  const std::string folder = options.out + "/" + shape.name;
  if (ranks.is_root()) std::filesystem::create_directories(folder);
  Pretrained result{shape.name, GPT<float>(config_of(shape, setup), options.seed), steps};
  const ModelSize size = model_size(result.model);
  result.parameters = size.total;
  result.non_embedding = size.non_embedding();
  const std::string checkpoint = folder + "/model.ckpt";
  const Index done = ranks.from_root(
      ranks.is_root() && std::filesystem::exists(checkpoint) ? read_checkpoint_info(checkpoint).step : 0);
  EF_CHECK(done <= steps, "'" << checkpoint << "' was trained for " << done << " steps, more than this run's " << steps
                              << ": the same flags as that run continue it, or another --out starts afresh");

  AdamWOptions adam;
  adam.lr = learning_rate(shape.channels);
  adam.weight_decay = 0.1;
  AdamW<float> optimizer(result.model.parameter_list(), adam);
  const WarmupCosineSchedule schedule{adam.lr, std::min<Index>(200, steps / 10), steps, adam.lr / 10};
  TrainingOptions training_options;
  training_options.steps = steps;
  training_options.csv_path = folder + "/training.csv";
  training_options.checkpoint_path = checkpoint;
  training_options.checkpoint_every = std::max<Index>(25, steps / 25);
  training_options.eval_every = std::max<Index>(1, steps / 40);
  training_options.resume = true;
  training_options.tokenizer_fingerprint = tokenizer_fingerprint;
  training_options.show_progress = os::is_terminal(stdout);

  std::optional<CsvLog> emergence, positions;  // rank 0's
  const auto open_log = [&](const std::string& name, const std::vector<std::string>& columns) {
    return done > 0 ? CsvLog::continued(folder + "/" + name, columns, double(done))
                    : CsvLog(folder + "/" + name, columns);
  };
  if (ranks.is_root()) {
    emergence.emplace(open_log("emergence.csv", kEmergenceColumns));
    positions.emplace(open_log("position_loss.csv", {"step", "position", "loss"}));
  }
  const auto log = [&](Index step) {
    if (!ranks.is_root()) return std::nan("");  // the other ranks go on to the next step and wait for rank 0 there
    const Emergence e = measure(result.model, probes);
    emergence->write({double(step), double(step * setup.batch * setup.time), e.held_out_loss, e.icl,
                      e.best.prefix_matching, double(e.best.layer), double(e.best.head), e.first_copy_loss,
                      e.repeat_loss});
    for (Index t = 0; t < setup.time; ++t)
      positions->write({double(step), double(t), e.positions.loss[std::size_t(t)]});
    if (!training_options.show_progress)  // a notebook or a log: one line per few percent
      std::printf(
          "    step %6lld  held-out loss %.3f  ICL score %+.3f  best prefix matching %.2f (layer %lld head %lld)\n",
          static_cast<long long>(step), e.held_out_loss, e.icl, e.best.prefix_matching,
          static_cast<long long>(e.best.layer), static_cast<long long>(e.best.head));
    std::fflush(stdout);
    return e.held_out_loss;
  };
  if (done == 0) log(0);
  if (done < steps && ranks.is_root())
    std::printf("\n== Pretraining %s (%s): %lld layers x %lld channels, %lld parameters, %lld steps, lr %.2g%s\n",
                shape.name, shape.role, static_cast<long long>(shape.layers), static_cast<long long>(shape.channels),
                static_cast<long long>(result.parameters), static_cast<long long>(steps), adam.lr,
                done > 0 ? (", resumed at step " + std::to_string(done)).c_str() : "");
  std::fflush(stdout);
  ranks.train(
      result.model, optimizer, schedule,
      [&](Index step, Index) {
        Rng rng(options.seed * 1000003 + std::uint64_t(step));
        return random_windows(training.tokens(), setup.batch, setup.time, rng);
      },
      training_options, [&] { return log(optimizer.step_count()); });
  if (!ranks.is_root()) return result;
  // The time of the training steps, from the log (a resumed run's earlier steps included).
  for (const double tokens_per_second : csv_column(training_options.csv_path, "tokens_per_second"))
    result.training_seconds += double(setup.batch * setup.time) / tokens_per_second;
  result.held_out_loss = mean_loss(result.model, tiling_windows(std::span<const int>(corpus.held_out), 16, setup.time));
  return result;
}

/// Seconds a training step of this shape takes here: three steps timed after one warm-up.
inline double seconds_per_step(const Shape& shape, const Setup& setup, const MappedTokenShard& training,
                               const Ranks& ranks) {
  GPT<float> model(config_of(shape, setup), 1);
  AdamW<float> optimizer(model.parameter_list(), AdamWOptions{});
  TrainingOptions options;
  options.steps = 4;
  options.show_progress = false;
  options.stop_on_signal = false;
  const auto history = ranks.train(model, optimizer, ConstantSchedule{1e-4},
                                   [&](Index step, Index) {
                                     Rng rng{std::uint64_t(step)};
                                     return random_windows(training.tokens(), setup.batch, setup.time, rng);
                                   },
                                   options, {});
  std::vector<double> seconds;
  for (std::size_t i = 1; i < history.size(); ++i)
    seconds.push_back(double(setup.batch * setup.time) / history[i].tokens_per_second);
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

/// The steps an earlier run in this folder chose (0: none), so that running again continues it.
inline Index planned_steps(const std::string& plan_path, const Options& options) {
  if (!std::filesystem::exists(plan_path)) return 0;
  const std::string text = read_text_file(plan_path, 64);
  char* end = nullptr;
  const long long steps = std::strtoll(text.c_str(), &end, 10);
  EF_CHECK(end != text.c_str() && *end == '\n' && steps >= 50,
           "'" << plan_path << "' does not hold a number of steps: delete it to plan again");
  EF_CHECK(options.steps == 0 || options.steps == steps, "this folder's models are planned for "
                                                             << steps << " steps, not --steps " << options.steps
                                                             << ": another --out trains afresh");
  return steps;
}

/// How many steps every model trains: what the pretraining share of the budget allows for
/// the three, timed here (or --steps). The same tokens for each, so sizes are compared on data.
inline Index plan_steps(const Options& options, const Setup& setup, const MappedTokenShard& training,
                        const Ranks& ranks) {
  const std::string plan_path = options.out + "/plan.txt";
  Index steps = ranks.from_root(ranks.is_root() ? planned_steps(plan_path, options) : 0);
  if (steps > 0) return steps;
  steps = options.steps;
  if (steps == 0) {
    if (ranks.is_root())
      std::printf("\n== The budget: %.0f minutes, 65%% of them for pretraining the three models. A step of each:\n",
                  setup.minutes);
    double seconds_of_all = 0;
    for (const Shape& shape : setup.sizes) {
      const double seconds = seconds_per_step(shape, setup, training, ranks);
      seconds_of_all += seconds;
      if (ranks.is_root())
        std::printf("   %-10s %lld x %lld: %.0f ms a step of %lld x %lld tokens on %d rank(s)\n", shape.name,
                    static_cast<long long>(shape.layers), static_cast<long long>(shape.channels), 1e3 * seconds,
                    static_cast<long long>(setup.batch), static_cast<long long>(setup.time), ranks.count());
    }
    steps = ranks.from_root(std::max<Index>(50, Index(0.65 * setup.minutes * 60 / seconds_of_all)));
  }
  if (ranks.is_root()) {
    const double tokens = double(steps * setup.batch * setup.time);
    std::printf("   => %lld steps for each model: %.1fM tokens, %.1f epochs of the training books\n",
                static_cast<long long>(steps), tokens / 1e6, tokens / double(training.tokens().size()));
    write_text_file(plan_path, std::to_string(steps) + "\n");
  }
  return steps;
}

}  // namespace examples::one_model
