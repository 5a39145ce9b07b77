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
//
// Index hints (Zhou et al., 2024, "Transformers Can Achieve Length Generalization But
// Not Robustly", arXiv:2402.09371) put a letter before every digit naming its column:
//   123+456=  ->  e1d2c3+e4d5c6=        (column letters from a random start, here c)
// and the answers name their columns too ("f0e5d7c9$", "c3+6+0=09,...|f0e5d7c9$"). To
// find column c's digits the model then looks for the letter c, a match by content,
// instead of counting positions from the '=': the one way of finding them that works
// the same in a sum longer than any trained. The letters start anywhere in a..l, so
// every letter and every step from one letter to the next occurs in short sums too.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/text/char_tokenizer.hpp"

namespace eigenformer {

enum class AnswerFormat { kPlain, kReversed, kScratchpad };
enum class IndexHints { kNone, kLetters };

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
  Index first_hint = 0;  // with index hints: the units column's letter, 0 for 'a'
};

class AdditionTask {
 public:
  static constexpr std::string_view kAlphabet = "$+,0123456789=|abcdefghijkl";  // '$' ends an answer
  static constexpr std::string_view kHintLetters = "abcdefghijkl";
  static constexpr char kEnd = '$';

  AdditionTask(Index digits, AnswerFormat format, IndexHints hints = IndexHints::kNone)
      : digits_(digits), format_(format), hints_(hints) {
    EF_CHECK(digits >= 1 && digits <= 15, "digits must be in [1, 15], got " << digits);
    EF_CHECK(hints == IndexHints::kNone || digits + 1 <= Index(kHintLetters.size()),
             "index hints name at most " << kHintLetters.size() << " columns: " << digits
                                         << " digits and the carry need " << digits + 1);
  }

  Index digits() const { return digits_; }
  AnswerFormat format() const { return format_; }
  IndexHints hints() const { return hints_; }
  static const CharTokenizer& tokenizer() {
    static const CharTokenizer characters = CharTokenizer::from_text(kAlphabet);
    return characters;
  }

  /// Two operands with `digits` digits each (leading zeros allowed): uniform in [0, 10^digits);
  /// with hints, the units column's letter uniform over the starts that leave room for the carry.
  AdditionProblem random_problem(Rng& rng) const {
    const long long limit = power_of_ten(digits_);
    const long long a = rng.uniform_int(limit), b = rng.uniform_int(limit);
    return with_random_hints({a, b}, rng);
  }

  /// The same sum with its column letters drawn afresh (no letters without hints).
  AdditionProblem with_random_hints(AdditionProblem p, Rng& rng) const {
    p.first_hint = hints_ == IndexHints::kLetters ? rng.uniform_int(last_first_hint() + 1) : 0;
    return p;
  }

  /// "123+456=", or with hints "e1d2c3+e4d5c6="
  std::string prompt(const AdditionProblem& p) const {
    check(p);
    return hinted(padded(p.a, digits_), p.first_hint) + "+" + hinted(padded(p.b, digits_), p.first_hint) + "=";
  }

  /// What the model must write after the prompt, end marker included.
  std::string answer(const AdditionProblem& p) const {
    check(p);
    const std::string sum = hinted(padded(p.a + p.b, digits_ + 1), p.first_hint);
    switch (format_) {
      case AnswerFormat::kPlain:
        return sum + kEnd;
      case AnswerFormat::kReversed: {                                 // column by column: "f1e0d7c9" -> "c9d7e0f1"
        const Index column = hints_ == IndexHints::kLetters ? 2 : 1;  // characters per column
        std::string reversed;
        for (Index i = Index(sum.size()) - column; i >= 0; i -= column)
          reversed += sum.substr(std::size_t(i), std::size_t(column));
        return reversed + kEnd;
      }
      case AnswerFormat::kScratchpad:
        return scratchpad(p) + "|" + sum + kEnd;
    }
    return "";
  }

  /// The sum a completion states, or nothing if it is malformed (no end marker, a
  /// character out of place, the wrong number of digits). The scratchpad's steps are
  /// not graded: only the answer after '|' is. Hint letters are not graded either: the
  /// sum is read from the digits between them.
  std::optional<long long> parse(std::string_view completion) const {
    const auto end = completion.find(kEnd);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view answer = completion.substr(0, end);
    if (format_ == AnswerFormat::kScratchpad) {
      const auto bar = answer.rfind('|');
      if (bar == std::string_view::npos) return std::nullopt;
      answer = answer.substr(bar + 1);
    }
    std::string digits;
    for (std::size_t i = 0; i < answer.size(); ++i) {
      const bool letter_place = hints_ == IndexHints::kLetters && i % 2 == 0;  // hinted: letter, digit, ...
      if (!letter_place)
        digits += answer[i];
      else if (kHintLetters.find(answer[i]) == std::string_view::npos)
        return std::nullopt;
    }
    if ((hints_ == IndexHints::kLetters && answer.size() % 2 != 0) || Index(digits.size()) != digits_ + 1 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    std::string ordered(digits);
    if (format_ == AnswerFormat::kReversed) std::reverse(ordered.begin(), ordered.end());
    return std::stoll(ordered);
  }

  /// One problem as next-token pairs: the prompt and answer minus their last token, and
  /// the token after each position. Targets are -1 inside the prompt: the loss is on the
  /// answer only, the part the model must produce.
  Batch row(const AdditionProblem& p) const {
    const Tokens prompt_tokens = tokenizer().encode(prompt(p)), answer_tokens = tokenizer().encode(answer(p));
    Tokens tokens = prompt_tokens;
    tokens.insert(tokens.end(), answer_tokens.begin(), answer_tokens.end());
    Batch row{{}, {}, 1, Index(tokens.size()) - 1};
    for (Index t = 0; t < row.time; ++t) {
      row.tokens.push_back(tokens[std::size_t(t)]);
      row.targets.push_back(t + 1 >= Index(prompt_tokens.size()) ? tokens[std::size_t(t + 1)] : -1);
    }
    return row;
  }

  /// A batch of problems as (B, T) next-token pairs, T = the prompt and answer length
  /// minus one (the same for every problem of this task).
  Batch batch(const std::vector<AdditionProblem>& problems) const {
    EF_CHECK(!problems.empty(), "a batch needs at least one problem");
    std::vector<Batch> rows;
    rows.reserve(problems.size());
    for (const AdditionProblem& p : problems) rows.push_back(row(p));
    return stacked_rows(rows);
  }

  /// Rows of any lengths (problems of several digit counts) as one (B, T) batch, T the
  /// longest: shorter rows are padded at the end with the end marker and target -1.
  /// Causal attention keeps the padding out of every real position's view, so a row
  /// trains exactly as it would alone.
  static Batch stacked_rows(const std::vector<Batch>& rows) {
    EF_CHECK(!rows.empty(), "a batch needs at least one row");
    Batch batch{{}, {}, Index(rows.size()), 0};
    for (const Batch& row : rows) batch.time = std::max(batch.time, row.time);
    const int end = tokenizer().encode(std::string(1, kEnd))[0];
    for (const Batch& row : rows) {
      EF_CHECK(row.batch == 1, "stacked_rows takes one problem per row, got " << row.batch);
      EF_CHECK(Index(row.tokens.size()) == row.time && Index(row.targets.size()) == row.time,
               "a row of time " << row.time << " has " << row.tokens.size() << " tokens and " << row.targets.size()
                                << " targets");
      batch.tokens.insert(batch.tokens.end(), row.tokens.begin(), row.tokens.end());
      batch.targets.insert(batch.targets.end(), row.targets.begin(), row.targets.end());
      batch.tokens.insert(batch.tokens.end(), std::size_t(batch.time - row.time), end);
      batch.targets.insert(batch.targets.end(), std::size_t(batch.time - row.time), -1);
    }
    return batch;
  }

 private:
  /// Operands must have at most `digits` digits: a wider one would change the length
  /// of every row it is batched with. With hints, every column must have a letter.
  void check(const AdditionProblem& p) const {
    const long long limit = power_of_ten(digits_);
    EF_CHECK(p.a >= 0 && p.a < limit && p.b >= 0 && p.b < limit,
             p.a << "+" << p.b << " has an operand outside [0, " << limit << ") for a " << digits_ << "-digit task");
    EF_CHECK(p.first_hint >= 0 && p.first_hint <= last_first_hint(), "first_hint " << p.first_hint << " is outside [0, "
                                                                                   << last_first_hint() << "] for a "
                                                                                   << digits_ << "-digit task");
  }

  /// The last letter the units column can take: the carry's column needs one more.
  Index last_first_hint() const {
    return hints_ == IndexHints::kLetters ? Index(kHintLetters.size()) - digits_ - 1 : 0;
  }

  /// The column's letter, column 0 the units.
  char hint(Index first_hint, Index column) const { return kHintLetters[std::size_t(first_hint + column)]; }

  /// "123" -> "e1d2c3" with hints starting at c; unchanged without hints.
  std::string hinted(const std::string& number, Index first_hint) const {
    if (hints_ == IndexHints::kNone) return number;
    std::string text;
    for (std::size_t i = 0; i < number.size(); ++i) text += {hint(first_hint, Index(number.size() - 1 - i)), number[i]};
    return text;
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
  /// digits and the carry in, then the carry out and the column's sum digit; with hints
  /// each step starts with its column's letter ("c3+6+0=09,").
  std::string scratchpad(const AdditionProblem& p) const {
    const std::string a = padded(p.a, digits_), b = padded(p.b, digits_);
    std::string steps;
    int carry = 0;
    for (Index i = digits_ - 1; i >= 0; --i) {
      const int x = a[std::size_t(i)] - '0', y = b[std::size_t(i)] - '0', total = x + y + carry;
      if (hints_ == IndexHints::kLetters) steps += hint(p.first_hint, digits_ - 1 - i);
      steps += {char('0' + x),          '+', char('0' + y), '+', char('0' + carry), '=', char('0' + total / 10),
                char('0' + total % 10), ','};
      carry = total / 10;
    }
    return steps;
  }

  Index digits_;
  AnswerFormat format_;
  IndexHints hints_;
};

}  // namespace eigenformer
