#include <stdexcept>
#include <thread>

#include "scripted_model.hpp"
#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

struct Fixture {
  CharTokenizer tokenizer = CharTokenizer::from_text("abcdefghijklmnopqrstuvwxyz0123456789 +-*/().:'");
  ChatTokens chat = ChatTokens::add_to(tokenizer);
  testing::ScriptedModel model{GPTConfig{.vocab_size = tokenizer.vocab_size(), .block_size = 128}, {}, {}};
  Calculator calculator;
  Sampler sampler{SamplerOptions{1.0, 0, 1.0, 5}};

  Tokens text(const std::string& words) const { return tokenizer.encode_ordinary(words); }
  /// n steps where the model "wants" to end the reply: fed forced tokens, they must be ignored.
  Tokens ignored(std::size_t n) const { return Tokens(n, chat.assistant_end); }
  Tokens prompt() const { return {chat.bos, chat.user_start, chat.user_end, chat.assistant_start}; }
};

Tokens concat(std::initializer_list<Tokens> parts) {
  Tokens all;
  for (const Tokens& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

}  // namespace

TEST_CASE("Engine: a tool call is answered by forced tokens the model reads, then sampling resumes") {
  Fixture f;
  f.model.script = {concat({{f.chat.tool_call_start},
                            f.text("calculator 6*7"),
                            {f.chat.tool_call_end},
                            f.ignored(4),
                            f.text("it is 42"),
                            {f.chat.assistant_end}})};
  Engine engine(f.model, f.tokenizer, {&f.calculator});
  std::string streamed;
  const auto replies = engine.generate({f.prompt()}, f.sampler, [&](Index row, int token, TokenSource source) {
    CHECK(row == 0);
    const std::string text = f.tokenizer.decode({token});
    if (source == TokenSource::kTool)
      streamed.append("[").append(text).append("]");
    else
      streamed.append(text);
  });
  const Reply& reply = replies.at(0);
  CHECK(f.tokenizer.decode(reply.tokens) ==
        "<|tool_call_start|>calculator 6*7<|tool_call_end|><|tool_output_start|>42<|tool_output_end|>it is "
        "42<|assistant_end|>");
  CHECK(streamed ==
        "<|tool_call_start|>calculator 6*7<|tool_call_end|>[<|tool_output_start|>][4][2][<|tool_output_end|>]it is "
        "42<|assistant_end|>");
  CHECK(reply.finished);
  REQUIRE(reply.tool_uses.size() == 1);
  CHECK(reply.tool_uses[0].call == "calculator 6*7");
  CHECK(reply.tool_uses[0].output == "42");
  CHECK(reply.tool_uses[0].ok);
  const std::size_t answer_at = 16;  // call start, 14 characters, call end
  for (std::size_t i = 0; i < reply.tokens.size(); ++i)
    CHECK(reply.forced[i] == (i >= answer_at && i < answer_at + 4));  // output start, '4', '2', output end
  // The model read the answer: the forced tokens were fed to it, in order.
  const Tokens& fed = f.model.fed.at(0);
  CHECK(Tokens(fed.begin() + answer_at, fed.begin() + answer_at + 4) ==
        concat({{f.chat.tool_output_start}, f.text("42"), {f.chat.tool_output_end}}));
}

TEST_CASE("Engine: rows of one batch call tools at different steps, each with its own state") {
  Fixture f;
  f.model.script = {concat({{f.chat.tool_call_start},
                            f.text("calculator 1+1"),
                            {f.chat.tool_call_end},
                            f.ignored(3),
                            f.text("two"),
                            {f.chat.assistant_end}}),
                    concat({f.text("let me see "),
                            {f.chat.tool_call_start},
                            f.text("calculator 10*10"),
                            {f.chat.tool_call_end},
                            f.ignored(5),
                            {f.chat.tool_call_start},
                            f.text("calculator 100-1"),
                            {f.chat.tool_call_end},
                            f.ignored(4),
                            f.text("ok"),
                            {f.chat.assistant_end}}),
                    concat({f.text("no tools"), {f.chat.assistant_end}})};
  Engine engine(f.model, f.tokenizer, {&f.calculator});
  const auto replies = engine.generate({f.prompt(), f.prompt(), f.prompt()}, f.sampler);
  REQUIRE(replies.size() == 3);
  CHECK(f.tokenizer.decode(replies[0].tokens) ==
        "<|tool_call_start|>calculator 1+1<|tool_call_end|><|tool_output_start|>2<|tool_output_end|>two"
        "<|assistant_end|>");
  CHECK(f.tokenizer.decode(replies[1].tokens) ==
        "let me see <|tool_call_start|>calculator 10*10<|tool_call_end|><|tool_output_start|>100<|tool_output_end|>"
        "<|tool_call_start|>calculator 100-1<|tool_call_end|><|tool_output_start|>99<|tool_output_end|>ok"
        "<|assistant_end|>");
  CHECK(f.tokenizer.decode(replies[2].tokens) == "no tools<|assistant_end|>");
  CHECK(replies[1].tool_uses.size() == 2);
  for (const Reply& reply : replies) CHECK(reply.finished);
}

TEST_CASE("Engine: malformed calls, unknown tools, a throwing tool and the limits become error answers") {
  struct Broken : Tool {
    std::string name() const override { return "broken"; }
    std::string call(std::string_view) const override { throw std::runtime_error("the database is down"); }
  };
  struct Verbose : Tool {
    std::string name() const override { return "verbose"; }
    std::string call(std::string_view) const override { return std::string(1000, 'a'); }
  };
  Fixture f;
  Broken broken;
  Verbose verbose;
  const auto answer_to = [&](const std::string& call, EngineLimits limits = {.max_new_tokens = 400}) {
    CAPTURE(call);
    f.model.script = {concat({{f.chat.tool_call_start}, f.text(call), {f.chat.tool_call_end}, f.ignored(300)})};
    Engine engine(f.model, f.tokenizer, {&f.calculator, &broken, &verbose}, limits);
    const Reply reply = engine.generate({f.prompt()}, f.sampler).at(0);
    REQUIRE(reply.tool_uses.size() == 1);
    CHECK(reply.finished);  // the model read the answer, then ended its reply
    return reply.tool_uses[0];
  };
  CHECK(answer_to("calculator 1/0").output == "error: division by zero");
  CHECK(!answer_to("calculator 1/0").ok);
  CHECK(answer_to("calculator").output == "error: the expression ends where a number was expected");
  CHECK(answer_to("search cats").output == "error: unknown tool 'search'; the tools are broken calculator verbose");
  CHECK(answer_to("").output == "error: unknown tool ''; the tools are broken calculator verbose");
  CHECK(answer_to("broken x").output == "error: the database is down");
  CHECK(answer_to("verbose", {.max_output_bytes = 50}).output == std::string(50, 'a'));  // cut to the limit
  CHECK(answer_to("calculator 1+2+3+4+5", {.max_call_tokens = 8}).output == "error: the call is longer than 8 tokens");

  // A call cut off is closed by the program: <|tool_call_end|> is forced, then the answer.
  f.model.script = {concat({{f.chat.tool_call_start}, f.text("calculator 123456789"), f.ignored(100)})};
  Engine engine(f.model, f.tokenizer, {&f.calculator}, {.max_new_tokens = 40, .max_call_tokens = 5});
  const Reply cut = engine.generate({f.prompt()}, f.sampler).at(0);
  CHECK(f.tokenizer.decode({cut.tokens.begin(), cut.tokens.begin() + 9}) ==
        "<|tool_call_start|>calcu<|tool_call_end|><|tool_output_start|>e");
  CHECK(cut.forced[6]);
  CHECK(cut.tokens.size() == 40);

  // Past max_tool_calls, a call is answered with an error and nothing runs.
  f.model.script = {concat({{f.chat.tool_call_start},
                            f.text("calculator 1+1"),
                            {f.chat.tool_call_end},
                            f.ignored(3),
                            {f.chat.tool_call_start},
                            f.text("calculator 2+2"),
                            {f.chat.tool_call_end},
                            f.ignored(100)})};
  Engine limited(f.model, f.tokenizer, {&f.calculator}, {.max_tool_calls = 1});
  const Reply twice = limited.generate({f.prompt()}, f.sampler).at(0);
  REQUIRE(twice.tool_uses.size() == 2);
  CHECK(twice.tool_uses[1].output == "error: no more tool calls in this reply (the limit is 1)");
}

TEST_CASE(
    "Engine: a reply stops at max_new_tokens or a full context; bad prompts, tools and vocabularies are named errors") {
  Fixture f;
  f.model.script = {f.text(std::string(500, 'a'))};
  Engine engine(f.model, f.tokenizer, {&f.calculator}, {.max_new_tokens = 10});
  CHECK(engine.generate({f.prompt()}, f.sampler).at(0).tokens.size() == 10);
  Engine long_replies(f.model, f.tokenizer, {&f.calculator}, {.max_new_tokens = 1000});
  const Reply full = long_replies.generate({f.prompt()}, f.sampler).at(0);
  CHECK(full.tokens.size() == 128 - 4 + 1);  // the prompt and the reply fill the block; the last token is not fed
  CHECK(!full.finished);

  testing::require_error_mentions([&] { engine.generate({Tokens{}}, f.sampler); }, {"prompt 0 has 0 tokens"});
  testing::require_error_mentions([&] { engine.generate({Tokens{9999}}, f.sampler); },
                                  {"prompt 0 holds token 9999", "outside the vocabulary"});
  Calculator second;
  testing::require_error_mentions(
      [&] {
        Engine(f.model, f.tokenizer, {&f.calculator, &second});
      },
      {"two tools are named 'calculator'"});
  testing::require_error_mentions([&] { Engine(f.model, f.tokenizer, {nullptr}); }, {"null"});
  testing::ScriptedModel wider{GPTConfig{.vocab_size = f.tokenizer.vocab_size() + 1, .block_size = 128}, {}, {}};
  testing::require_error_mentions([&] { Engine(wider, f.tokenizer, {}); },
                                  {"the model has 56 token ids and the tokenizer 55"});
}

TEST_CASE("Engine: on a real GPT without tool calls, greedy replies equal complete() and generate()") {
  Fixture f;
  GPT<float> model(
      GPTConfig{
          .vocab_size = f.tokenizer.vocab_size(), .block_size = 32, .num_layers = 2, .num_heads = 2, .channels = 16},
      3);
  const std::vector<Tokens> prompts{f.prompt(), concat({f.prompt(), f.text("ab")}), concat({f.prompt(), f.text("cd")})};
  Engine engine(model, f.tokenizer, {}, {.max_new_tokens = 12});
  Sampler greedy = Sampler::greedy();
  const auto replies = engine.generate(prompts, greedy);
  const auto completions = complete(model, prompts, greedy, {.end_token = f.chat.assistant_end, .max_new_tokens = 12});
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    CAPTURE(i);
    CHECK(replies[i].tokens == completions[i].tokens);
    const Tokens alone = generate(model, prompts[i], Index(replies[i].tokens.size()), greedy);
    CHECK(Tokens(alone.begin() + Index(prompts[i].size()), alone.end()) == replies[i].tokens);
  }
}

TEST_CASE("One decode loop: one seed gives one stream through generate(), complete() and the engine") {
  Fixture f;
  const GPT<float> model(  // const: inference reads the weights only
      GPTConfig{
          .vocab_size = f.tokenizer.vocab_size(), .block_size = 32, .num_layers = 2, .num_heads = 2, .channels = 16},
      5);
  const std::vector<Tokens> prompts{concat({f.prompt(), f.text("ab")}), concat({f.prompt(), f.text("cd")}),
                                    concat({f.prompt(), f.text("ef")})};
  const SamplerOptions sampled{1.0, 0, 1.0, 17};  // temperature 1, no top-k or top-p: every draw counts
  Sampler for_engine(sampled), for_complete(sampled), for_generate(sampled);
  const Engine engine(model, f.tokenizer, {}, {.max_new_tokens = 12});
  const auto replies = engine.generate(prompts, for_engine);
  const auto completions =
      complete(model, prompts, for_complete, {.end_token = f.chat.assistant_end, .max_new_tokens = 12});
  // The engine answers a call after <|tool_call_end|>; until the first one, no row is forced
  // and both draw for the same unfinished rows in the same order.
  std::size_t agree = 12;
  for (const Completion& completion : completions) {
    const auto call_end = std::find(completion.tokens.begin(), completion.tokens.end(), f.chat.tool_call_end);
    agree = std::min(agree, std::size_t(call_end - completion.tokens.begin()) + 1);
  }
  REQUIRE(agree >= 3);
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    CAPTURE(i);
    const std::size_t n = std::min(agree, completions[i].tokens.size());
    REQUIRE(replies[i].tokens.size() >= n);
    CHECK(Tokens(replies[i].tokens.begin(), replies[i].tokens.begin() + Index(n)) ==
          Tokens(completions[i].tokens.begin(), completions[i].tokens.begin() + Index(n)));
  }
  // One prompt alone: generate() draws exactly what complete() draws, up to the end token.
  Sampler alone_complete(sampled);
  const Completion one = complete(model, {prompts[0]}, alone_complete, {.end_token = f.chat.assistant_end}).at(0);
  const Tokens generated = generate(model, prompts[0], Index(one.tokens.size()), for_generate);
  CHECK(Tokens(generated.begin() + Index(prompts[0].size()), generated.end()) == one.tokens);
}

TEST_CASE("Run state is the caller's: threads generate from one const model at once, each as if alone") {
  const GPT<float> model(testing::generation_config(), 11);
  const std::vector<Tokens> prompts{{1, 2, 3}, {4, 5}, {6}, {7, 8, 9, 10}};
  const auto write = [&](std::size_t i) {  // each thread: its own sampler and, inside generate, its own cache
    Sampler sampler({1.0, 0, 1.0, 100 + i});
    return generate(model, prompts[i], 30, sampler);
  };
  std::vector<Tokens> alone, together(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) alone.push_back(write(i));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < prompts.size(); ++i) threads.emplace_back([&, i] { together[i] = write(i); });
  for (std::thread& thread : threads) thread.join();
  CHECK(together == alone);
}

TEST_CASE("decode: prompts that do not fill the batch, or exceed the block size, are named errors") {
  const GPT<float> model(testing::generation_config(), 11);
  const auto never = [](Index, const auto&) { return Choice{0, true}; };
  testing::require_error_mentions(
      [&] {
        decode(model, Tokens{1, 2, 3}, 2, 2, 5, AtBlockSize::kStop, never);
      },
      {"3 prompt tokens are not 2 rows of 2"});
  testing::require_error_mentions([&] { decode(model, Tokens(10, 1), 1, 10, 5, AtBlockSize::kStop, never); },
                                  {"prompts of 10 tokens exceed the block size 9"});
}
