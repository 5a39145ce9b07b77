// Lesson: exact work beyond the model. A small model cannot add five-digit numbers in
// its weights; trained to call a calculator from inside its reply, it answers them,
// however the question is worded, as long as it has met the words.
//
//   1. Two models of the same size, trained the same steps on the same questions
//      (tasks/arithmetic_problems.hpp: the four operations, operands of 1 to 5 digits
//      drawn independently, five question forms: "12+345", "12 + 345", "what is 12 plus
//      345?", "how much is 12 times 345?", "subtract 345 from 12"), loss on the
//      assistant's tokens only:
//        direct:  <|user_start|>what is 12 plus 345?<|user_end|><|assistant_start|>357<|assistant_end|>
//        tool:    ...<|assistant_start|><|tool_call_start|>calculator 12+345<|tool_call_end|>
//                 <|tool_output_start|>357<|tool_output_end|>357<|assistant_end|>
//      The tool model learns to write the question as one normalised expression and to
//      copy the calculator's answer; the output itself is never a target (the model must
//      not learn to invent it), and half the outputs it is shown are random numbers, so
//      that copying, not guessing, is what it learns.
//   2. Exact match on held-out problems (never trained; --prompts per row), greedy, through
//      the engine (model/engine.hpp), which runs the calls. Rows:
//        trained forms:   the forms and pairings tuning used (the headline);
//        held-out pairs:  "what is" with times and "divided by", "how much is" with plus and
//                         minus: every word and frame trained, never together;
//        held-out words:  "the sum of 12 and 345" (sum, difference, product, quotient: words
//                         that appear nowhere in training);
//        6-digit operands: one digit longer than any trained, in the trained forms.
//      Controls: the direct model, and the tool model with the calculator taken away (its
//      calls get "error: unknown tool"), which shows the answers come from the tool.
//
// Usage: calculator_tool [--steps N] [--prompts N] [--seed N] [--out DIR]
// Writes DIR/results.csv (split 0 trained forms, 1 held-out pairs, 2 held-out words,
// 3 six-digit operands; operation 0 add, 1 subtract, 2 multiply, 3 divide; model 0
// direct, 1 tool with the calculator, 2 tool without it) and the training curves
// DIR/direct.csv and DIR/tool.csv.
#include "command_line/calculator_tool.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
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

constexpr Index kRows = 16, kTime = 127;  // a row holds one or two conversations (~40-95 tokens each)

enum class Style { kDirect, kTool };

CharTokenizer make_tokenizer() {
  CharTokenizer tokenizer = CharTokenizer::from_text("abcdefghijklmnopqrstuvwxyz0123456789+-*/ ?:'.");
  ChatTokens::add_to(tokenizer);
  return tokenizer;
}

/// A training conversation in the style: the tool model's is calculator_training_conversation;
/// the direct model is asked the same kind of question and answers it itself.
Conversation training_conversation(Style style, Rng& rng) {
  if (style == Style::kTool) return calculator_training_conversation(rng);
  const Operation operation = kOperations[std::size_t(rng.uniform_int(4))];
  const ArithmeticProblem problem = random_problem(operation, ProblemSplit::kTrain, rng);
  return answered_directly(problem.question(random_trained_form(operation, rng)), problem);
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

/// The evaluation rows: which questions each asks.
enum class Split { kTrainedForms, kHeldOutPairs, kHeldOutWords, kSixDigits };
constexpr std::array<const char*, 4> kSplitNames = {"trained forms", "held-out pairs", "held-out words",
                                                    "6-digit operands"};

struct Question {
  std::string text;
  ArithmeticProblem problem;
};

/// Whether the split asks `operation` in `form`.
bool asks(Split split, QuestionForm form, Operation operation) {
  switch (split) {
    case Split::kHeldOutPairs:
      return !trained_on(form, operation) && form != QuestionForm::kNoun;
    case Split::kHeldOutWords:
      return form == QuestionForm::kNoun;
    default:  // the trained forms, with operands of 1 to 5 digits or of 6
      return trained_on(form, operation);
  }
}

/// `count` held-out questions of the split for one operation, each in a form the split asks.
std::vector<Question> questions(Split split, Operation operation, Index count, Rng& rng) {
  std::vector<QuestionForm> forms;
  for (const QuestionForm form : kQuestionForms)
    if (asks(split, form, operation)) forms.push_back(form);
  const Index min_digits = split == Split::kSixDigits ? 6 : 1, max_digits = split == Split::kSixDigits ? 6 : 5;
  std::vector<Question> drawn;
  drawn.reserve(std::size_t(count));
  for (Index i = 0; i < count; ++i) {
    const ArithmeticProblem problem = random_problem(operation, ProblemSplit::kHeldOut, rng, min_digits, max_digits);
    drawn.push_back({problem.question(forms[std::size_t(rng.uniform_int(Index(forms.size())))]), problem});
  }
  return drawn;
}

struct Scored {
  Proportion exact;
  std::vector<Reply> replies;
};

/// Greedy replies to the questions through the engine with `tools`, scored by exact match.
Scored score(Model& model, const CharTokenizer& tokenizer, const std::vector<Question>& asked,
             const std::vector<const Tool*>& tools) {
  std::vector<Tokens> prompts;
  prompts.reserve(asked.size());
  for (const Question& question : asked)
    prompts.push_back(render_prompt(tokenizer, {{Role::kUser, question.text}}, kTime));
  Engine engine(model, tokenizer, tools, {.max_new_tokens = 64, .max_tool_calls = 2, .batch_size = 100});
  Sampler greedy = Sampler::greedy();
  Scored scored{{}, engine.generate(prompts, greedy)};
  for (std::size_t i = 0; i < asked.size(); ++i)
    scored.exact.add(scored.replies[i].finished &&
                     final_answer(tokenizer, scored.replies[i]) == asked[i].problem.answer());
  return scored;
}

/// The operation the reply's first call computes ('+', '-', '*', '/'), or '?' for no call.
char operation_called(const Reply& reply) {
  if (reply.tool_uses.empty()) return '?';
  const std::string& call = reply.tool_uses[0].call;
  const std::size_t digit = call.find_first_of("0123456789");
  const std::size_t at = digit == std::string::npos ? digit : call.find_first_of("+-*/", digit);
  return at == std::string::npos ? '?' : call[at];
}

/// "+ 190  - 3  * 5  / 2  none 0": which operation the calls computed.
std::string operations_called(const std::vector<Reply>& replies) {
  std::string text;
  for (const char op : {'+', '-', '*', '/', '?'}) {
    const auto count = std::count_if(replies.begin(), replies.end(),
                                     [&](const Reply& reply) { return operation_called(reply) == op; });
    text += (op == '?' ? std::string("none") : std::string(1, op)) + " " + std::to_string(count) + "  ";
  }
  return text;
}

/// "calculator 12+345 -> 357": the tool model's first call and what it answered.
std::string call_of(const Reply& reply, const std::string& answer) {
  if (reply.tool_uses.empty()) return "no call; answered " + answer;
  return reply.tool_uses[0].call + "; answered " + answer;
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
  {
    Rng show(options.seed);
    std::printf("   questions as tuning asks them, e.g.:");
    for (int i = 0; i < 4; ++i) std::printf(" \"%s\"", calculator_training_conversation(show)[0].text.c_str());
    std::printf("\n");
  }
  std::printf("\n== 1a. Trained to answer directly\n");
  train_model(direct, tokenizer, Style::kDirect, options, "direct");
  std::printf("\n== 1b. Trained to call the calculator, then answer\n");
  train_model(tool, tokenizer, Style::kTool, options, "tool");

  const Calculator calculator;
  CsvLog results(options.out + "/results.csv",
                 {"split", "operation", "model", "exact_match", "low_95", "high_95", "prompts"});
  std::printf("\n== 2. Exact match on %lld held-out problems per row (95%% intervals)\n",
              static_cast<long long>(options.prompts));
  std::printf("  %-27s %-24s %-24s %-24s\n", "", "direct", "tool + calculator", "tool, calculator removed");
  Rng rng(options.seed * 104729 + 3);  // problems drawn apart from every training stream
  for (std::size_t split = 0; split < kSplitNames.size(); ++split) {
    std::printf("  %s\n", kSplitNames[split]);
    for (const Operation operation : kOperations) {
      const std::vector<Question> asked = questions(Split(split), operation, options.prompts, rng);
      const std::array<Scored, 3> by_model{score(direct, tokenizer, asked, {}),
                                           score(tool, tokenizer, asked, {&calculator}),
                                           score(tool, tokenizer, asked, {})};
      std::printf("    %-25s %-24s %-24s %-24s\n", name_of(operation), by_model[0].exact.text().c_str(),
                  by_model[1].exact.text().c_str(), by_model[2].exact.text().c_str());
      for (std::size_t model = 0; model < by_model.size(); ++model) {
        const auto [low, high] = by_model[model].exact.interval_95();
        results.write({double(split), double(operation), double(model), by_model[model].exact.value(), low, high,
                       double(options.prompts)});
      }
      if (split == 0 && operation != Operation::kAdd) continue;  // one example per row of the robustness splits
      if (split == 1 || split == 2)  // does the call compute what was asked, or what the frame was trained with?
        std::printf("      the tool's calls compute: %s\n", operations_called(by_model[1].replies).c_str());
      const Reply& reply = by_model[1].replies[0];
      std::printf("      e.g. \"%s\" = %s; direct: %s; tool: %s\n", asked[0].text.c_str(),
                  asked[0].problem.answer().c_str(), final_answer(tokenizer, by_model[0].replies[0]).c_str(),
                  call_of(reply, final_answer(tokenizer, reply)).c_str());
    }
  }
  std::printf("\nThe figures are in %s/results.csv; plot them with notebooks/07_tools_and_knowledge.ipynb.\n",
              options.out.c_str());
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
