// Lesson: instruction tuning. A base model that can already do eight small tasks,
// written in the notation it was pretrained on, learns by supervised fine-tuning on
// conversations to do them when a user asks in words: in wordings it was never
// tuned on too. Ouyang et al. 2022 (InstructGPT) and Wei et al. 2022 (FLAN) did this
// at scale; here it runs in minutes and every figure has its control.
//
//   1. Base model: next-token prediction on lines like reverse("abcd")=dcba over the
//      eight tasks of tasks/instruction_tasks.hpp, each line's brackets written one of
//      four ways (a skill that hangs on one bracket would not survive a new format).
//      The skills, never a request, never a chat token.
//   2. Fine-tuning: conversations <|user_start|>please reverse this: "abcd"<|user_end|>
//      <|assistant_start|>dcba<|assistant_end|>, loss on the assistant's tokens only
//      (text/chat_format.hpp), 20 phrasings per task.
//   3. Exact match, greedy up to <|assistant_end|>, on 500 new prompts per figure (--prompts),
//      each beside its control: the base model asked the same way (and, to show the
//      skills are there, in its notation); phrasings seen, unseen, and unseen task x
//      phrasing pairs; the same budget without the loss mask; 1, 4 or 20 phrasings
//      per task (Zhang, Wang and Charton, 2024).
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

/// A random example of a random task, its phrasing drawn from the task's first
/// `phrasings` seen phrasings.
Instruction random_instruction(Rng& rng, Index phrasings) {
  const Index task = rng.uniform_int(InstructionTasks::kTasks);
  const auto pool = InstructionTasks::seen_phrasings(task, phrasings);
  return InstructionTasks::make(task, pool[std::size_t(rng.uniform_int(Index(pool.size())))], rng);
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
    while (Index(text.size()) <= kTime + 1) {
      const Instruction line = random_instruction(rng, InstructionTasks::kSeenPhrasings);
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
Batch tune_batch(const CharTokenizer& tokenizer, Rng& rng, Index phrasings, bool mask) {
  std::vector<RenderedConversation> rendered;
  rendered.reserve(4 * kRows);
  for (Index i = 0; i < 4 * kRows; ++i) {  // more than the rows hold; pack takes what fits
    const Instruction example = random_instruction(rng, phrasings);
    rendered.push_back(render_conversation(
        tokenizer, {{Role::kUser, example.request}, {Role::kAssistant, example.answer}}, kTime + 1));
    if (!mask) std::fill(rendered.back().trained.begin() + 1, rendered.back().trained.end(), 1);
  }
  Batch batch;
  pack_conversations(rendered, kRows, kTime, ChatTokens::of(tokenizer).bos, batch);
  return batch;
}

/// `count` new examples whose phrasings lie in `split`: the tasks in turn, each with a
/// phrasing drawn at random among the task's phrasings in the split.
std::vector<Instruction> evaluation_set(PhrasingSplit split, Index count, Rng& rng) {
  std::vector<Instruction> set;
  set.reserve(std::size_t(count));
  for (Index i = 0; i < count; ++i) {
    const Index task = i % InstructionTasks::kTasks;
    Phrasing phrasing;
    do {
      phrasing = {rng.uniform_int(InstructionTasks::kPrefixes), rng.uniform_int(InstructionTasks::kConnectors)};
    } while (InstructionTasks::split(task, phrasing) != split);
    set.push_back(InstructionTasks::make(task, phrasing, rng));
  }
  return set;
}

enum class Asked { kInWords, kInNotation };

/// What a model answered, and whether each answer is exactly right.
struct Answers {
  std::vector<std::string> text;  // up to the end token (all 8 tokens when none came)
  std::vector<bool> right;        // the answer, then the end token, nothing else
};

/// Greedy answers. In words: the chat prompt, completed up to <|assistant_end|>.
/// In notation: reverse("abcd")=, completed up to the newline.
Answers answer_all(Model& model, const CharTokenizer& tokenizer, const std::vector<Instruction>& set, Asked asked) {
  const int end = asked == Asked::kInWords ? ChatTokens::of(tokenizer).assistant_end : tokenizer.encode("\n")[0];
  std::vector<Tokens> prompts;
  prompts.reserve(set.size());
  for (const Instruction& example : set)
    prompts.push_back(asked == Asked::kInWords ? render_prompt(tokenizer, {{Role::kUser, example.request}}, kTime)
                                               : tokenizer.encode_ordinary(example.notation));
  Sampler greedy = Sampler::greedy();
  const auto completions = complete(model, prompts, greedy, {.end_token = end, .max_new_tokens = 8});
  Answers answers;
  for (std::size_t i = 0; i < set.size(); ++i) {
    Tokens tokens = completions[i].tokens;
    if (completions[i].finished) tokens.pop_back();
    answers.text.push_back(tokenizer.decode(tokens));
    answers.right.push_back(completions[i].finished && tokens == tokenizer.encode_ordinary(set[i].answer));
  }
  return answers;
}

/// An answer for a table: newlines shown as \n, at most 12 characters.
std::string printable(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out.size() > 12 ? out.substr(0, 11) + "~" : out;
}

Proportion exact_match(Model& model, const CharTokenizer& tokenizer, const std::vector<Instruction>& set,
                       Asked asked = Asked::kInWords) {
  Proportion score;
  for (bool right : answer_all(model, tokenizer, set, asked).right) score.add(right);
  return score;
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
    const Instruction example = random_instruction(show, InstructionTasks::kSeenPhrasings);
    std::printf("\n== 1. The base model: %lld steps of %lld x %lld characters of notation, e.g. \"%s%s\"\n",
                static_cast<long long>(options.base_steps), static_cast<long long>(kRows),
                static_cast<long long>(kTime), example.notation.c_str(), example.answer.c_str());
  }
  train_model(base, options.base_steps, 3e-3, options.out + "/base.csv", [&](Index step, Index) {
    Rng rng(options.seed * 1000003 + std::uint64_t(step));
    return base_batch(tokenizer, rng);
  });

  // Every fine-tuned model starts from a copy of the base model, trained the same way.
  const auto fine_tune = [&](Index phrasings, bool mask, const std::string& name) {
    std::printf("\n== 2. Fine-tuning (%s): %lld steps of %lld rows of packed conversations\n", name.c_str(),
                static_cast<long long>(options.tune_steps), static_cast<long long>(kRows));
    Model model = base;
    train_model(model, options.tune_steps, 3e-3, options.out + "/tune_" + name + ".csv", [&](Index step, Index) {
      Rng rng(options.seed * 7919 + std::uint64_t(step));
      return tune_batch(tokenizer, rng, phrasings, mask);
    });
    return model;
  };
  Model tuned = fine_tune(20, true, "20_phrasings");
  Model unmasked = fine_tune(20, false, "no_mask");

  Rng eval_rng(options.seed * 424242 + 17);  // new inputs, drawn apart from every training stream
  struct Split {
    const char* name;
    std::vector<Instruction> set;
  };
  const std::vector<Split> splits = {
      {"seen phrasings", evaluation_set(PhrasingSplit::kSeen, options.prompts, eval_rng)},
      {"unseen phrasings", evaluation_set(PhrasingSplit::kUnseenPhrasing, options.prompts, eval_rng)},
      {"unseen task x phrasing", evaluation_set(PhrasingSplit::kUnseenPair, options.prompts, eval_rng)}};
  std::printf("\n== 3. What each model says to requests in a phrasing it was never tuned on\n");
  const std::vector<Instruction> shown(splits[1].set.begin(), splits[1].set.begin() + InstructionTasks::kTasks);
  const Answers base_says = answer_all(base, tokenizer, shown, Asked::kInWords);
  const Answers tuned_says = answer_all(tuned, tokenizer, shown, Asked::kInWords);
  std::printf("  %-40s %-12s %-12s %s\n", "request", "base model", "tuned", "right answer");
  for (std::size_t i = 0; i < shown.size(); ++i)
    std::printf("  %-40s %-12s %-12s %s\n", shown[i].request.c_str(), printable(base_says.text[i]).c_str(),
                printable(tuned_says.text[i]).c_str(), shown[i].answer.c_str());

  std::printf("\n== 4. Exact match on %lld new prompts per row, greedy (95%% intervals)\n",
              static_cast<long long>(options.prompts));
  std::printf("  %-24s %-22s %-22s %-22s %-22s\n", "prompts", "base, in notation", "base, asked in words", "tuned",
              "tuned without mask");
  // model: 0 base in notation, 1 base in words, 2 tuned, 3 tuned without mask,
  //        4 base in words, lenient: its text up to the first newline, no end token needed
  CsvLog results(options.out + "/results.csv", {"split", "model", "exact_match", "low_95", "high_95", "prompts"});
  std::vector<Proportion> lenient(splits.size());  // the base model in words, were stopping not required
  for (std::size_t s = 0; s < splits.size(); ++s) {
    const Answers base_in_words = answer_all(base, tokenizer, splits[s].set, Asked::kInWords);
    Proportion asked_in_words;
    for (std::size_t i = 0; i < splits[s].set.size(); ++i) {
      asked_in_words.add(base_in_words.right[i]);
      const std::string& text = base_in_words.text[i];
      lenient[s].add(text.substr(0, text.find('\n')) == splits[s].set[i].answer);
    }
    const Proportion scores[] = {exact_match(base, tokenizer, splits[s].set, Asked::kInNotation), asked_in_words,
                                 exact_match(tuned, tokenizer, splits[s].set),
                                 exact_match(unmasked, tokenizer, splits[s].set), lenient[s]};
    std::printf("  %-24s", splits[s].name);
    for (int m = 0; m < 5; ++m) {
      if (m < 4) std::printf(" %-22s", scores[m].text().c_str());
      const auto [low, high] = scores[m].interval_95();
      results.write({double(s), double(m), scores[m].value(), low, high, double(scores[m].trials)});
    }
    std::printf("\n");
  }
  std::printf("  The base model asked in words never ends its turn; scored leniently (its text up to the first\n");
  std::printf("  newline taken as its answer) it still gets only %s, %s, %s.\n", lenient[0].text().c_str(),
              lenient[1].text().c_str(), lenient[2].text().c_str());
  std::printf("  It has the skills (first column) but has never learned what a request asks of it.\n");

  std::printf("\n   per task, about %lld prompts each: the base model in notation (all splits), the tuned model\n",
              static_cast<long long>(options.prompts / InstructionTasks::kTasks));
  std::printf("  %-12s %9s %9s %9s %9s\n", "task", "notation", "seen", "unseen", "unseen");
  std::printf("  %-12s %9s %9s %9s %9s\n", "", "(base)", "", "phrasing", "pair");
  // column: 0 the base model in notation, every split pooled; 1-3 the tuned model, split 0-2
  CsvLog tasks(options.out + "/tasks.csv", {"column", "task", "exact_match", "low_95", "high_95", "prompts"});
  std::vector<std::vector<Proportion>> per_task(splits.size() + 1, std::vector<Proportion>(InstructionTasks::kTasks));
  for (std::size_t s = 0; s < splits.size(); ++s) {
    const std::vector<bool> in_notation = answer_all(base, tokenizer, splits[s].set, Asked::kInNotation).right;
    const std::vector<bool> tuned_right = answer_all(tuned, tokenizer, splits[s].set, Asked::kInWords).right;
    for (std::size_t i = 0; i < tuned_right.size(); ++i) {
      const auto task = std::size_t(splits[s].set[i].task);
      per_task[0][task].add(in_notation[i]);
      per_task[s + 1][task].add(tuned_right[i]);
    }
  }
  for (Index t = 0; t < InstructionTasks::kTasks; ++t) {
    std::printf("  %-12s", InstructionTasks::task_name(t));
    for (std::size_t column = 0; column < per_task.size(); ++column) {
      const Proportion& p = per_task[column][std::size_t(t)];
      std::printf(" %9.3f", p.value());
      const auto [low, high] = p.interval_95();
      tasks.write({double(column), double(t), p.value(), low, high, double(p.trials)});
    }
    std::printf("\n");
  }

  std::printf("\n== 5. Diversity: phrasings per task in fine-tuning, the same steps (95%% intervals)\n");
  std::printf("  %-22s %-22s %-22s\n", "phrasings per task", "unseen phrasings", "unseen task x phrasing");
  CsvLog diversity(options.out + "/diversity.csv",
                   {"phrasings", "split", "exact_match", "low_95", "high_95", "prompts"});
  for (Index phrasings : {1, 4, 20}) {
    Model fewer = phrasings == 20 ? tuned : fine_tune(phrasings, true, std::to_string(phrasings) + "_phrasings");
    std::printf("  %-22lld", static_cast<long long>(phrasings));
    for (std::size_t s = 1; s < splits.size(); ++s) {
      const Proportion score = exact_match(fewer, tokenizer, splits[s].set);
      const auto [low, high] = score.interval_95();
      diversity.write({double(phrasings), double(s), score.value(), low, high, double(score.trials)});
      std::printf(" %-22s", score.text().c_str());
    }
    std::printf("\n");
  }
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
