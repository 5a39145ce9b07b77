// Lesson: talk to a tuned model with tools in its loop. Ask arithmetic ("what is 12 plus
// 34567?", "subtract 99 from 1000", "123*456") and it calls the calculator; ask "where does
// Kora Velin live?" and it calls the lookup tool over a file you can edit while you chat.
// Tool calls and their answers are shown apart from the model's own words, as the engine
// (model/engine.hpp) runs them.
//
// The model is trained on exactly the conversations the two tool lessons train on
// (calculator_tool.cpp, fresh_knowledge.cpp), so their held-out tables say what it can
// do: the trained question forms and wordings; the held-out pairings of frame and
// operator; held-out wordings of a lookup often, not always; words it never met ("the
// product of 3 and 4"), not. It knows these two skills and nothing else
// (150K parameters, trained in about two and a half minutes): ask it anything else and
// watch it try one of them anyway.
//
// Usage: chat [--model DIR] [--facts FILE] [--temperature T] [--top-k K] [--top-p P]
//             [--seed S] [--script FILE] [--steps N]
// It loads DIR/model.ckpt and DIR/tokenizer.txt, or, when DIR holds no model, trains
// one there first and says so. --facts names the lookup file (default DIR/facts.tsv,
// written the first time from a small world). --script plays the user's lines from a
// file (no terminal needed); an empty line or the end of input ends the chat.
#include "command_line/chat.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/core/os.hpp>
#include <eigenformer/io/checkpoint.hpp>
#include <eigenformer/model/engine.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/tasks/arithmetic_problems.hpp>
#include <eigenformer/tasks/people_and_cities.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <eigenformer/text/chat_format.hpp>
#include <eigenformer/tools/calculator.hpp>
#include <eigenformer/tools/lookup.hpp>
#include <eigenformer/train/fine_tune.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "command_line/checks.hpp"

using namespace eigenformer;
using examples::chat::Options;
using Model = GPT<float, LlamaBlock<float>>;

constexpr Index kRows = 9, kTime = 255,
                kReplyTokens = 120;   // most pairs of exchanges fit a row; a "no entry" reply fits
constexpr Index kMaxRendered = 1024;  // more than any two exchanges render to

/// One exchange on a skill, drawn exactly as the lessons draw theirs, so that their
/// held-out figures describe this model's skills: arithmetic with the calculator
/// (calculator_training_conversation: four operations, five question forms) or a lookup
/// (lookup_training_conversation: fourteen wordings, one name in five in no file).
Conversation training_exchange(Rng& rng) {
  return rng.uniform_int(2) == 0 ? lookup_training_conversation(rng) : calculator_training_conversation(rng);
}

/// One exchange, or two when they fit a row together (so the model reads a second
/// question after a first reply, as in a chat).
Conversation training_conversation(const CharTokenizer& tokenizer, Rng& rng) {
  Conversation conversation = training_exchange(rng);
  if (rng.uniform_int(2) == 0) {
    Conversation both = conversation;
    const Conversation second = training_exchange(rng);
    both.insert(both.end(), second.begin(), second.end());
    if (Index(render_conversation(tokenizer, both, kMaxRendered).ids.size()) <= kTime + 1) return both;
  }
  return conversation;
}

/// Trains a model on the two skills and saves it, tied to its tokenizer, in `folder`.
void train_and_save(const Options& options, const std::string& folder) {
  std::printf("No model in %s: training one first (%lld steps, about two and a half minutes on 2 cores).\n",
              folder.c_str(), static_cast<long long>(options.steps));
  CharTokenizer tokenizer =
      CharTokenizer::from_text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-*/().?':");
  ChatTokens::add_to(tokenizer);
  Model model(GPTConfig{.vocab_size = tokenizer.vocab_size(),
                        .block_size = kTime + 1,
                        .num_layers = 3,
                        .num_heads = 4,
                        .channels = 64,
                        .bias = false},
              options.seed);
  FineTuneOptions tuning;
  tuning.rows = kRows;
  tuning.time = kTime;
  tuning.seed = options.seed;
  tuning.training.steps = options.steps;
  tuning.training.checkpoint_path = folder + "/model.ckpt";  // Ctrl-C saves it too (a shorter training)
  tuning.training.tokenizer_fingerprint = tokenizer.fingerprint();
  std::filesystem::create_directories(folder);
  tokenizer.save(folder + "/tokenizer.txt");
  fine_tune(
      model, tokenizer, [&](Rng& rng) { return training_conversation(tokenizer, rng); }, tuning);
  std::printf("Saved %s/model.ckpt.\n\n", folder.c_str());
}

/// Prints a reply as it is generated: the model's words plainly, tool calls and answers
/// apart (dimmed on a terminal).
class ReplyPrinter {
 public:
  ReplyPrinter(const CharTokenizer& tokenizer, bool terminal)
      : tokenizer_(tokenizer), chat_(ChatTokens::of(tokenizer)), terminal_(terminal) {}

  void operator()(int token, TokenSource source) {
    if (token == chat_.tool_call_start)
      show("\n  [calls ");
    else if (token == chat_.tool_call_end)
      show("]");
    else if (token == chat_.tool_output_start)
      show("\n  [answer: ");
    else if (token == chat_.tool_output_end)
      show("]\n");
    else if (token == chat_.assistant_end)
      std::printf("\n");
    else if (source == TokenSource::kTool || inside_call_)
      show(tokenizer_.decode({token}));
    else
      std::printf("%s", tokenizer_.decode({token}).c_str());
    if (token == chat_.tool_call_start || token == chat_.tool_call_end) inside_call_ = token == chat_.tool_call_start;
    std::fflush(stdout);
  }

 private:
  void show(const std::string& text) const { std::printf(terminal_ ? "\033[2m%s\033[0m" : "%s", text.c_str()); }

  const CharTokenizer& tokenizer_;
  ChatTokens chat_;
  bool terminal_;
  bool inside_call_ = false;
};

/// The reply as messages, to keep in the conversation: its calls, their answers, its words.
Conversation as_messages(const CharTokenizer& tokenizer, const Reply& reply) {
  const ChatTokens chat = ChatTokens::of(tokenizer);
  Conversation messages;
  Tokens text;
  Role role = Role::kAssistant;
  const auto flush = [&] {
    if (!text.empty() || role != Role::kAssistant) messages.push_back({role, tokenizer.decode(text)});
    text.clear();
  };
  for (int token : reply.tokens) {
    if (token == chat.tool_call_start || token == chat.tool_output_start) {
      flush();
      role = token == chat.tool_call_start ? Role::kToolCall : Role::kToolOutput;
    } else if (token == chat.tool_call_end || token == chat.tool_output_end) {
      flush();
      role = Role::kAssistant;
    } else if (token != chat.assistant_end && !tokenizer.decode({token}).starts_with("<|")) {
      text.push_back(token);
    }
  }
  flush();
  return messages;
}

/// The prompt for the next reply: as many of the latest exchanges as fit the context
/// with room for a reply (the model sees no further back than its block).
Tokens prompt_for(const CharTokenizer& tokenizer, Conversation& history, Index block_size) {
  for (;;) {
    try {
      return render_prompt(tokenizer, history, block_size - kReplyTokens);
    } catch (const Error&) {
      const auto next_user =
          std::find_if(history.begin() + 1, history.end(), [](const Message& m) { return m.role == Role::kUser; });
      if (next_user == history.end()) throw;  // the question alone is too long (or unreadable)
      history.erase(history.begin(), next_user);
    }
  }
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  Options options;
  CLI::App app{"Chat with a small tuned model that calls a calculator and a lookup tool."};
  examples::chat::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  const std::string checkpoint = options.model + "/model.ckpt", tokenizer_path = options.model + "/tokenizer.txt";
  if (!std::filesystem::exists(checkpoint)) train_and_save(options, options.model);
  const CheckpointInfo info = read_checkpoint_info(checkpoint);
  const CharTokenizer tokenizer = CharTokenizer::load(tokenizer_path);
  check_tokenizer_fingerprint(info, tokenizer.fingerprint(), checkpoint);
  Model model(info.config);
  load_checkpoint(checkpoint, model);

  const std::string facts = options.facts.empty() ? options.model + "/facts.tsv" : options.facts;
  if (options.facts.empty() && !std::filesystem::exists(facts)) {
    Rng rng(options.seed);
    write_text_file(facts, PeopleAndCities::make(12, rng).as_lookup_file());
  }
  const Calculator calculator;
  const Lookup lookup = Lookup::load(facts);
  Engine engine(model, tokenizer, {&calculator, &lookup}, {.max_new_tokens = kReplyTokens, .max_tool_calls = 2});
  Sampler sampler({options.temperature, options.top_k, options.top_p, options.seed});

  const bool terminal = options.script.empty() && os::is_terminal(stdin) && os::is_terminal(stdout);
  std::ifstream script_file;
  if (!options.script.empty()) script_file.open(options.script);
  std::istream& input = options.script.empty() ? std::cin : script_file;
  const std::vector<std::string> people = lookup.keys();
  std::printf("A %lld-parameter model with a calculator and a lookup over %s (%zu people%s%s).\n",
              static_cast<long long>(model.num_parameters()), facts.c_str(), people.size(),
              people.empty() ? "" : ", e.g. ", people.empty() ? "" : people[0].c_str());
  std::printf("Try \"what is 12 plus 34567?\", 123*456 or \"where does %s live?\". An empty line ends the chat.\n\n",
              people.empty() ? "Kora Velin" : people[0].c_str());
  Conversation history;
  ReplyPrinter print(tokenizer, terminal);
  for (std::string line;;) {
    std::printf("you> ");
    std::fflush(stdout);
    if (!std::getline(input, line) || line.empty()) break;
    if (!terminal) std::printf("%s\n", line.c_str());  // a transcript shows what was asked
    history.push_back({Role::kUser, line});
    Tokens prompt;
    try {
      prompt = prompt_for(tokenizer, history, model.config().block_size);
    } catch (const Error& error) {
      std::printf("(the model cannot read that: %s)\n", error.what());
      history.pop_back();
      continue;
    }
    std::printf("model> ");
    const Reply reply =
        engine.generate({prompt}, sampler, [&](Index, int token, TokenSource source) { print(token, source); }).at(0);
    if (!reply.finished) std::printf(" [the reply was cut at %lld tokens]\n", static_cast<long long>(kReplyTokens));
    const Conversation said = as_messages(tokenizer, reply);
    history.insert(history.end(), said.begin(), said.end());
  }
  std::printf("\nbye\n");
  examples::check_standard_output();  // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
