// The engine: generation for a batch of chat replies, with tools in the loop.
//
// Each row of the batch is one reply being written. At every step each row gets one
// token, from one of two places:
//   sampled: the model's logits for the row -> the sampler (the model speaks);
//   forced:  the next token of the row's queue (the program speaks: a tool's answer).
// Because every row advances exactly one token per step, all rows share one KV cache
// of shape (B, ...) and stay aligned, whatever each is doing (nanochat's engine works
// the same way). A row's state machine, on the tokens it samples:
//   <|tool_call_start|>        -> collect the call's tokens
//   <|tool_call_end|>          -> decode the call "name argument", run that tool, and
//                                 queue <|tool_output_start|> answer <|tool_output_end|>
//   <|assistant_end|>          -> the reply is finished
// Forced tokens go through the model (so it reads the answer) but are never sampled
// and never trained on (chat_format.hpp masks them). A tool that throws, an unknown
// tool, a call over max_call_tokens, a call past max_tool_calls: the answer is an
// error text, and the model goes on. A reply stops at max_new_tokens or when the
// context reaches the block size (finished = false). Tools are only those handed to
// the engine: the model chooses among them and writes arguments, nothing more.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "eigenformer/model/decode.hpp"
#include "eigenformer/model/sampler.hpp"
#include "eigenformer/text/chat_format.hpp"
#include "eigenformer/text/utf8.hpp"
#include "eigenformer/tools/tool.hpp"

namespace eigenformer {

struct EngineLimits {
  Index max_new_tokens = 256;          // per reply: sampled and forced tokens together
  Index max_tool_calls = 4;            // per reply; a call beyond is answered with an error
  Index max_call_tokens = 64;          // a call still open after this many tokens is cut off
  std::size_t max_output_bytes = 256;  // a tool's answer is cut to this many bytes
  Index batch_size = 32;               // replies generated together (of prompts of one length)
};

/// One tool call of a reply, as the model wrote it and as the tool answered.
struct ToolUse {
  std::string call;    // the text between the call markers: "calculator 12+30"
  std::string output;  // what the model was given back: "42", or "error: ..."
  bool ok = false;     // the tool answered (not an error)
};

struct Reply {
  Tokens tokens;             // every token after the prompt, sampled and forced, in order
  std::vector<bool> forced;  // forced[i]: tokens[i] came from the program, not the model
  std::vector<ToolUse> tool_uses;
  bool finished = false;  // ended with <|assistant_end|> (which tokens holds)
};

/// What the reply finally says: its tokens after the last tool output, up to
/// <|assistant_end|>, as text ("80235" after a call that answered 80235).
template <class Tokenizer>
std::string final_answer(const Tokenizer& tokenizer, const Reply& reply) {
  const ChatTokens chat = ChatTokens::of(tokenizer);
  Tokens answer;
  for (int token : reply.tokens) {
    if (token == chat.assistant_end) break;
    if (token == chat.tool_output_end)
      answer.clear();
    else
      answer.push_back(token);
  }
  return tokenizer.decode(answer);
}

/// Who wrote a token: the model, or the program (a tool's answer and its markers).
enum class TokenSource { kModel, kTool };

template <class Model, class Tokenizer>
class Engine {
 public:
  /// Streams each token as a row gets it (for a chat: print as it comes).
  using OnToken = std::function<void(Index row, int token, TokenSource source)>;
  using Tools = std::vector<const Tool*>;

  /// The tokenizer must hold the chat tokens (ChatTokens::add_to). The model, the
  /// tokenizer and the tools are borrowed: each must outlive the engine, so a temporary
  /// model or tokenizer is refused at compile time (the two deleted constructors).
  Engine(const Model& model, const Tokenizer& tokenizer, const Tools& tools, EngineLimits limits = {})
      : model_(model), tokenizer_(tokenizer), chat_(ChatTokens::of(tokenizer)), limits_(limits) {
    EF_CHECK(model.config().vocab_size == tokenizer.vocab_size(),
             "the model has " << model.config().vocab_size << " token ids and the tokenizer " << tokenizer.vocab_size()
                              << ": the engine must read every id the model can write");
    EF_CHECK(limits.max_new_tokens >= 1 && limits.max_tool_calls >= 0 && limits.max_call_tokens >= 1 &&
                 limits.batch_size >= 1,
             "engine limits must be positive (max_tool_calls >= 0)");
    for (const Tool* tool : tools) {
      EF_CHECK(tool != nullptr, "a tool handed to the engine is null");
      const std::string name = tool->name();
      EF_CHECK(!name.empty() && name.find(' ') == std::string::npos,
               "a tool's name must be one word, got '" << name << "'");
      EF_CHECK(tools_.emplace(name, tool).second, "two tools are named '" << name << "'");
    }
  }

  Engine(Model&&, const Tokenizer&, const Tools&, EngineLimits = {}) = delete;        // a temporary would dangle
  Engine(const Model&, const Tokenizer&&, const Tools&, EngineLimits = {}) = delete;  // a temporary would dangle

  /// Writes one reply per prompt (each a rendered conversation ending in
  /// <|assistant_start|>, see render_prompt). Result i belongs to prompts[i]; the sampler
  /// draws for the sampling rows in order, so the same seed gives the same replies.
  std::vector<Reply> generate(const std::vector<Tokens>& prompts, Sampler& sampler,
                              const OnToken& on_token = {}) const {
    const Index block_size = model_.config().block_size;
    std::map<Index, std::vector<std::size_t>> by_length;  // prompts of one length share a batch: no padding
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      const Index length = Index(prompts[i].size());
      EF_CHECK(length >= 1 && length < block_size,
               "prompt " << i << " has " << length << " tokens; a reply needs 1 to " << block_size - 1);
      for (int token : prompts[i])
        EF_CHECK(token >= 0 && token < model_.config().vocab_size,
                 "prompt " << i << " holds token " << token << ", outside the vocabulary");
      by_length[length].push_back(i);
    }
    std::vector<Reply> replies(prompts.size());
    for (const auto& [length, indices] : by_length)
      for (std::size_t first = 0; first < indices.size(); first += std::size_t(limits_.batch_size)) {
        const auto last = std::min(first + std::size_t(limits_.batch_size), indices.size());
        generate_batch(prompts, {indices.begin() + std::ptrdiff_t(first), indices.begin() + std::ptrdiff_t(last)},
                       length, sampler, replies, on_token);
      }
    return replies;
  }

 private:
  /// Where one reply stands.
  struct Row {
    std::deque<int> forced;  // tokens the program will feed next, before the model samples again
    bool in_call = false;    // between <|tool_call_start|> and <|tool_call_end|>
    Tokens call;             // the call's tokens so far
    bool done = false;
  };

  void generate_batch(const std::vector<Tokens>& prompts, const std::vector<std::size_t>& indices, Index length,
                      Sampler& sampler, std::vector<Reply>& replies, const OnToken& on_token) const {
    Tokens batch;
    for (std::size_t i : indices) batch.insert(batch.end(), prompts[i].begin(), prompts[i].end());
    std::vector<Row> rows(indices.size());
    decode(model_, batch, Index(indices.size()), length, limits_.max_new_tokens, AtBlockSize::kStop,
           [&](Index b, const auto& logits) {
             Row& row = rows[std::size_t(b)];
             Reply& reply = replies[indices[std::size_t(b)]];
             const bool forced = !row.forced.empty();
             const int token = forced ? row.forced.front() : sampler.sample(logits);
             if (forced) row.forced.pop_front();
             reply.tokens.push_back(token);
             reply.forced.push_back(forced);
             if (on_token)
               on_token(Index(indices[std::size_t(b)]), token, forced ? TokenSource::kTool : TokenSource::kModel);
             if (!forced) read_sampled(row, reply, token);
             return Choice{token, row.done};
           });
  }

  /// The state machine of a row, on a token its model sampled.
  void read_sampled(Row& row, Reply& reply, int token) const {
    if (token == chat_.assistant_end) {
      row.done = reply.finished = true;
    } else if (row.in_call && token == chat_.tool_call_end) {
      row.in_call = false;
      answer(row, reply, tokenizer_.decode(row.call));
    } else if (row.in_call) {
      row.call.push_back(token);
      if (Index(row.call.size()) >= limits_.max_call_tokens) {  // cut off: close it for the model
        row.in_call = false;
        row.forced.push_back(chat_.tool_call_end);
        answer(row, reply, tokenizer_.decode(row.call),
               "the call is longer than " + std::to_string(limits_.max_call_tokens) + " tokens");
      }
    } else if (token == chat_.tool_call_start) {
      row.in_call = true;
      row.call.clear();
    }
  }

  /// Runs the call (unless `refusal` says why not) and queues its answer for the row.
  void answer(Row& row, Reply& reply, const std::string& call, const std::string& refusal = "") const {
    ToolUse use{call, "", false};
    try {
      EF_CHECK(refusal.empty(), refusal);
      EF_CHECK(Index(reply.tool_uses.size()) < limits_.max_tool_calls,
               "no more tool calls in this reply (the limit is " << limits_.max_tool_calls << ")");
      const std::size_t space = call.find(' ');
      const std::string name = call.substr(0, space);
      const auto tool = tools_.find(name);
      EF_CHECK(tool != tools_.end(), "unknown tool '" << name.substr(0, 32) << "'; the tools are" << tool_names());
      use.output = tool->second->call(space == std::string::npos ? std::string_view()
                                                                 : std::string_view(call).substr(space + 1));
      use.ok = true;
    } catch (const std::exception& error) {  // any failure is an answer the model reads, never a crash
      use.output = error_answer(error);
    }
    if (use.output.size() > limits_.max_output_bytes) use.output.resize(limits_.max_output_bytes);
    row.forced.push_back(chat_.tool_output_start);
    for (int token : encode_what_it_can(use.output)) row.forced.push_back(token);
    row.forced.push_back(chat_.tool_output_end);
    reply.tool_uses.push_back(std::move(use));
  }

  /// The answer's tokens. A character the tokenizer cannot encode (a character-level
  /// vocabulary without it, a byte that is not UTF-8) is left out, never an exception.
  Tokens encode_what_it_can(const std::string& text) const {
    try {
      return tokenizer_.encode_ordinary(text);
    } catch (const Error&) {
      Tokens tokens;
      for (std::size_t offset = 0; offset < text.size();) {
        char32_t code_point = 0;
        const std::size_t length = std::max<std::size_t>(1, decode_utf8_at(text, offset, code_point));
        try {
          const Tokens character = tokenizer_.encode_ordinary(text.substr(offset, length));
          tokens.insert(tokens.end(), character.begin(), character.end());
        } catch (const Error&) {
        }
        offset += length;
      }
      return tokens;
    }
  }

  std::string tool_names() const {
    std::string names;
    for (const auto& [name, tool] : tools_) names += " " + name;
    return tools_.empty() ? " none" : names;
  }

  const Model& model_;
  const Tokenizer& tokenizer_;
  ChatTokens chat_;
  EngineLimits limits_;
  std::map<std::string, const Tool*> tools_;
};

}  // namespace eigenformer
