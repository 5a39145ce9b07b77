#include <eigenformer/tasks/bible_questions.hpp>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("fathers_named: 'SON the son of FATHER' where both are names, for sons with one father") {
  const std::vector<Verse> verses{
      {"Joshua", 1, 1, "the LORD spake unto Joshua the son of Nun, Moses' minister, saying,"},
      {"Joshua", 1, 2, "And the son of Nun went forth; and the son of man was there."},  // "And", "man": not names
      {"1 Kings", 2, 3, "Azariah the son of Zadok the priest,"},
      {"2 Kings", 4, 5, "Azariah the son of Amaziah reigned."},  // Azariah has two fathers: not asked
      {"Jonah", 1, 1, "Now the word of the LORD came unto Jonah the son of Amittai, saying,"},
      {"Jonah", 1, 2, "and he went down to Joppa, and it came to pass."}};
  const std::vector<Fatherhood> fathers = fathers_named(verses);
  REQUIRE(fathers.size() == 2);
  CHECK(fathers[0].son == "Jonah");
  CHECK(fathers[0].father == "Amittai");
  CHECK(fathers[0].reference == "Jonah 1:1");
  CHECK(fathers[0].only_in_held_out_books);
  CHECK(fathers[1].son == "Joshua");
  CHECK(fathers[1].father == "Nun");
  CHECK(fathers[1].reference == "Joshua 1:1");
  CHECK_FALSE(fathers[1].only_in_held_out_books);
}

TEST_CASE("verses_quotable: only verses whose first eight words no other verse shares") {
  const std::vector<Verse> verses{{"Numbers", 1, 1, "And the LORD spake unto Moses in the wilderness of Sinai,"},
                                  {"Numbers", 33, 50, "And the LORD spake unto Moses in the plains of Moab"},
                                  {"John", 3, 16, "For God so loved the world, that he gave his only begotten Son,"}};
  const std::vector<const Verse*> quotable = verses_quotable(verses);
  REQUIRE(quotable.size() == 1);
  CHECK(quotable[0]->reference() == "John 3:16");
}

TEST_CASE("question_about: each kind's question and exact answer, in every wording, bad wordings named") {
  const Verse verse{"John", 3, 16, "For God so loved the world, that he gave his only begotten Son,"};
  const BibleQuestion text = question_about(verse, BibleQuestionKind::kVerseText, 0);
  CHECK(text.question == "What does John 3:16 say?");
  CHECK(text.answer == "John 3:16 For God so loved the world, that he gave his only begotten Son,");
  const BibleQuestion reference = question_about(verse, BibleQuestionKind::kReference, 4);
  CHECK(reference.question == "In which verse is \"For God so loved the world, that he\" found?");
  CHECK(reference.answer == "John 3:16");
  const BibleQuestion father = question_about(Fatherhood{"Nun", "Joshua", "Joshua 1:1"}, 3);
  CHECK(father.question == "Whose son was Joshua?");
  CHECK(father.answer == "Nun");
  const Conversation conversation = conversation_of(father);
  REQUIRE(conversation.size() == 2);
  CHECK(conversation[1].role == Role::kAssistant);
  for (const auto& wordings : kBibleWordings)  // every wording has its one slot, and no two are alike
    for (std::size_t i = 0; i < wordings.size(); ++i) {
      CHECK(std::string(wordings[i]).find("{}") != std::string::npos);
      for (std::size_t j = i + 1; j < wordings.size(); ++j) CHECK(std::string(wordings[i]) != wordings[j]);
    }
  testing::require_error_mentions([&] { (void)question_about(verse, BibleQuestionKind::kFather, 0); },
                                  {"its text or its reference", "father"});
  testing::require_error_mentions([&] { (void)question_about(verse, BibleQuestionKind::kReference, 5); },
                                  {"wording 5"});
  testing::require_error_mentions(
      [&] {
        (void)question_about(Fatherhood{"Nun", "Joshua", "Joshua 1:1"}, -1);
      },
      {"got -1"});
}
