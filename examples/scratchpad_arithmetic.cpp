// Lesson: step-by-step reasoning, and how far it reaches. The same small GPT learns
// addition of 1- to 3-digit numbers three times, with the answer written three ways
// (tasks/addition_task.hpp):
//   plain       123+456=0579$
//   reversed    123+456=9750$
//   scratchpad  123+456=3+6+0=09,2+5+0=07,1+4+0=05,|0579$
// Same model (RoPE positions: attention sees offsets, not absolute places), same
// training problems, same steps, loss on the answer only. Written plainly, the first
// digit depends on every carry the model has not yet worked out; reversed or with its
// steps written down, each token needs one easy step. Lee et al., 2023, "Teaching
// Arithmetic to Small Transformers" (arXiv:2307.03381).
//
// The scratchpad is trained a second time with index hints, a letter before every
// digit naming its column ("e5d5c7+e5d2c2=", Zhou et al., 2024, arXiv:2402.09371), so
// that a column's digits can be found by their letter rather than by counting positions.
//
// What is held out, and so what the figures can claim:
//   3 digits, held out   500 sums never trained on, of a length trained on: has the
//                        model learned the algorithm at the lengths it saw?
//   4 and 5 digits       a length never trained on (the held-out format): does the
//                        algorithm run one more column, or is it a template of the
//                        lengths seen?
// The summary prints what the models write on longer sums: how many columns each
// scratchpad works and how many digits each answer has, with an example.
//
// Usage: scratchpad_arithmetic [--steps N] [--seeds N] [--seed FIRST] [--out DIR]
// Trains every format once per seed (3 by default: one seed can miss a late jump).
// Writes DIR/curves.csv (held-out 3-digit exact match during training) and
// DIR/results.csv (exact match by format, seed and digits, with 95% intervals).
#include "command_line/scratchpad_arithmetic.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/model/complete.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/nn/transformer_block.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/tasks/addition_task.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/evaluate.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;

using examples::scratchpad_arithmetic::Options;
using Model = GPT<float, LlamaBlock<float>>;

constexpr Index kLongestTrained = 3;
constexpr Index kTestedLengths[] = {3, 4, 5};
/// One of the four models trained per seed.
struct Variant {
  AnswerFormat format;
  IndexHints hints;
  std::string name() const { return std::string(name_of(format)) + (hints == IndexHints::kLetters ? ", hints" : ""); }
};
// Hints only for the scratchpad: plain and reversed with hints were tried (3 seeds,
// 1,500 steps): at most 0.074 of 3-digit sums right, 0.000 at 4 and 5 digits.
constexpr Variant kVariants[] = {{AnswerFormat::kPlain, IndexHints::kNone},
                                 {AnswerFormat::kReversed, IndexHints::kNone},
                                 {AnswerFormat::kScratchpad, IndexHints::kNone},
                                 {AnswerFormat::kScratchpad, IndexHints::kLetters}};

using ProblemSet = std::set<std::pair<long long, long long>>;

/// `count` distinct problems of `digits` digits, none of them in `excluded`.
std::vector<AdditionProblem> distinct_problems(Index digits, Index count, Rng& rng, const ProblemSet& excluded = {}) {
  const AdditionTask task(digits, AnswerFormat::kPlain);
  ProblemSet seen = excluded;
  std::vector<AdditionProblem> problems;
  while (Index(problems.size()) < count) {
    const AdditionProblem p = task.random_problem(rng);
    if (seen.insert({p.a, p.b}).second) problems.push_back(p);
  }
  return problems;
}

/// What one model wrote for one set of problems: greedy completions, graded.
struct Answers {
  Proportion right;
  std::map<Index, Index> answer_digits;     // digits in the stated answer -> how many answers
  std::map<Index, Index> scratchpad_steps;  // columns worked before '|' -> how many scratchpads
  std::vector<std::string> examples;        // the first few, "prompt -> completion (right: sum)"
};

Answers answer_all(const Model& model, const AdditionTask& task, const std::vector<AdditionProblem>& problems) {
  const CharTokenizer& tokenizer = AdditionTask::tokenizer();
  std::vector<Tokens> prompts;
  prompts.reserve(problems.size());
  for (const AdditionProblem& p : problems) prompts.push_back(tokenizer.encode(task.prompt(p)));
  Sampler greedy = Sampler::greedy();
  // Room for one column more than the task needs: a model that works too many shows it.
  const CompletionOptions options{.end_token = tokenizer.encode("$")[0],
                                  .max_new_tokens = Index(task.answer(problems[0]).size()) + 10};
  const std::vector<Completion> completions = complete(model, prompts, greedy, options);
  Answers answers;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    const std::string text = tokenizer.decode(completions[i].tokens);
    answers.right.add(task.parse(text) == problems[i].a + problems[i].b);
    const std::string answer = text.substr(text.rfind('|') == std::string::npos ? 0 : text.rfind('|') + 1);
    ++answers.answer_digits[Index(
        std::count_if(answer.begin(), answer.end(), [](char c) { return c >= '0' && c <= '9'; }))];
    if (task.format() == AnswerFormat::kScratchpad)
      ++answers.scratchpad_steps[Index(std::count(text.begin(), text.end(), ','))];
    if (answers.examples.size() < 2)
      answers.examples.push_back(task.prompt(problems[i]) + text + "   (right: " + task.answer(problems[i]) + ")");
  }
  return answers;
}

/// "5 digits 96%, 4 digits 4%": a histogram as shares, most common first.
std::string shares(const std::map<Index, Index>& counts, const char* unit) {
  std::vector<std::pair<Index, Index>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](auto x, auto y) { return x.second > y.second; });
  Index total = 0;
  for (const auto& [value, count] : sorted) total += count;
  std::string text;
  for (std::size_t i = 0; i < std::min<std::size_t>(3, sorted.size()); ++i)
    text += (i ? ", " : "") + std::to_string(sorted[i].first) + " " + unit + " " +
            std::to_string(std::lround(100.0 * double(sorted[i].second) / double(total))) + "%";
  return text;
}

/// One seed's data: 10,000 training sums of 1 to 3 digits (all 100 of 1 digit, 2,900
/// of 2, 7,000 of 3), 500 held-out 3-digit sums (200 of them for the curves), and 500
/// each of 4 and 5 digits. Every model of the seed sees the same sums; a hinted model
/// draws each training row's letters afresh, and the tested sums' letters once.
struct Problems {
  std::vector<std::vector<AdditionProblem>> training;  // [digits - 1]
  std::map<Index, std::vector<AdditionProblem>> tested;

  explicit Problems(std::uint64_t seed) {
    Rng rng(seed);
    training = {distinct_problems(1, 100, rng), distinct_problems(2, 2900, rng), distinct_problems(3, 7000, rng)};
    ProblemSet trained;
    for (const AdditionProblem& p : training.back()) trained.insert({p.a, p.b});
    tested[3] = distinct_problems(3, 500, rng, trained);
    tested[4] = distinct_problems(4, 500, rng);
    tested[5] = distinct_problems(5, 500, rng);
  }

  /// The tested sums of `digits` as the variant asks them: with letters drawn for hints.
  std::vector<AdditionProblem> tested_as(const AdditionTask& task, std::uint64_t seed) const {
    Rng rng(seed * 104729 + std::uint64_t(task.digits()));
    std::vector<AdditionProblem> problems;
    for (const AdditionProblem& p : tested.at(task.digits())) problems.push_back(task.with_random_hints(p, rng));
    return problems;
  }
};

// Room for a hinted 5-digit scratchpad and a column more (103 tokens); training uses at most 57.
const GPTConfig kConfig{.vocab_size = AdditionTask::tokenizer().vocab_size(),
                        .block_size = 104,
                        .num_layers = 2,
                        .num_heads = 4,
                        .channels = 64,
                        .bias = false};

/// A batch of 32: each row's digit count uniform in 1..3, then a training problem of it.
Batch training_batch(const Problems& data, Variant variant, std::uint64_t seed, Index step) {
  Rng rng(seed * 7919 + std::uint64_t(step));
  std::vector<Batch> rows;
  for (int i = 0; i < 32; ++i) {
    const AdditionTask task(1 + rng.uniform_int(kLongestTrained), variant.format, variant.hints);
    const std::vector<AdditionProblem>& pool = data.training[std::size_t(task.digits() - 1)];
    rows.push_back(task.row(task.with_random_hints(pool[std::size_t(rng.uniform_int(Index(pool.size())))], rng)));
  }
  return AdditionTask::stacked_rows(rows);
}

/// Trains one model of one variant and seed; returns what it wrote at each tested length.
std::map<Index, Answers> train_and_test(Variant variant, std::uint64_t seed, const Problems& data,
                                        const Options& options, CsvLog& curves, CsvLog& results) {
  const AdditionTask three_digits(3, variant.format, variant.hints);
  const std::vector<AdditionProblem> held_out = data.tested_as(three_digits, seed),
                                     curve_set(held_out.begin(), held_out.begin() + 200);
  Model model(kConfig, seed);
  AdamWOptions adam;
  adam.lr = 1e-3;
  AdamW<float> optimizer(model.parameter_list(), adam);
  TrainingOptions training_options;
  training_options.steps = options.steps;
  training_options.eval_every = 250;
  const std::vector<Batch> held_out_batches{three_digits.batch(curve_set)};
  std::vector<std::pair<Index, double>> curve;  // (step, held-out exact match)
  const auto history = train(
      model, optimizer, WarmupCosineSchedule{adam.lr, 100, options.steps, adam.lr / 10},
      [&](Index step, Index) { return training_batch(data, variant, seed, step); }, training_options,
      [&] {  // the held-out loss for the progress line, and exact match for the curve
        curve.emplace_back(optimizer.step_count(), answer_all(model, three_digits, curve_set).right.value());
        return mean_loss(model, held_out_batches);
      });
  for (const auto& [step, right] : curve)
    curves.write({double(variant.format), double(variant.hints), double(seed), double(step),
                  history[std::size_t(step - 1)].loss, right});
  std::map<Index, Answers> row;
  for (const Index digits : kTestedLengths) {
    const AdditionTask task(digits, variant.format, variant.hints);
    row[digits] = answer_all(model, task, data.tested_as(task, seed));
    const auto [low, high] = row[digits].right.interval_95();
    results.write({double(variant.format), double(variant.hints), double(seed), double(digits),
                   row[digits].right.value(), low, high, double(row[digits].right.trials)});
  }
  return row;
}

using Table = std::vector<std::tuple<Variant, std::uint64_t, std::map<Index, Answers>>>;

/// What the models of one format write on sums longer than any trained.
void print_longer_sums(Variant variant, const Table& table) {
  std::printf("  %s\n", variant.name().c_str());
  for (const auto& [row_variant, seed, row] : table) {
    if (row_variant.format != variant.format || row_variant.hints != variant.hints) continue;
    for (const Index digits : {Index(4), Index(5)}) {
      const Answers& answers = row.at(digits);
      std::printf("    seed %llu, %lld digits: answers of %s", static_cast<unsigned long long>(seed),
                  static_cast<long long>(digits), shares(answers.answer_digits, "digits").c_str());
      const bool scratchpad = variant.format == AnswerFormat::kScratchpad;
      if (scratchpad) std::printf("; columns worked: %s", shares(answers.scratchpad_steps, "").c_str());
      std::printf(" (right: %lld digits%s)\n", static_cast<long long>(digits) + 1,
                  scratchpad ? (", " + std::to_string(digits) + " columns").c_str() : "");
      std::printf("      e.g. %s\n", answers.examples[0].c_str());
    }
  }
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"Step-by-step reasoning: addition with the answer plain, reversed or as a scratchpad, and longer sums."};
  examples::scratchpad_arithmetic::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out);
  std::printf(
      "== Addition of 1 to 3 digits, three answer formats (and hints): the same GPT (RoPE, %lld parameters), the\n",
      static_cast<long long>(Model(kConfig).num_parameters()));
  std::printf("   same 10000 training problems, %lld steps of 32, AdamW lr 1e-3; loss on the answer only; %lld seeds\n",
              static_cast<long long>(options.steps), static_cast<long long>(options.seeds));

  // format: 0 plain, 1 reversed, 2 scratchpad; hints: 0 none, 1 letters
  CsvLog curves(options.out + "/curves.csv", {"format", "hints", "seed", "step", "train_loss", "held_out_exact_match"});
  CsvLog results(options.out + "/results.csv",
                 {"format", "hints", "seed", "digits", "exact_match", "low_95", "high_95", "problems"});
  Table table;
  for (std::uint64_t seed = options.seed; seed < options.seed + std::uint64_t(options.seeds); ++seed) {
    const Problems data(seed);
    for (const Variant& variant : kVariants) {
      const AdditionTask task(3, variant.format, variant.hints);
      const AdditionProblem example = data.tested_as(task, seed)[0];
      std::printf("\n== %s, seed %llu: %s%s\n", variant.name().c_str(), static_cast<unsigned long long>(seed),
                  task.prompt(example).c_str(), task.answer(example).c_str());
      table.emplace_back(variant, seed, train_and_test(variant, seed, data, options, curves, results));
    }
  }

  std::printf("\n== Exact match on 500 problems never trained on, per seed (95%% intervals)\n");
  std::printf("  %-18s %4s  %-22s %-22s %-22s\n", "format", "seed", "3 digits (held out)", "4 digits (longer)",
              "5 digits (longer)");
  for (const Variant& variant : kVariants)
    for (const auto& [row_variant, seed, row] : table)
      if (row_variant.format == variant.format && row_variant.hints == variant.hints)
        std::printf("  %-18s %4llu  %-22s %-22s %-22s\n", variant.name().c_str(), static_cast<unsigned long long>(seed),
                    row.at(3).right.text().c_str(), row.at(4).right.text().c_str(), row.at(5).right.text().c_str());
  std::printf("  (a seed changes the training problems and the initial weights; trained on 1 to 3 digits, so\n");
  std::printf("   3 digits tests the algorithm at a length seen, 4 and 5 digits whether it runs past it)\n");
  std::printf("\n== What each format writes on sums longer than any trained\n");
  for (const Variant& variant : kVariants) print_longer_sums(variant, table);
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
