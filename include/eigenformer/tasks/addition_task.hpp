// Multi-digit addition written three ways: does the form of the answer decide whether
// a small transformer can learn it? (Lee et al., 2023, "Teaching Arithmetic to Small
// Transformers", arXiv:2307.03381.)
//
// The prompt is "a+b=" with both operands zero-padded to `digits`; the answer has
// digits + 1 digits (a leading 0 when there is no final carry) and ends with '$':
//   plain       123+456=0579$            most significant digit first
//   reversed    123+456=9750$            least significant digit first
//   scratchpad  123+456=3+6+0=09,2+5+0=07,1+4+0=05,|0579$
// Written most significant first, the model must produce the first digit before it
// has worked out the carries that decide it: each digit depends on every digit to
// its right. Reversed, each digit depends on the two digits of its column and one
// carry from the step it just wrote. The scratchpad writes that step out ("digit of
// a + digit of b + carry in = carry out, sum digit"), then the answer: one step of
// reasoning per token group, each easy, and the answer copied from the steps.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/text/char_tokenizer.hpp"

namespace eigenformer {

enum class AnswerFormat { kPlain, kReversed, kScratchpad };

inline const char* name_of(AnswerFormat format) {
  switch (format) {
    case AnswerFormat::kPlain:
      return "plain";
    case AnswerFormat::kReversed:
      return "reversed";
    case AnswerFormat::kScratchpad:
      return "scratchpad";
  }
  return "?";
}

struct AdditionProblem {
  long long a = 0, b = 0;
};

class AdditionTask {
 public:
  static constexpr std::string_view kAlphabet = "$+,0123456789=|";  // '$' ends an answer
  static constexpr char kEnd = '$';

  AdditionTask(Index digits, AnswerFormat format) : digits_(digits), format_(format) {
    EF_CHECK(digits >= 1 && digits <= 15, "digits must be in [1, 15], got " << digits);
  }

  Index digits() const { return digits_; }
  AnswerFormat format() const { return format_; }
  static const CharTokenizer& tokenizer() {
    static const CharTokenizer characters = CharTokenizer::from_text(kAlphabet);
    return characters;
  }

  /// Two operands with `digits` digits each (leading zeros allowed): uniform in [0, 10^digits).
  AdditionProblem random_problem(Rng& rng) const {
    const long long limit = power_of_ten(digits_);
    return {rng.uniform_int(limit), rng.uniform_int(limit)};
  }

  /// "123+456="
  std::string prompt(const AdditionProblem& p) const {
    check(p);
    return padded(p.a, digits_) + "+" + padded(p.b, digits_) + "=";
  }

  /// What the model must write after the prompt, end marker included.
  std::string answer(const AdditionProblem& p) const {
    check(p);
    const std::string sum = padded(p.a + p.b, digits_ + 1);
    switch (format_) {
      case AnswerFormat::kPlain:
        return sum + kEnd;
      case AnswerFormat::kReversed:
        return std::string(sum.rbegin(), sum.rend()) + kEnd;
      case AnswerFormat::kScratchpad:
        return scratchpad(p) + "|" + sum + kEnd;
    }
    return "";
  }

  /// The sum a completion states, or nothing if it is malformed (no end marker, a
  /// character out of place, the wrong number of digits). The scratchpad's steps are
  /// not graded: only the answer after '|' is.
  std::optional<long long> parse(std::string_view completion) const {
    const auto end = completion.find(kEnd);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view digits = completion.substr(0, end);
    if (format_ == AnswerFormat::kScratchpad) {
      const auto bar = digits.rfind('|');
      if (bar == std::string_view::npos) return std::nullopt;
      digits = digits.substr(bar + 1);
    }
    if (Index(digits.size()) != digits_ + 1 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    std::string ordered(digits);
    if (format_ == AnswerFormat::kReversed) std::reverse(ordered.begin(), ordered.end());
    return std::stoll(ordered);
  }

  /// A batch of problems as (B, T) next-token pairs, T = the prompt and answer length
  /// minus one (the same for every problem of this task). Targets are -1 inside the
  /// prompt: the loss is on the answer only, the part the model must produce.
  Batch batch(const std::vector<AdditionProblem>& problems) const {
    EF_CHECK(!problems.empty(), "a batch needs at least one problem");
    const Index time = Index(prompt(problems[0]).size() + answer(problems[0]).size()) - 1;
    Batch batch{{}, {}, Index(problems.size()), time};
    for (const AdditionProblem& p : problems) {
      const Tokens prompt_tokens = tokenizer().encode(prompt(p));
      Tokens tokens = prompt_tokens;
      const Tokens answer_tokens = tokenizer().encode(answer(p));
      tokens.insert(tokens.end(), answer_tokens.begin(), answer_tokens.end());
      for (Index t = 0; t < time; ++t) {
        batch.tokens.push_back(tokens[std::size_t(t)]);
        batch.targets.push_back(t + 1 >= Index(prompt_tokens.size()) ? tokens[std::size_t(t + 1)] : -1);
      }
    }
    return batch;
  }

 private:
  /// Operands must have at most `digits` digits: a wider one would change the length
  /// of every row it is batched with.
  void check(const AdditionProblem& p) const {
    const long long limit = power_of_ten(digits_);
    EF_CHECK(p.a >= 0 && p.a < limit && p.b >= 0 && p.b < limit,
             p.a << "+" << p.b << " has an operand outside [0, " << limit << ") for a " << digits_ << "-digit task");
  }

  static long long power_of_ten(Index n) {
    long long value = 1;
    for (Index i = 0; i < n; ++i) value *= 10;
    return value;
  }

  static std::string padded(long long value, Index width) {
    std::string text = std::to_string(value);
    return std::string(std::size_t(std::max<Index>(0, width - Index(text.size()))), '0') + text;
  }

  /// "3+6+0=09,2+5+0=07,1+4+0=05,": per column, least significant first, the two
  /// digits and the carry in, then the carry out and the column's sum digit.
  std::string scratchpad(const AdditionProblem& p) const {
    const std::string a = padded(p.a, digits_), b = padded(p.b, digits_);
    std::string steps;
    int carry = 0;
    for (Index i = digits_ - 1; i >= 0; --i) {
      const int x = a[std::size_t(i)] - '0', y = b[std::size_t(i)] - '0', total = x + y + carry;
      steps += {char('0' + x),          '+', char('0' + y), '+', char('0' + carry), '=', char('0' + total / 10),
                char('0' + total % 10), ','};
      carry = total / 10;
    }
    return steps;
  }

  Index digits_;
  AnswerFormat format_;
};

}  // namespace eigenformer
