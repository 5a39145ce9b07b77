#include <eigenformer/analysis/text_similarity.hpp>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("leading_words_matched: words from the first, punctuation included, stopping at the first difference") {
  const std::string verse = "In the beginning God created the heaven and the earth.";
  CHECK(leading_words_matched(verse, verse) == 10);
  CHECK(leading_words_matched("In the beginning was the Word", verse) == 3);
  CHECK(leading_words_matched("In  the   beginning", verse) == 3);  // spaces are separators, not words
  CHECK(leading_words_matched("In the beginning God created the heaven and the earth,", verse) == 9);
  CHECK(leading_words_matched("And the beginning", verse) == 0);
  CHECK(leading_words_matched("", verse) == 0);
}

TEST_CASE("edit_distance and character_similarity: the textbook cases and a bound on the work") {
  CHECK(edit_distance("kitten", "sitting") == 3);  // two substitutions and an insertion
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("flaw", "lawn") == 2);
  CHECK(edit_distance("same", "same") == 0);
  CHECK(character_similarity("kitten", "sitting") == doctest::Approx(1.0 - 3.0 / 7.0));
  CHECK(character_similarity("", "") == 1.0);
  CHECK(character_similarity("abc", "xyz") == 0.0);
  const std::string long_text(100001, 'a');
  testing::require_error_mentions([&] { (void)edit_distance(long_text, "a"); }, {"100,000 bytes", "100001"});
}
