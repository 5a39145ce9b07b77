// Lesson: a GPT learns to sort.
//
// The model reads a list of digits and a separator, then writes the list sorted:
//   7 2 9 2 0 5 |  ->  0 2 2 5 7 9
// Only the sorted half is trained (targets are -1 on the list), so the loss
// measures exactly the skill we want. Watch the loss fall, then watch it sort
// lists it has never seen.
#include <cstdio>
#include <eigenformer/model/generate.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/model/sampler.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/tasks/sort_task.hpp>
#include <eigenformer/train/trainer.hpp>

#include "command_line/checks.hpp"

using namespace eigenformer;

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  CLI::App app{
      "Trains a small GPT to sort lists of digits, then sorts lists it has never seen."};  // no flags: --help says what
                                                                                           // it teaches
  CLI11_PARSE(app, argc, argv);
  // 1. The task and the model: a small GPT-2 with 2 layers of width 64.
  const SortTask task{6, 10};
  GPTConfig config = GPTConfig::tiny();
  config.vocab_size = task.vocab_size();
  config.block_size = task.time();
  GPT<float> model(config, /*seed=*/1);
  std::printf("GPT with %lld parameters; sorting lists of %lld digits\n",
              static_cast<long long>(model.num_parameters()), static_cast<long long>(task.length));

  // 2. The optimizer and schedule people use for GPTs: AdamW, warmup, cosine decay.
  AdamWOptions adam;
  adam.lr = 3e-3;
  adam.weight_decay = 0.01;
  AdamW<float> optimizer(model.parameter_list(), adam);
  const Index steps = 1500;
  const WarmupCosineSchedule schedule{adam.lr, 100, steps, adam.lr / 10};

  // 3. Train: each step gets fresh random lists (a function of the step, so runs repeat).
  TrainingOptions options;
  options.steps = steps;
  options.csv_path = "sort_digits_training.csv";
  const auto next_batch = [&](Index step, Index) {
    Rng rng(1000 + std::uint64_t(step));
    return task.batch(64, rng);
  };
  const auto history = train(model, optimizer, schedule, next_batch, options);
  std::printf("loss: %.3f at step 1, %.4f at step %lld (chance: ln 10 = 2.303)\n", history.front().loss,
              history.back().loss, static_cast<long long>(steps));

  // 4. What it learned: sort lists it has never seen, writing one token at a time.
  Rng test_rng(424242);
  std::printf("exactly sorted, of 500 new lists (95%% interval): %s\n",
              task.accuracy(model, 500, test_rng).text().c_str());
  Sampler greedy = Sampler::greedy();
  for (int i = 0; i < 5; ++i) {
    const Tokens sequence = task.example(test_rng);
    const Tokens prompt(sequence.begin(), sequence.begin() + task.length + 1);
    const Tokens output = generate(model, prompt, task.length, greedy);
    for (Index t = 0; t < Index(output.size()); ++t)
      std::printf(t == task.length ? "| " : "%d ", output[std::size_t(t)]);
    std::printf("\n");
  }
  std::printf(
      "The training curve is in sort_digits_training.csv. Next: make the lists longer, or the model smaller.\n");
  examples::check_standard_output();     // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
