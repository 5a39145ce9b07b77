// Lesson: exact work beyond the model. A small model cannot add five-digit numbers in
// its weights; trained to call a calculator from inside its reply, it answers them.
//
//   1. Two models of the same size, trained the same steps on the same questions
//      (five-digit sums, three-digit products), loss on the assistant's tokens only:
//        direct:  <|user_start|>12345+67890<|user_end|><|assistant_start|>80235<|assistant_end|>
//        tool:    ...<|assistant_start|><|tool_call_start|>calculator 12345+67890<|tool_call_end|>
//                 <|tool_output_start|>80235<|tool_output_end|>80235<|assistant_end|>
//      The tool model learns to copy the question into a call and the answer out of
//      the calculator's output; the output itself is never a target (the model must
//      not learn to invent it), and half the outputs it is shown are random numbers
//      (of three digits, so that digits repeat: tasks/arithmetic_problems.hpp says why),
//      so that copying, not guessing, is what it learns.
//   2. Exact match on 500 held-out questions per operation (never trained on; --prompts), greedy,
//      through the engine (model/engine.hpp), which runs the calls. Controls: the
//      direct model, and the tool model with the calculator taken away (its calls get
//      "error: unknown tool"), which shows the answers come from the tool.
//
// Usage: calculator_tool [--steps N] [--prompts N] [--seed N] [--out DIR]
// Writes DIR/results.csv (operation 0 add, 1 multiply; model 0 direct, 1 tool with the
// calculator, 2 tool without it) and the training curves DIR/direct.csv and DIR/tool.csv.
#include "command_line/calculator_tool.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/model/engine.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/tasks/arithmetic_problems.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <eigenformer/text/chat_format.hpp>
#include <eigenformer/tools/calculator.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/fine_tune.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;
using examples::calculator_tool::Options;
using Model = GPT<float, LlamaBlock<float>>;

constexpr Index kRows = 16, kTime = 127;  // a row holds two tool conversations (~55 tokens each)

enum class Style { kDirect, kTool };

CharTokenizer make_tokenizer() {
  CharTokenizer tokenizer = CharTokenizer::from_text("0123456789+* calculator:");
  ChatTokens::add_to(tokenizer);
  return tokenizer;
}

/// A training conversation: a question of either operation, answered in the style.
/// Half of the tool model's conversations show a random number as the calculator's
/// output (and answer): then copying the tool is the only way to be right. Shown only
/// true answers, the model also half-learns to compute them itself, and its own guesses
/// compete with the copy (measured: 0.81 on held-out products instead of 1.00).
Conversation training_conversation(Style style, Rng& rng) {
  const Operation operation = rng.uniform_int(2) == 0 ? Operation::kAdd : Operation::kMultiply;
  const ArithmeticProblem problem = random_problem(operation, ProblemSplit::kTrain, rng);
  if (style == Style::kDirect) return answered_directly(problem);
  return answered_with_calculator(rng.uniform_int(2) == 0 ? problem : with_random_answer(problem, rng));
}

void train_model(Model& model, const CharTokenizer& tokenizer, Style style, const Options& options,
                 const std::string& name) {
  FineTuneOptions tuning;
  tuning.rows = kRows;
  tuning.time = kTime;
  tuning.seed = options.seed;
  tuning.training.steps = options.steps;
  tuning.training.csv_path = options.out + "/" + name + ".csv";
  fine_tune(
      model, tokenizer, [&](Rng& rng) { return training_conversation(style, rng); }, tuning);
}

struct Scored {
  Proportion exact;
  std::vector<Reply> replies;
};

/// Greedy replies to the questions through the engine with `tools`, scored by exact match.
Scored score(Model& model, const CharTokenizer& tokenizer, const std::vector<ArithmeticProblem>& problems,
             const std::vector<const Tool*>& tools) {
  std::vector<Tokens> prompts;
  prompts.reserve(problems.size());
  for (const ArithmeticProblem& problem : problems)
    prompts.push_back(render_prompt(tokenizer, {{Role::kUser, problem.question}}, kTime));
  Engine engine(model, tokenizer, tools, {.max_new_tokens = 64, .max_tool_calls = 2, .batch_size = 100});
  Sampler greedy = Sampler::greedy();
  Scored scored{{}, engine.generate(prompts, greedy)};
  for (std::size_t i = 0; i < problems.size(); ++i)
    scored.exact.add(scored.replies[i].finished && final_answer(tokenizer, scored.replies[i]) == problems[i].answer);
  return scored;
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"Exact work beyond the model: a calculator called from inside the reply, against answering directly."};
  examples::calculator_tool::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out);
  const CharTokenizer tokenizer = make_tokenizer();
  const GPTConfig config{.vocab_size = tokenizer.vocab_size(),
                         .block_size = kTime + 1,
                         .num_layers = 3,
                         .num_heads = 4,
                         .channels = 64,
                         .bias = false};
  Model direct(config, options.seed), tool(config, options.seed);
  std::printf("== Two LLaMA-style GPTs of %lld parameters each, %lld steps of %lld x %lld tokens\n",
              static_cast<long long>(direct.num_parameters()), static_cast<long long>(options.steps),
              static_cast<long long>(kRows), static_cast<long long>(kTime));
  std::printf("\n== 1a. Trained to answer directly\n");
  train_model(direct, tokenizer, Style::kDirect, options, "direct");
  std::printf("\n== 1b. Trained to call the calculator, then answer\n");
  train_model(tool, tokenizer, Style::kTool, options, "tool");

  const Calculator calculator;
  CsvLog results(options.out + "/results.csv", {"operation", "model", "exact_match", "low_95", "high_95", "prompts"});
  std::printf("\n== 2. Exact match on %lld held-out questions per operation (95%% intervals)\n",
              static_cast<long long>(options.prompts));
  std::printf("  %-9s %-24s %-24s %-24s\n", "", "direct", "tool + calculator", "tool, calculator removed");
  for (const Operation operation : {Operation::kAdd, Operation::kMultiply}) {
    Rng rng(options.seed * 104729 + std::uint64_t(operation));
    std::vector<ArithmeticProblem> problems;
    problems.reserve(std::size_t(options.prompts));
    for (Index i = 0; i < options.prompts; ++i)
      problems.push_back(random_problem(operation, ProblemSplit::kHeldOut, rng));
    const Scored answered_directly = score(direct, tokenizer, problems, {});
    const Scored with_calculator = score(tool, tokenizer, problems, {&calculator});
    const Scored without_calculator = score(tool, tokenizer, problems, {});
    std::printf("  %-9s %-24s %-24s %-24s\n", name_of(operation), answered_directly.exact.text().c_str(),
                with_calculator.exact.text().c_str(), without_calculator.exact.text().c_str());
    const std::array<const Scored*, 3> by_model{&answered_directly, &with_calculator, &without_calculator};
    for (std::size_t model = 0; model < by_model.size(); ++model) {
      const auto [low, high] = by_model[model]->exact.interval_95();
      results.write(
          {double(operation), double(model), by_model[model]->exact.value(), low, high, double(options.prompts)});
    }
    std::printf("    e.g. %s = %s; direct: %s; tool: %s\n", problems[0].question.c_str(), problems[0].answer.c_str(),
                tokenizer.decode(answered_directly.replies[0].tokens).c_str(),
                tokenizer.decode(with_calculator.replies[0].tokens).c_str());
  }
  std::printf("\nThe figures are in %s/results.csv; plot them with notebooks/07_tools_and_knowledge.ipynb.\n",
              options.out.c_str());
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
