// Few-shot lookup prompts a person can type:  "a3 b7 c1 b"  ->  "7".
//
// The same skill as repeated sequences, asked in readable characters: the answer is
// whatever followed the query key earlier in the prompt. A model trained only on
// repeated random sequences answers by induction, with no further training.
// Counterfactual prompts ("b9" where another prompt said "b7") check that the answer
// comes from the prompt, not from anything memorized.
// The alphabet maps 64 characters to the token ids 0..63 of such a model.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

class LookupPrompts {
 public:
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ .";

  static Index vocab_size() { return Index(kAlphabet.size()); }

  static Tokens encode(std::string_view text) {
    Tokens tokens;
    for (char c : text) {
      const auto id = kAlphabet.find(c);
      EF_CHECK(id != std::string_view::npos,
               "character '" << c << "' is not in the prompt alphabet \"" << kAlphabet << "\"");
      tokens.push_back(int(id));
    }
    return tokens;
  }

  static std::string decode(const Tokens& tokens) {
    std::string text;
    for (int token : tokens) {
      EF_CHECK(token >= 0 && token < vocab_size(), "token " << token << " is outside the prompt alphabet");
      text += kAlphabet[std::size_t(token)];
    }
    return text;
  }

  struct Prompt {
    std::string text;    // "a3 b7 c1 b"
    char answer;         // '7', or the query's true value when the key is absent
    bool key_in_prompt;  // false: nothing in the prompt tells the answer
  };

  /// `examples` distinct letter-digit pairs, then a query letter: one of them, or
  /// (key_in_prompt = false) a letter that does not appear.
  static Prompt random_prompt(Index examples, bool key_in_prompt, Rng& rng) {
    const auto [letters, digits] = random_pairs(examples, rng);
    const Index query = key_in_prompt ? rng.uniform_int(examples) : examples;
    Prompt prompt{text_of(letters, digits, examples) + letters[std::size_t(query)], '0', key_in_prompt};
    prompt.answer = key_in_prompt ? digits[std::size_t(query)] : char('0' + rng.uniform_int(10));
    return prompt;
  }

  struct ReassignedPrompt {
    std::string text;       // "a3 b7 c1 b9 d2 b"
    char earliest, latest;  // '7', '9': the key's first value and its last
  };

  /// `examples` pairs in which one key is assigned twice, with different digits (the
  /// second time at a random later place), then that key as the query: does the model
  /// answer its earliest value or its latest?
  static ReassignedPrompt reassigned_prompt(Index examples, Rng& rng) {
    EF_CHECK(examples >= 2, "a reassigned key needs at least 2 examples, got " << examples);
    auto [letters, digits] = random_pairs(examples - 1, rng);
    const std::size_t key = std::size_t(rng.uniform_int(examples - 1));
    const std::size_t again = key + 1 + std::size_t(rng.uniform_int(examples - 1 - Index(key)));
    const char earliest = digits[key], latest = char('0' + (earliest - '0' + 1 + rng.uniform_int(9)) % 10);
    letters.insert(letters.begin() + std::ptrdiff_t(again), letters[key]);
    digits.insert(digits.begin() + std::ptrdiff_t(again), latest);
    return {text_of(letters, digits, examples) + letters[key], earliest, latest};
  }

 private:
  /// `count` distinct random letters, each with a random digit.
  static std::pair<std::string, std::string> random_pairs(Index count, Rng& rng) {
    EF_CHECK(count >= 1 && count <= 25, "examples must be in [1, 25], got " << count);
    std::string letters = "abcdefghijklmnopqrstuvwxyz";
    for (Index i = 0; i < 26; ++i)
      std::swap(letters[std::size_t(i)], letters[std::size_t(i + rng.uniform_int(26 - i))]);
    std::string digits;
    for (Index i = 0; i < count; ++i) digits += char('0' + rng.uniform_int(10));
    return {letters.substr(0, std::size_t(count + 1)), digits};  // one spare letter, never in the pairs
  }

  /// "a3 b7 c1 " from the first `count` letters and digits.
  static std::string text_of(const std::string& letters, const std::string& digits, Index count) {
    std::string text;
    for (std::size_t i = 0; i < std::size_t(count); ++i) text += {letters[i], digits[i], ' '};
    return text;
  }
};

}  // namespace eigenformer
