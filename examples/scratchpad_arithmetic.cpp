// Lesson: step-by-step reasoning. The same small GPT learns 3-digit addition three
// times, with the answer written three ways (tasks/addition_task.hpp):
//   plain       123+456=0579$
//   reversed    123+456=9750$
//   scratchpad  123+456=3+6+0=09,2+5+0=07,1+4+0=05,|0579$
// Same model, same 10,000 training problems, same steps, loss on the answer only.
// Written plainly, the first digit depends on every carry the model has not yet
// worked out; reversed or with its steps written down, each token needs one easy
// step. Lee et al., 2023, "Teaching Arithmetic to Small Transformers" (arXiv:2307.03381).
//
// Usage: scratchpad_arithmetic [--steps N] [--seeds N] [--seed FIRST] [--out DIR]
// Trains every format once per seed (3 by default: one seed can miss a late jump).
// Writes DIR/curves.csv (held-out exact match during training) and DIR/results.csv.
#include "command_line/scratchpad_arithmetic.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/model/complete.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/tasks/addition_task.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/evaluate.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;

using examples::scratchpad_arithmetic::Options;

/// `count` distinct problems of `digits` digits, none of them in `excluded`.
std::vector<AdditionProblem> distinct_problems(Index digits, Index count, Rng& rng,
                                               const std::set<std::pair<long long, long long>>& excluded = {}) {
  const AdditionTask task(digits, AnswerFormat::kPlain);
  std::set<std::pair<long long, long long>> seen = excluded;
  std::vector<AdditionProblem> problems;
  while (Index(problems.size()) < count) {
    const AdditionProblem p = task.random_problem(rng);
    if (seen.insert({p.a, p.b}).second) problems.push_back(p);
  }
  return problems;
}

/// Exact match of greedy completions: the stated sum must be a + b.
template <class Model>
Proportion exact_match(Model& model, const AdditionTask& task, const std::vector<AdditionProblem>& problems) {
  std::vector<Tokens> prompts;
  prompts.reserve(problems.size());
  for (const AdditionProblem& p : problems) prompts.push_back(AdditionTask::tokenizer().encode(task.prompt(p)));
  Sampler greedy = Sampler::greedy();
  const CompletionOptions options{.end_token = AdditionTask::tokenizer().encode("$")[0],
                                  .max_new_tokens = Index(task.answer(problems[0]).size()) + 4};
  const std::vector<Completion> completions = complete(model, prompts, greedy, options);
  Proportion right;
  for (std::size_t i = 0; i < problems.size(); ++i)
    right.add(task.parse(AdditionTask::tokenizer().decode(completions[i].tokens)) == problems[i].a + problems[i].b);
  return right;
}

/// One seed's data: 10,000 training problems, 500 held out (200 of them for the
/// curves), and 500 each of 4 and 5 digits.
struct Problems {
  std::vector<AdditionProblem> training, held_out, curve_set, four_digit, five_digit;

  explicit Problems(std::uint64_t seed) {
    Rng rng(seed);
    training = distinct_problems(3, 10000, rng);
    std::set<std::pair<long long, long long>> trained;
    for (const AdditionProblem& p : training) trained.insert({p.a, p.b});
    held_out = distinct_problems(3, 500, rng, trained);
    curve_set.assign(held_out.begin(), held_out.begin() + 200);
    four_digit = distinct_problems(4, 500, rng);
    five_digit = distinct_problems(5, 500, rng);
  }
};

// Room for a 5-digit scratchpad (65 tokens); training uses at most the first 41 positions.
const GPTConfig kConfig{.vocab_size = AdditionTask::tokenizer().vocab_size(),
                        .block_size = 72,
                        .num_layers = 2,
                        .num_heads = 4,
                        .channels = 64};

/// Trains one model on one format and seed; returns exact match on 3, 4 and 5 digits.
std::vector<Proportion> train_and_test(AnswerFormat format, std::uint64_t seed, const Problems& data,
                                       const Options& options, CsvLog& curves, CsvLog& results) {
  const AdditionTask task(3, format);
  GPT<float> model(kConfig, seed);
  AdamWOptions adam;
  adam.lr = 1e-3;
  AdamW<float> optimizer(model.parameter_list(), adam);
  TrainingOptions training_options;
  training_options.steps = options.steps;
  training_options.eval_every = 100;
  const std::vector<Batch> held_out_batches{task.batch(data.curve_set)};
  std::vector<std::pair<Index, double>> curve;  // (step, held-out exact match)
  const auto history = train(
      model, optimizer, ConstantSchedule{adam.lr},
      [&](Index step, Index) {  // 32 of the 10,000 training problems, a function of the step
        Rng rng(seed * 7919 + std::uint64_t(step));
        std::vector<AdditionProblem> problems;
        problems.reserve(32);
        for (int i = 0; i < 32; ++i)
          problems.push_back(data.training[std::size_t(rng.uniform_int(Index(data.training.size())))]);
        return task.batch(problems);
      },
      training_options,
      [&] {  // the held-out loss for the progress line, and exact match for the curve
        curve.emplace_back(optimizer.step_count(), exact_match(model, task, data.curve_set).value());
        return mean_loss(model, held_out_batches);
      });
  for (const auto& [step, right] : curve)
    curves.write({double(format), double(seed), double(step), history[std::size_t(step - 1)].loss, right});
  std::vector<Proportion> row;
  for (const auto& [digits, problems] : {std::pair{Index(3), &data.held_out}, std::pair{Index(4), &data.four_digit},
                                         std::pair{Index(5), &data.five_digit}}) {
    row.push_back(exact_match(model, AdditionTask(digits, format), *problems));
    const auto [low, high] = row.back().interval_95();
    results.write(
        {double(format), double(seed), double(digits), row.back().value(), low, high, double(problems->size())});
  }
  return row;
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"Step-by-step reasoning: 3-digit addition with the answer plain, reversed or as a scratchpad."};
  examples::scratchpad_arithmetic::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out);
  std::printf("== 3-digit addition, three answer formats: the same GPT (%lld parameters), the same 10000\n",
              static_cast<long long>(GPT<float>(kConfig).num_parameters()));
  std::printf("   training problems, %lld steps of 32, AdamW lr 1e-3; loss on the answer only; %lld seeds\n",
              static_cast<long long>(options.steps), static_cast<long long>(options.seeds));

  // format: 0 plain, 1 reversed, 2 scratchpad
  CsvLog curves(options.out + "/curves.csv", {"format", "seed", "step", "train_loss", "held_out_exact_match"});
  CsvLog results(options.out + "/results.csv",
                 {"format", "seed", "digits", "exact_match", "low_95", "high_95", "problems"});
  std::vector<std::tuple<AnswerFormat, std::uint64_t, std::vector<Proportion>>> table;
  for (std::uint64_t seed = options.seed; seed < options.seed + std::uint64_t(options.seeds); ++seed) {
    const Problems data(seed);
    for (const AnswerFormat format : {AnswerFormat::kPlain, AnswerFormat::kReversed, AnswerFormat::kScratchpad}) {
      const AdditionTask task(3, format);
      std::printf("\n== %s, seed %llu: %s%s\n", name_of(format), static_cast<unsigned long long>(seed),
                  task.prompt(data.training[0]).c_str(), task.answer(data.training[0]).c_str());
      table.emplace_back(format, seed, train_and_test(format, seed, data, options, curves, results));
    }
  }

  std::printf("\n== Exact match on 500 problems never trained on, per seed (95%% intervals)\n");
  std::printf("  %-11s %4s  %-22s %-22s %-22s\n", "format", "seed", "3 digits (held out)", "4 digits (never seen)",
              "5 digits (never seen)");
  for (const AnswerFormat format : {AnswerFormat::kPlain, AnswerFormat::kReversed, AnswerFormat::kScratchpad})
    for (const auto& [row_format, seed, row] : table)
      if (row_format == format)
        std::printf("  %-11s %4llu  %-22s %-22s %-22s\n", name_of(format), static_cast<unsigned long long>(seed),
                    row[0].text().c_str(), row[1].text().c_str(), row[2].text().c_str());
  std::printf("  (a seed changes the training problems and the initial weights; plain and reversed learn in a\n");
  std::printf("   sudden jump late in training, which some seeds do not reach; 4 and 5 digits: longer prompts\n");
  std::printf("   than any trained, at positions whose embeddings never learned)\n");
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
