// Exact arithmetic beyond a small model, asked the many ways people ask it.
//
// A problem is two operands and one of the calculator's four operations; the question
// is written in one of several forms, and the call a tool model must write is always
// the same normalised expression:
//   "12+34567", "12 + 34567", "what is 12 plus 34567?", "add 12 and 34567"  ->  calculator 12+34567
//   "subtract 34567 from 12"  ->  calculator 12-34567   (the words reverse the operands)
// Operands have 1 to 5 digits, drawn independently (a 2-digit plus a 5-digit number is
// an ordinary question). A quotient is always whole: a = b * q is drawn from b and q.
// A model of 150K parameters does not learn to compute these answers in its weights
// (every digit of a sum depends on carries across the whole number); it can learn to
// map the question onto a calculator call and copy the answer back (Schick et al.,
// 2023, "Toolformer").
//
// What is held out, so that a score can fail where the skill is narrower than claimed:
//   problems: those with (a + 7 b) mod 10 = 0 are drawn only for evaluation;
//   pairs:    "what is" is trained with plus and minus only, "how much is" with times and
//             "divided by" only; the other four pairings are asked only in evaluation
//             (each word and each frame was trained, never together);
//   words:    "the sum of A and B" (sum, difference, product, quotient) never appears in
//             training: nothing the model ever read tells it what these words mean;
//   length:   operands of 6 digits, one digit longer than any trained.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/text/chat_format.hpp"
#include "eigenformer/tools/calculator.hpp"

namespace eigenformer {

enum class Operation { kAdd, kSubtract, kMultiply, kDivide };
inline constexpr std::array<Operation, 4> kOperations = {Operation::kAdd, Operation::kSubtract, Operation::kMultiply,
                                                         Operation::kDivide};

enum class ProblemSplit { kTrain, kHeldOut };

/// The ways a question is written. The last is never trained (see the header).
enum class QuestionForm { kCompact, kSpaced, kWhatIs, kHowMuchIs, kVerb, kNoun };
inline constexpr std::array<QuestionForm, 6> kQuestionForms = {QuestionForm::kCompact, QuestionForm::kSpaced,
                                                               QuestionForm::kWhatIs,  QuestionForm::kHowMuchIs,
                                                               QuestionForm::kVerb,    QuestionForm::kNoun};

/// "add", "subtract", "multiply", "divide".
inline const char* name_of(Operation operation) {
  static constexpr std::array<const char*, 4> names = {"add", "subtract", "multiply", "divide"};
  return names[std::size_t(operation)];
}

inline const char* name_of(QuestionForm form) {
  static constexpr std::array<const char*, 6> names = {"compact", "spaced", "what is", "how much is", "verb", "noun"};
  return names[std::size_t(form)];
}

/// Whether tuning ever asks `operation` in `form` (the held-out pairs and words are not).
inline bool trained_on(QuestionForm form, Operation operation) {
  const bool adds = operation == Operation::kAdd || operation == Operation::kSubtract;
  switch (form) {
    case QuestionForm::kWhatIs:
      return adds;
    case QuestionForm::kHowMuchIs:
      return !adds;
    case QuestionForm::kNoun:
      return false;
    default:
      return true;
  }
}

struct ArithmeticProblem {
  Operation operation = Operation::kAdd;
  std::int64_t a = 0, b = 0;

  /// What a tool model writes after "calculator ": "12+34567".
  std::string expression() const { return std::to_string(a) + "+-*/"[std::size_t(operation)] + std::to_string(b); }

  /// The exact answer: the calculator's own ("34579", "-34555"), so the lesson grades by the
  /// tool it teaches. Division by zero or an overflow is the calculator's named error.
  std::string answer() const { return Calculator::evaluate(expression()); }

  /// The question in `form`: "what is 12 plus 34567?".
  std::string question(QuestionForm form) const {
    const std::string x = std::to_string(a), y = std::to_string(b);
    static constexpr std::array<const char*, 4> symbols = {"+", "-", "*", "/"},
                                                words = {"plus", "minus", "times", "divided by"},
                                                nouns = {"sum", "difference", "product", "quotient"};
    const std::size_t op = std::size_t(operation);
    switch (form) {
      case QuestionForm::kCompact:
        return x + symbols[op] + y;
      case QuestionForm::kSpaced:
        return x + " " + symbols[op] + " " + y;
      case QuestionForm::kWhatIs:
        return "what is " + x + " " + words[op] + " " + y + "?";
      case QuestionForm::kHowMuchIs:
        return "how much is " + x + " " + words[op] + " " + y + "?";
      case QuestionForm::kVerb:
        switch (operation) {
          case Operation::kAdd:
            return "add " + x + " and " + y;
          case Operation::kSubtract:
            return "subtract " + y + " from " + x;
          case Operation::kMultiply:
            return "multiply " + x + " by " + y;
          case Operation::kDivide:
            return "divide " + x + " by " + y;
        }
        break;
      case QuestionForm::kNoun:
        return std::string("the ") + nouns[op] + " of " + x + " and " + y;
    }
    return {};
  }
};

/// A random number of exactly `digits` digits (0 to 9 for one digit).
inline std::int64_t random_number(Index digits, Rng& rng) {
  std::int64_t low = 1;
  for (Index d = 1; d < digits; ++d) low *= 10;
  return digits == 1 ? rng.uniform_int(10) : low + rng.uniform_int(9 * low);
}

/// A random problem of the split whose operands (for division: the divisor and the
/// quotient) have between min_digits and max_digits digits each, drawn independently.
inline ArithmeticProblem random_problem(Operation operation, ProblemSplit split, Rng& rng, Index min_digits = 1,
                                        Index max_digits = 5) {
  EF_CHECK(min_digits >= 1 && min_digits <= max_digits && max_digits <= 9,
           "operand digits must satisfy 1 <= min <= max <= 9, got " << min_digits << " and " << max_digits);
  const auto digits = [&] { return min_digits + rng.uniform_int(max_digits - min_digits + 1); };
  for (;;) {
    ArithmeticProblem p{operation, random_number(digits(), rng), random_number(digits(), rng)};
    if (operation == Operation::kDivide) {
      if (p.b == 0) continue;
      p.a *= p.b;  // a drew the quotient: a = b * q is whole
    }
    const bool held_out = (p.a + 7 * p.b) % 10 == 0;
    if (held_out == (split == ProblemSplit::kHeldOut)) return p;
  }
}

/// A form tuning asks `operation` in, at random.
inline QuestionForm random_trained_form(Operation operation, Rng& rng) {
  for (;;) {
    const QuestionForm form = kQuestionForms[std::size_t(rng.uniform_int(Index(kQuestionForms.size())))];
    if (trained_on(form, operation)) return form;
  }
}

/// A number of `text`'s shape (its sign kept, the first digit not 0) written with three
/// random digits: a tool output the model cannot guess, only copy. With three digits,
/// digits repeat, as the 2s of 123420 do: copying by "find the digit just written, take
/// the one after" fails at the second 2, and only the digit before tells which comes next
/// (an induction head's two-token match). With all ten digits, repeats were rarer and the
/// model learned that match late, at a step that varied with the seed from ~500 to ~2,020.
inline std::string random_answer_like(const std::string& text, Rng& rng) {
  const char digits[3] = {char('1' + rng.uniform_int(9)), char('0' + rng.uniform_int(10)),
                          char('0' + rng.uniform_int(10))};
  std::string shown = text;
  bool first = true;
  for (char& c : shown) {
    if (c < '0' || c > '9') continue;
    c = digits[first ? 0 : rng.uniform_int(3)];
    first = false;
  }
  return shown;
}

/// The question answered directly: user "what is 12 plus 34567?", assistant "34579".
inline Conversation answered_directly(const std::string& question, const ArithmeticProblem& problem) {
  return {{Role::kUser, question}, {Role::kAssistant, problem.answer()}};
}

/// The question answered with the calculator: a call "calculator 12+34567", the tool's
/// output `shown`, and the assistant's answer, which copies it.
inline Conversation answered_with_calculator(const std::string& question, const ArithmeticProblem& problem,
                                             const std::string& shown) {
  return {{Role::kUser, question},
          {Role::kToolCall, "calculator " + problem.expression()},
          {Role::kToolOutput, shown},
          {Role::kAssistant, shown}};
}

/// A training conversation for a tool model: a random operation, a trained form, a
/// training problem; half the outputs shown are random (random_answer_like), so that
/// copying the tool, not computing, is what is learned. Shown only true answers, the
/// model also half-learns to compute them, and its own guesses compete with the copy
/// (measured: 0.81 on held-out products instead of 1.00).
inline Conversation calculator_training_conversation(Rng& rng) {
  const Operation operation = kOperations[std::size_t(rng.uniform_int(4))];
  const ArithmeticProblem problem = random_problem(operation, ProblemSplit::kTrain, rng);
  const std::string question = problem.question(random_trained_form(operation, rng));
  const std::string answer = problem.answer();
  return answered_with_calculator(question, problem,
                                  rng.uniform_int(2) == 0 ? answer : random_answer_like(answer, rng));
}

}  // namespace eigenformer
