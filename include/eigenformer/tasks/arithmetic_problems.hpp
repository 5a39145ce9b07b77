// Exact arithmetic beyond a small model: five-digit sums and three-digit products,
// written as a user asks them ("12345+67890") with their exact answers ("80235").
// A model of 150K parameters trained on a few thousand of them does not learn to
// answer them (every digit depends on carries across the whole number); it does learn
// to copy the question into a calculator call and the calculator's answer into its
// reply (Schick et al., 2023, "Toolformer").
// A tenth of all problems is held out: those with (a + 7 b) mod 10 = 0 are drawn only
// for evaluation, never for training, so no score is memory.
#pragma once

#include <string>

#include "eigenformer/core/rng.hpp"
#include "eigenformer/text/chat_format.hpp"

namespace eigenformer {

enum class Operation { kAdd, kMultiply };
enum class ProblemSplit { kTrain, kHeldOut };

struct ArithmeticProblem {
  std::string question, answer;
};

/// "add" or "multiply".
inline const char* name_of(Operation operation) { return operation == Operation::kAdd ? "add" : "multiply"; }

/// A random problem of the split: a + b with a, b in [10000, 99999], or a * b with a, b in [100, 999].
inline ArithmeticProblem random_problem(Operation operation, ProblemSplit split, Rng& rng) {
  const bool add = operation == Operation::kAdd;
  const std::int64_t low = add ? 10000 : 100, high = add ? 99999 : 999;
  for (;;) {
    const std::int64_t a = low + rng.uniform_int(high - low + 1), b = low + rng.uniform_int(high - low + 1);
    const bool held_out = (a + 7 * b) % 10 == 0;
    if (held_out != (split == ProblemSplit::kHeldOut)) continue;
    return {std::to_string(a) + (add ? "+" : "*") + std::to_string(b), std::to_string(add ? a + b : a * b)};
  }
}

/// The problem with its answer replaced by a random number of the same length (the
/// first digit not 0): a tool's output the model cannot guess, only copy. It is written
/// with three digits, so that digits repeat, as the 2s of 123420 do: copying it by "find
/// the digit just written, take the one after" fails at the second 2, and only the digit
/// before tells which comes next (an induction head's two-token match). With all ten
/// digits, repeats were rarer and the model learned that match late, at a step that
/// varied with the seed from ~500 to ~2,020 (some runs ended before it).
inline ArithmeticProblem with_random_answer(ArithmeticProblem problem, Rng& rng) {
  const char digits[3] = {char('1' + rng.uniform_int(9)), char('0' + rng.uniform_int(10)),
                          char('0' + rng.uniform_int(10))};
  for (std::size_t i = 0; i < problem.answer.size(); ++i) problem.answer[i] = digits[i == 0 ? 0 : rng.uniform_int(3)];
  return problem;
}

/// The problem asked and answered directly: user "12345+67890", assistant "80235".
inline Conversation answered_directly(const ArithmeticProblem& problem) {
  return {{Role::kUser, problem.question}, {Role::kAssistant, problem.answer}};
}

/// The problem asked and answered with the calculator: a call "calculator 12345+67890",
/// the tool's output "80235", then the assistant's answer "80235".
inline Conversation answered_with_calculator(const ArithmeticProblem& problem) {
  return {{Role::kUser, problem.question},
          {Role::kToolCall, "calculator " + problem.question},
          {Role::kToolOutput, problem.answer},
          {Role::kAssistant, problem.answer}};
}

}  // namespace eigenformer
