// Conversations as tokens: how a chat model sees a dialogue, and what it learns from it.
//
// A conversation is rendered as one token sequence, with special tokens marking who
// speaks (the layout nanochat and ChatML use):
//   <|bos|> <|user_start|> reverse abc <|user_end|> <|assistant_start|> cba <|assistant_end|>
// An assistant turn may call a tool and read its output before it answers:
//   <|assistant_start|> <|tool_call_start|> 6*7 <|tool_call_end|>
//                       <|tool_output_start|> 42 <|tool_output_end|> it is 42 <|assistant_end|>
// Supervised fine-tuning trains only what the assistant must produce: its text, its
// tool calls and the end of its turn (trained[i] = 1). The user's words, the tool's
// output and the markers the program inserts are context, never targets: a model
// trained on them would learn to imitate the user, or to invent tool results.
// Every message is encoded with encode_ordinary, so a user typing "<|assistant_end|>"
// gets those characters, never the token.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/error.hpp"

namespace eigenformer {

/// The special tokens of a conversation, by their texts, in the order they are registered.
inline constexpr std::array<const char*, 9> kChatTokenTexts = {"<|bos|>",
                                                               "<|user_start|>",
                                                               "<|user_end|>",
                                                               "<|assistant_start|>",
                                                               "<|assistant_end|>",
                                                               "<|tool_call_start|>",
                                                               "<|tool_call_end|>",
                                                               "<|tool_output_start|>",
                                                               "<|tool_output_end|>"};

/// The ids of a tokenizer's chat tokens.
struct ChatTokens {
  int bos = -1, user_start = -1, user_end = -1, assistant_start = -1, assistant_end = -1, tool_call_start = -1,
      tool_call_end = -1, tool_output_start = -1, tool_output_end = -1;

  /// Registers the nine chat tokens in a tokenizer that has none yet.
  template <class Tokenizer>
  static ChatTokens add_to(Tokenizer& tokenizer) {
    for (const char* text : kChatTokenTexts) tokenizer.add_special_token(text);
    return of(tokenizer);
  }

  /// Looks up the chat tokens of a tokenizer (a named error if one is missing).
  template <class Tokenizer>
  static ChatTokens of(const Tokenizer& tokenizer) {
    std::array<int, kChatTokenTexts.size()> ids{};
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = tokenizer.special_token_id(kChatTokenTexts[i]);
    return {ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ids[8]};
  }
};

enum class Role { kUser, kAssistant, kToolCall, kToolOutput };

struct Message {
  Role role;
  std::string text;
};

using Conversation = std::vector<Message>;

/// A rendered conversation: ids (N,), and trained (N,): 1 where the id is one the
/// model must learn to produce (so position i - 1 is trained to predict it).
struct RenderedConversation {
  Tokens ids;
  std::vector<unsigned char> trained;
};

/// Renders a conversation: <|bos|>, then each message in its markers. Assistant text and
/// tool calls share one assistant turn until the next user message, which closes it with
/// <|assistant_end|>, as does the end of the conversation. A tool output must follow a
/// tool call. A conversation of more than max_tokens tokens is refused, its length named
/// (it would otherwise be cut mid-answer, teaching the model to stop early).
template <class Tokenizer>
RenderedConversation render_conversation(const Tokenizer& tokenizer, const Conversation& conversation,
                                         Index max_tokens) {
  const ChatTokens chat = ChatTokens::of(tokenizer);
  RenderedConversation out;
  const auto add = [&](int id, bool trained) {
    out.ids.push_back(id);
    out.trained.push_back(trained ? 1 : 0);
  };
  const auto add_text = [&](const std::string& text, bool trained) {
    for (int id : tokenizer.encode_ordinary(text)) add(id, trained);
  };
  const auto add_marked = [&](int start, const std::string& text, int end, bool trained) {
    add(start, trained);
    add_text(text, trained);
    add(end, trained);
  };
  add(chat.bos, false);
  bool in_assistant_turn = false, after_tool_call = false;
  for (std::size_t m = 0; m < conversation.size(); ++m) {
    const Message& message = conversation[m];
    const bool user = message.role == Role::kUser;
    if (user && in_assistant_turn) add(chat.assistant_end, true);
    if (!user && !in_assistant_turn) add(chat.assistant_start, false);  // the program opens the turn: not a target
    in_assistant_turn = !user;
    switch (message.role) {
      case Role::kUser:
        add_marked(chat.user_start, message.text, chat.user_end, false);
        break;
      case Role::kAssistant:
        add_text(message.text, true);
        break;
      case Role::kToolCall:
        add_marked(chat.tool_call_start, message.text, chat.tool_call_end, true);
        break;
      case Role::kToolOutput:  // written by the tool, not the model
        EF_CHECK(after_tool_call, "message " << m << " is a tool output that follows no tool call");
        add_marked(chat.tool_output_start, message.text, chat.tool_output_end, false);
        break;
    }
    after_tool_call = message.role == Role::kToolCall;
  }
  if (in_assistant_turn) add(chat.assistant_end, true);
  EF_CHECK(Index(out.ids.size()) <= max_tokens,
           "the conversation renders to " << out.ids.size() << " tokens, more than the " << max_tokens << " allowed");
  return out;
}

/// The prompt for the assistant's next turn: a conversation that ends with a user
/// message, rendered, and <|assistant_start|>. Complete it up to <|assistant_end|>.
template <class Tokenizer>
Tokens render_prompt(const Tokenizer& tokenizer, const Conversation& conversation, Index max_tokens) {
  EF_CHECK(!conversation.empty() && conversation.back().role == Role::kUser,
           "a prompt must end with a user message for the assistant to answer");
  Tokens ids = render_conversation(tokenizer, conversation, max_tokens - 1).ids;
  ids.push_back(ChatTokens::of(tokenizer).assistant_start);
  return ids;
}

/// Packs rendered conversations into one (B, T) batch, in order: each row takes whole
/// conversations while they fit in T + 1 tokens, and the rest of the row is padding
/// (`pad`, target -1). Targets are the next ids where trained, -1 elsewhere.
/// A conversation longer than T + 1 is a named error; one that does not fit the
/// batch's rows is left out, and the count of those packed is returned.
inline Index pack_conversations(const std::vector<RenderedConversation>& conversations, Index batch_size, Index time,
                                int pad, Batch& batch) {
  batch = Batch{{}, {}, batch_size, time};
  std::size_t next = 0;
  for (Index b = 0; b < batch_size; ++b) {
    Tokens ids;
    std::vector<unsigned char> trained;
    while (next < conversations.size()) {
      const RenderedConversation& c = conversations[next];
      EF_CHECK(Index(c.ids.size()) <= time + 1,
               "conversation " << next << " has " << c.ids.size() << " tokens, more than a row of " << time + 1);
      if (Index(ids.size() + c.ids.size()) > time + 1) break;
      ids.insert(ids.end(), c.ids.begin(), c.ids.end());
      trained.insert(trained.end(), c.trained.begin(), c.trained.end());
      ++next;
    }
    ids.resize(std::size_t(time + 1), pad);
    trained.resize(std::size_t(time + 1), 0);
    for (Index t = 0; t < time; ++t) {
      batch.tokens.push_back(ids[std::size_t(t)]);
      batch.targets.push_back(trained[std::size_t(t + 1)] ? ids[std::size_t(t + 1)] : -1);
    }
  }
  return Index(next);
}

}  // namespace eigenformer
