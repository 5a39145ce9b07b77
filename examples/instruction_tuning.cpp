// Lesson: instruction tuning. A base model that can already do eight small tasks,
// written in the notation it was pretrained on, learns by supervised fine-tuning on
// conversations to do them when a user asks in words. Ouyang et al. 2022 (InstructGPT)
// and Wei et al. 2022 (FLAN) did this at scale; here it runs in minutes and every
// figure has its control.
//
//   1. Base model: next-token prediction on lines like reverse("abcd")=dcba and
//      flip("abcd")=dcba over the eight tasks of tasks/instruction_tasks.hpp (each
//      task has two names), each line's brackets written one of four ways. The
//      skills, never a request, never a chat token.
//   2. Fine-tuning: conversations <|user_start|>please reverse this: abcd<|user_end|>
//      <|assistant_start|>dcba<|assistant_end|>, loss on the assistant's tokens only
//      (text/chat_format.hpp): six of the eight tasks, each by its first name, 20
//      prefix x connector wordings, the input marked four ways ("abcd", 'abcd', abcd,
//      [abcd]).
//   3. Exact match, greedy up to <|assistant_end|>, on 500 new prompts per figure
//      (--prompts), in six splits that each change one thing of a tuned request:
//        seen              nothing (new inputs only)
//        unseen task       shift and last k, never requested in tuning (FLAN's claim)
//        synonym           flip, alphabetize, ...: names known from pretraining only
//        unseen delimiter  the input as <abcd>, a form never tuned on
//        unseen pair       a connector the task never tuned with (other tasks did)
//        unseen filler     the prefix "could you ", filler that carries no meaning
//      each beside its controls: the base model asked the same way, the base model in
//      its notation (the skill is there), the same budget without the loss mask.
//   4. A second way to tune, the same steps: the reply first restates the request in the
//      notation of pretraining, then answers (please flip this: abcd -> flip("abcd")=dcba).
//      Restating is the same copy for every task, so it can carry over to a task never
//      tuned on, where the base model's own skill then finishes the line.
//   5. Ablations on the same steps: 1 or 20 wordings per task (Zhang, Wang and Charton,
//      2024), and 3 against 6 tuned tasks for the unseen tasks. (A point at 4 wordings,
//      between the two, was dropped to keep the lesson within 5 minutes.)
//
// Usage: instruction_tuning [--base-steps N] [--tune-steps N] [--prompts N] [--seed N] [--out DIR]
// Writes to DIR: results.csv (every figure), tasks.csv (per task), diversity.csv,
// and the training curves base.csv and tune_*.csv.
#include "command_line/instruction_tuning.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/model/complete.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/optim/adam.hpp>
#include <eigenformer/optim/schedule.hpp>
#include <eigenformer/tasks/instruction_tasks.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <eigenformer/text/chat_format.hpp>
#include <eigenformer/train/csv_log.hpp>
#include <eigenformer/train/trainer.hpp>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;
using Model = GPT<float, LlamaBlock<float>>;  // RoPE: a skill learned at one offset works at every position

using examples::instruction_tuning::Options;

constexpr Index kTime = 95;  // T: a row holds two or three conversations, or about five notation lines
constexpr Index kRows = 16;  // B

/// The tokenizer: every character of the tasks, then the nine chat tokens.
CharTokenizer make_tokenizer() {
  CharTokenizer tokenizer = CharTokenizer::from_text(InstructionTasks::alphabet() + "\n");
  ChatTokens::add_to(tokenizer);
  return tokenizer;
}

/// What a fine-tuning run is shown: the tasks it requests, and how many of each task's
/// seen prefix x connector wordings.
struct TuningData {
  std::vector<Index> tasks = InstructionTasks::tuned_tasks();
  Index phrasings = InstructionTasks::kSeenPhrasings;
  bool restate = false;  // the reply restates the request in notation first: flip("abcd")=dcba
};

/// A tuning example: a task of the run, a wording from its pool, a tuned delimiter,
/// the task's first name.
Instruction tuning_instruction(Rng& rng, const TuningData& data) {
  const Index task = data.tasks[std::size_t(rng.uniform_int(Index(data.tasks.size())))];
  const auto pool = InstructionTasks::seen_phrasings(task, data.phrasings);
  Phrasing phrasing = pool[std::size_t(rng.uniform_int(Index(pool.size())))];
  phrasing.delimiter = rng.uniform_int(InstructionTasks::kHeldOutDelimiter);
  return InstructionTasks::make(task, phrasing, rng);
}

/// The notation sort("dcab")= with its brackets written one of four ways:
/// sort("dcab")=   sort "dcab" =   sort: "dcab" ->   sort ["dcab"]:
std::string styled(std::string notation, Index style) {
  static constexpr std::array<const char*, 4> opens = {"(", " ", ": ", " ["}, closes = {")=", " =", " ->", "]:"};
  notation.replace(notation.size() - 2, 2, closes[std::size_t(style)]);
  notation.replace(notation.rfind('"', notation.rfind('"') - 1) - 1, 1, opens[std::size_t(style)]);
  return notation;
}

/// Pretraining text: notation lines, one answered task per line, loss on every token.
Batch base_batch(const CharTokenizer& tokenizer, Rng& rng) {
  Batch batch{{}, {}, kRows, kTime};
  for (Index b = 0; b < kRows; ++b) {
    std::string text;
    while (Index(text.size()) <= kTime + 1) {  // any task, by either of its names
      const Phrasing by_name{.name = rng.uniform_int(InstructionTasks::kNames)};
      const Instruction line = InstructionTasks::make(rng.uniform_int(InstructionTasks::kTasks), by_name, rng);
      text += styled(line.notation, rng.uniform_int(4)) + line.answer + "\n";
    }
    const Tokens ids = tokenizer.encode_ordinary(text);
    batch.tokens.insert(batch.tokens.end(), ids.begin(), ids.begin() + kTime);
    batch.targets.insert(batch.targets.end(), ids.begin() + 1, ids.begin() + kTime + 1);
  }
  return batch;
}

/// Fine-tuning: conversations packed into the rows. With `mask` false every token
/// trains, the user's request too (the ablation).
Batch tune_batch(const CharTokenizer& tokenizer, Rng& rng, const TuningData& data, bool mask) {
  std::vector<RenderedConversation> rendered;
  rendered.reserve(4 * kRows);
  for (Index i = 0; i < 4 * kRows; ++i) {  // more than the rows hold; pack takes what fits
    const Instruction example = tuning_instruction(rng, data);
    const std::string reply = data.restate ? example.notation + example.answer : example.answer;
    rendered.push_back(
        render_conversation(tokenizer, {{Role::kUser, example.request}, {Role::kAssistant, reply}}, kTime + 1));
    if (!mask) std::fill(rendered.back().trained.begin() + 1, rendered.back().trained.end(), 1);
  }
  Batch batch;
  pack_conversations(rendered, kRows, kTime, ChatTokens::of(tokenizer).bos, batch);
  return batch;
}

/// `count` new examples of `split`: its tasks in turn (the held-out ones for an unseen
/// task, else the tuned ones), each request tuned in every way but the split's one.
std::vector<Instruction> evaluation_set(PhrasingSplit split, Index count, Rng& rng) {
  std::vector<Index> tasks = InstructionTasks::tuned_tasks();
  if (split == PhrasingSplit::kUnseenTask)
    tasks.assign(InstructionTasks::kHeldOutTasks.begin(), InstructionTasks::kHeldOutTasks.end());
  std::vector<Instruction> set;
  set.reserve(std::size_t(count));
  for (Index i = 0; i < count; ++i) {
    const Index task = tasks[std::size_t(i) % tasks.size()];
    set.push_back(InstructionTasks::make(task, InstructionTasks::random_phrasing(task, split, rng), rng));
  }
  return set;
}

enum class Asked { kInWords, kInNotation };
enum class ReplyForm { kDirect, kRestated };  // restated: flip("abcd")=dcba, graded after the last '='

/// What a model answered, and whether each answer is exactly right.
struct Answers {
  std::vector<std::string> text;  // up to the end token (all of it when none came)
  std::vector<bool> right;        // the answer, then the end token, nothing else

  Proportion score() const {
    Proportion p;
    for (bool r : right) p.add(r);
    return p;
  }
};

/// Greedy answers. In words: the chat prompt, completed up to <|assistant_end|>.
/// In notation: reverse("abcd")=, completed up to the newline.
Answers answer_all(const Model& model, const CharTokenizer& tokenizer, const std::vector<Instruction>& set, Asked asked,
                   ReplyForm reply = ReplyForm::kDirect) {
  const int end = asked == Asked::kInWords ? ChatTokens::of(tokenizer).assistant_end : tokenizer.encode("\n")[0];
  std::vector<Tokens> prompts;
  prompts.reserve(set.size());
  for (const Instruction& example : set)
    prompts.push_back(asked == Asked::kInWords ? render_prompt(tokenizer, {{Role::kUser, example.request}}, kTime)
                                               : tokenizer.encode_ordinary(example.notation));
  Sampler greedy = Sampler::greedy();
  const Index room = reply == ReplyForm::kRestated ? 40 : 8;  // a restatement is at most ~25 characters
  const auto completions = complete(model, prompts, greedy, {.end_token = end, .max_new_tokens = room});
  Answers answers;
  for (std::size_t i = 0; i < set.size(); ++i) {
    Tokens tokens = completions[i].tokens;
    if (completions[i].finished) tokens.pop_back();
    const std::string text = tokenizer.decode(tokens);
    const std::string answer = reply == ReplyForm::kRestated ? text.substr(text.rfind('=') + 1) : text;  // npos + 1 = 0
    answers.text.push_back(text);
    answers.right.push_back(completions[i].finished && answer == set[i].answer);
  }
  return answers;
}

/// An answer for a table: newlines shown as \n, at most `width` characters.
std::string printable(const std::string& text, std::size_t width) {
  std::string out;
  for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out.size() > width ? out.substr(0, width - 1) + "~" : out;
}

template <class NextBatch>
void train_model(Model& model, Index steps, double lr, const std::string& csv_path, NextBatch&& next_batch) {
  AdamWOptions adam;
  adam.lr = lr;
  AdamW<float> optimizer(model.parameter_list(), adam);
  TrainingOptions options;
  options.steps = steps;
  options.csv_path = csv_path;
  train(model, optimizer, WarmupCosineSchedule{lr, 50, steps, lr / 10}, next_batch, options);
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"Instruction tuning: a base model, supervised fine-tuning, each figure beside its control."};
  examples::instruction_tuning::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(options.out);
  const CharTokenizer tokenizer = make_tokenizer();
  const GPTConfig config{.vocab_size = tokenizer.vocab_size(),
                         .block_size = kTime + 1,
                         .num_layers = 3,
                         .num_heads = 4,
                         .channels = 64,
                         .bias = false};
  Model base(config, options.seed);
  std::printf("== A LLaMA-style GPT of %lld parameters; %lld characters and 9 chat tokens\n",
              static_cast<long long>(base.num_parameters()), static_cast<long long>(tokenizer.vocab_size() - 9));
  {
    Rng show(options.seed);
    const Instruction example = InstructionTasks::make(0, {.name = 1}, show);
    std::printf("\n== 1. The base model: %lld steps of %lld x %lld characters of notation, e.g. \"%s%s\"\n",
                static_cast<long long>(options.base_steps), static_cast<long long>(kRows),
                static_cast<long long>(kTime), example.notation.c_str(), example.answer.c_str());
  }
  train_model(base, options.base_steps, 3e-3, options.out + "/base.csv", [&](Index step, Index) {
    Rng rng(options.seed * 1000003 + std::uint64_t(step));
    return base_batch(tokenizer, rng);
  });

  // Every fine-tuned model starts from a copy of the base model, trained the same way.
  const auto fine_tune = [&](const TuningData& data, bool mask, const std::string& name) {
    std::printf("\n== 2. Fine-tuning (%s): %lld steps of %lld rows of packed conversations\n", name.c_str(),
                static_cast<long long>(options.tune_steps), static_cast<long long>(kRows));
    Model model = base;
    train_model(model, options.tune_steps, 3e-3, options.out + "/tune_" + name + ".csv", [&](Index step, Index) {
      Rng rng(options.seed * 7919 + std::uint64_t(step));
      return tune_batch(tokenizer, rng, data, mask);
    });
    return model;
  };
  const Model tuned = fine_tune({}, true, "20_phrasings");
  const Model unmasked = fine_tune({}, false, "no_mask");
  const Model restating = fine_tune({.restate = true}, true, "restating");

  Rng eval_rng(options.seed * 424242 + 17);  // new inputs, drawn apart from every training stream
  struct Split {
    const char* name;
    std::vector<Instruction> set;
  };
  std::vector<Split> splits;  // in the order of PhrasingSplit
  for (const auto& [split, name] :
       {std::pair{PhrasingSplit::kSeen, "seen"}, std::pair{PhrasingSplit::kUnseenTask, "unseen task"},
        std::pair{PhrasingSplit::kSynonym, "synonym"}, std::pair{PhrasingSplit::kUnseenDelimiter, "unseen delimiter"},
        std::pair{PhrasingSplit::kUnseenPair, "unseen pair"}, std::pair{PhrasingSplit::kUnseenFiller, "unseen filler"}})
    splits.push_back({name, evaluation_set(split, options.prompts, eval_rng)});
  // Each model's answers to every split, asked once: [split].
  const auto answers_of = [&](const Model& model, Asked asked, ReplyForm reply = ReplyForm::kDirect) {
    std::vector<Answers> per_split;
    per_split.reserve(splits.size());
    for (const Split& split : splits) per_split.push_back(answer_all(model, tokenizer, split.set, asked, reply));
    return per_split;
  };
  const std::vector<Answers> base_in_notation = answers_of(base, Asked::kInNotation),
                             base_in_words = answers_of(base, Asked::kInWords),
                             tuned_answers = answers_of(tuned, Asked::kInWords),
                             unmasked_answers = answers_of(unmasked, Asked::kInWords),
                             restating_answers = answers_of(restating, Asked::kInWords, ReplyForm::kRestated);

  std::printf("\n== 3. What each model says to requests of a form it was never tuned on\n");
  std::printf("  %-17s %-34s %-10s %-10s %-26s %s\n", "split", "request", "base", "tuned", "tuned to restate", "right");
  for (std::size_t s = 1; s < splits.size(); ++s)
    for (std::size_t i = 0; i < 2; ++i)
      std::printf("  %-17s %-34s %-10s %-10s %-26s %s\n", i == 0 ? splits[s].name : "",
                  splits[s].set[i].request.c_str(), printable(base_in_words[s].text[i], 10).c_str(),
                  printable(tuned_answers[s].text[i], 10).c_str(), printable(restating_answers[s].text[i], 26).c_str(),
                  splits[s].set[i].answer.c_str());

  std::printf("\n== 4. Exact match on %lld new prompts per row, greedy (95%% intervals)\n",
              static_cast<long long>(options.prompts));
  std::printf("  %-17s %-22s %-22s %-22s %-22s %-22s\n", "split", "base, in notation", "base, asked in words", "tuned",
              "tuned without mask", "tuned to restate");
  // model: 0 base in notation, 1 base in words, 2 tuned, 3 tuned without mask,
  //        4 base in words, lenient: its text up to the first newline, no end token needed,
  //        5 tuned to restate the request in notation, then answer
  CsvLog results(options.out + "/results.csv", {"split", "model", "exact_match", "low_95", "high_95", "prompts"});
  std::vector<Proportion> lenient(splits.size());  // the base model in words, were stopping not required
  for (std::size_t s = 0; s < splits.size(); ++s) {
    for (std::size_t i = 0; i < splits[s].set.size(); ++i) {
      const std::string& text = base_in_words[s].text[i];
      lenient[s].add(text.substr(0, text.find('\n')) == splits[s].set[i].answer);
    }
    const Proportion scores[] = {base_in_notation[s].score(),
                                 base_in_words[s].score(),
                                 tuned_answers[s].score(),
                                 unmasked_answers[s].score(),
                                 lenient[s],
                                 restating_answers[s].score()};
    std::printf("  %-17s", splits[s].name);
    for (int m = 0; m < 6; ++m) {
      if (m != 4) std::printf(" %-22s", scores[m].text().c_str());
      const auto [low, high] = scores[m].interval_95();
      results.write({double(s), double(m), scores[m].value(), low, high, double(scores[m].trials)});
    }
    std::printf("\n");
  }
  std::printf("  The base model asked in words never ends its turn; scored leniently (its text up to the first\n");
  std::printf("  newline taken as its answer) it gets %s on seen requests.\n", lenient[0].text().c_str());
  std::printf("  Notation uses the request's name (a synonym row asks flip(\"abcd\")=) and quotes the input.\n");

  std::printf("\n   per task, about %lld prompts each: the base model in notation (all splits), the tuned model\n",
              static_cast<long long>(options.prompts / Index(InstructionTasks::tuned_tasks().size())));
  std::printf("  %-12s %9s", "task", "notation");
  for (const Split& split : splits) std::printf(" %11.11s", split.name);
  std::printf("\n");
  // column: 0 the base model in notation, every split pooled; 1 + s the tuned model on split s
  CsvLog tasks(options.out + "/tasks.csv", {"column", "task", "exact_match", "low_95", "high_95", "prompts"});
  std::vector<std::vector<Proportion>> per_task(splits.size() + 1, std::vector<Proportion>(InstructionTasks::kTasks));
  for (std::size_t s = 0; s < splits.size(); ++s)
    for (std::size_t i = 0; i < splits[s].set.size(); ++i) {
      const auto task = std::size_t(splits[s].set[i].task);
      per_task[0][task].add(base_in_notation[s].right[i]);
      per_task[s + 1][task].add(tuned_answers[s].right[i]);
    }
  for (Index t = 0; t < InstructionTasks::kTasks; ++t) {
    std::printf("  %-12s", InstructionTasks::task_name(t));
    for (std::size_t column = 0; column < per_task.size(); ++column) {
      const Proportion& p = per_task[column][std::size_t(t)];
      if (p.trials == 0) {  // a tuned task is in no unseen-task prompt, a held-out task in no other split
        std::printf(" %*s", column == 0 ? 9 : 11, "-");
        continue;
      }
      std::printf(" %*.3f", column == 0 ? 9 : 11, p.value());
      const auto [low, high] = p.interval_95();
      tasks.write({double(column), double(t), p.value(), low, high, double(p.trials)});
    }
    std::printf("\n");
  }

  std::printf("\n== 5. Diversity: wordings per task in fine-tuning, the same steps (95%% intervals)\n");
  std::printf("  %-20s", "wordings per task");
  for (std::size_t s = 1; s < splits.size(); ++s) std::printf(" %-22s", splits[s].name);
  std::printf("\n");
  // rows: phrasings 1 and 20 with all six tuned tasks; then 20 phrasings, 3 tasks
  CsvLog diversity(options.out + "/diversity.csv",
                   {"phrasings", "tuned_tasks", "split", "exact_match", "low_95", "high_95", "prompts"});
  const auto report = [&](const std::vector<Answers>& answers, const TuningData& data, const std::string& label) {
    std::printf("  %-20s", label.c_str());
    for (std::size_t s = 1; s < splits.size(); ++s) {
      const Proportion score = answers[s].score();
      const auto [low, high] = score.interval_95();
      diversity.write({double(data.phrasings), double(data.tasks.size()), double(s), score.value(), low, high,
                       double(score.trials)});
      std::printf(" %-22s", score.text().c_str());
    }
    std::printf("\n");
  };
  const TuningData one_wording{.phrasings = 1};
  report(answers_of(fine_tune(one_wording, true, "1_phrasings"), Asked::kInWords), one_wording, "1");
  report(tuned_answers, {}, "20");
  std::printf("\n   Tasks: the unseen tasks after tuning on 3 of the 6 tuned tasks, the same steps\n");
  const TuningData three_tasks{.tasks = {0, 1, 2}};
  report(answers_of(fine_tune(three_tasks, true, "3_tasks"), Asked::kInWords), three_tasks, "20, 3 tasks");
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
