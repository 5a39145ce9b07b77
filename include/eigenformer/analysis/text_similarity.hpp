// How close a model's text is to the text it should have written, in two measures a
// reader can check by hand:
// - leading words matched: how many words, from the first, are exactly right (words cut
//   at spaces; punctuation is part of its word, so "earth." and "earth," differ). A model
//   recalling a verse either starts it right or does not.
// - character similarity: 1 - d(a, b) / max(|a|, |b|), where d is the Levenshtein distance
//   (the fewest single-byte insertions, deletions and substitutions that turn a into b;
//   Levenshtein, 1966), computed row by row: d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1,
//   d[i-1][j-1] + (a[i] != b[j])). 1 is identical, 0 shares nothing; partial recall with
//   a wrong word or two scores in between, where the word count would say 0.
#pragma once

#include <algorithm>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

/// The number of words, from the first, that `text` and `reference` share in order.
inline Index leading_words_matched(const std::string& text, const std::string& reference) {
  std::istringstream said(text), truth(reference);
  Index matched = 0;
  for (std::string a, b; said >> a && truth >> b && a == b;) ++matched;
  return matched;
}

/// The Levenshtein distance between two byte strings, in O(|a| |b|) time and O(|b|) memory.
inline Index edit_distance(std::string_view a, std::string_view b) {
  EF_CHECK(a.size() <= 100000 && b.size() <= 100000,
           "edit_distance takes texts up to 100,000 bytes (its time grows as their product), got "
               << a.size() << " and " << b.size());
  std::vector<Index> previous(b.size() + 1), current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), Index(0));  // d[0][j] = j: insert b's first j bytes
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = Index(i);  // d[i][0] = i: delete a's first i bytes
    for (std::size_t j = 1; j <= b.size(); ++j)
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
    std::swap(previous, current);
  }
  return previous[b.size()];
}

/// 1 - edit_distance / the longer length: 1 for equal texts (two empty ones included).
inline double character_similarity(std::string_view a, std::string_view b) {
  const std::size_t longer = std::max(a.size(), b.size());
  return longer == 0 ? 1.0 : 1.0 - double(edit_distance(a, b)) / double(longer);
}

}  // namespace eigenformer
