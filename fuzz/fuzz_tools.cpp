// The tools and the engine's call handling: the first bytes are an expression for the
// calculator; all the bytes, as tokens, are a script a model "writes" into the engine
// (tool calls, arguments, stray markers: anything a model can produce). Whatever comes,
// the calculator answers or throws eigenformer::Error, and the engine answers every call
// within its limits: no crash, no hang, no unbounded output, nothing but the two tools run.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_input.hpp"
#include "scripted_model.hpp"

using namespace eigenformer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clean_failure([&] { Calculator::evaluate(bytes); });

  static CharTokenizer tokenizer = [] {
    CharTokenizer t = CharTokenizer::from_text("abcdefghijklmnopqrstuvwxyz0123456789 +-*/().\t");
    ChatTokens::add_to(t);
    return t;
  }();
  static const Calculator calculator;
  static const Lookup lookup = Lookup::parse("ada\tparis\nbob\toslo\n", "facts");
  const ChatTokens chat = ChatTokens::of(tokenizer);
  testing::ScriptedModel model{GPTConfig{.vocab_size = tokenizer.vocab_size(), .block_size = 256}, {}, {}};
  model.script.assign(2, {});
  for (std::size_t i = 0; i < size; ++i) model.script[i % 2].push_back(int(data[i] % tokenizer.vocab_size()));
  const EngineLimits limits{.max_new_tokens = 200, .max_tool_calls = 3, .max_call_tokens = 32, .max_output_bytes = 64};
  Engine engine(model, tokenizer, {&calculator, &lookup}, limits);
  Sampler greedy = Sampler::greedy();
  const Tokens prompt{chat.bos, chat.user_start, chat.user_end, chat.assistant_start};
  for (const Reply& reply : engine.generate({prompt, prompt}, greedy)) {
    if (Index(reply.tokens.size()) > limits.max_new_tokens || Index(reply.tool_uses.size()) > limits.max_tool_calls + 8)
      std::abort();
    for (const ToolUse& use : reply.tool_uses)
      if (use.output.size() > limits.max_output_bytes) std::abort();
  }
  return 0;
}
