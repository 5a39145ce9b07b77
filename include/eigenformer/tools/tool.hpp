// A tool: something a model calls from inside its own generation, by name, with one
// string, and whose answer it reads before it goes on (Schick et al., 2023, "Toolformer";
// the survey's "augmenting LLMs with external knowledge and tools").
//
// In a conversation the model writes  <|tool_call_start|> calculator 12345+67890 <|tool_call_end|>
// and the engine (model/engine.hpp) answers  <|tool_output_start|> 80235 <|tool_output_end|>.
// A call is the tool's name, one space, and its argument. A tool is plain C++ code the
// program chose to offer: the model picks among those tools and writes their arguments,
// nothing more. It never reaches a shell or an interpreter, and its answer is bounded.
// A tool signals a bad argument by throwing; the engine shows the model the message
// ("error: division by zero"), as it would any answer.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace eigenformer {

class Tool {
 public:
  virtual ~Tool() = default;
  /// The name the model writes to call it: one word, no spaces.
  virtual std::string name() const = 0;
  /// The answer to one call. Throw (any std::exception) to answer with an error message.
  virtual std::string call(std::string_view argument) const = 0;
};

/// What the model reads back from a call that failed: "error: " and the message.
inline std::string error_answer(const std::exception& error) { return std::string("error: ") + error.what(); }

/// What the model reads back from one call: the tool's answer (ok), or its error_answer.
struct ToolAnswer {
  std::string text;
  bool ok = false;
};

/// Calls `tool` with `argument` as the engine does (model/engine.hpp). A training
/// conversation that shows a tool's output builds it here, so the model is trained on
/// exactly what it will read.
inline ToolAnswer answer_of(const Tool& tool, std::string_view argument) {
  try {
    return {tool.call(argument), true};
  } catch (const std::exception& error) {
    return {error_answer(error), false};
  }
}

}  // namespace eigenformer
