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
    EF_CHECK(examples >= 1 && examples <= 25, "examples must be in [1, 25], got " << examples);
    std::string letters = "abcdefghijklmnopqrstuvwxyz";
    for (Index i = 0; i < 26; ++i)
      std::swap(letters[std::size_t(i)], letters[std::size_t(i + rng.uniform_int(26 - i))]);
    Prompt prompt{"", '0', key_in_prompt};
    for (Index i = 0; i < examples; ++i) {
      prompt.text += letters[std::size_t(i)];
      prompt.text += char('0' + rng.uniform_int(10));
      prompt.text += ' ';
    }
    const Index query = key_in_prompt ? rng.uniform_int(examples) : examples;
    prompt.text += letters[std::size_t(query)];
    prompt.answer = key_in_prompt ? prompt.text[std::size_t(3 * query + 1)] : char('0' + rng.uniform_int(10));
    return prompt;
  }
};

}  // namespace eigenformer
