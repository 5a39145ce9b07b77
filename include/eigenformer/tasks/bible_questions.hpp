// Questions about the Bible, for instruction tuning a model pretrained on it
// (examples/one_model.cpp): does tuning teach the answers, or only the format of asking
// for what pretraining stored?
//
// Three kinds, each answerable from the text alone (data/bible.hpp), each with an exact answer:
//   verse text   "What does John 3:16 say?"            -> "John 3:16 For God so loved the world, ..."
//   reference    "Where is it written: \"For God so loved the world, that he\"?" -> "John 3:16"
//   father       "Who was the father of Joshua?"       -> "Nun"      (from "Joshua the son of Nun")
// The verse's answer begins with its reference, as every verse did in pretraining, so the
// model can go on from the key its knowledge hangs on. A reference question quotes a verse's
// first eight words, and only verses whose first eight words no other verse shares are
// asked; a father question asks only about a son whose father the text names one way.
// Each kind has five wordings: the first three are trained, the last two held out, so a
// figure on them says whether the model learned the question or a template.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/data/bible.hpp"
#include "eigenformer/text/chat_format.hpp"

namespace eigenformer {

enum class BibleQuestionKind { kVerseText, kReference, kFather };
inline constexpr std::array<BibleQuestionKind, 3> kBibleQuestionKinds{
    BibleQuestionKind::kVerseText, BibleQuestionKind::kReference, BibleQuestionKind::kFather};

inline const char* kind_name(BibleQuestionKind kind) {
  switch (kind) {
    case BibleQuestionKind::kVerseText:
      return "verse text";
    case BibleQuestionKind::kReference:
      return "reference";
    case BibleQuestionKind::kFather:
      return "father";
  }
  return "?";
}

/// Five wordings of each kind; "{}" is the reference, the quote or the son.
inline constexpr Index kTrainedWordings = 3;
inline const std::array<std::array<const char*, 5>, 3> kBibleWordings{{
    {"What does {} say?", "Recite {}.", "How does {} read?", "Quote {} for me.", "Tell me the words of {}."},
    {"Where is it written: \"{}\"?", "Which verse says \"{}\"?", "Where do we read \"{}\"?",
     "Give the reference for \"{}\".", "In which verse is \"{}\" found?"},
    {"Who was the father of {}?", "Who was {}'s father?", "Name the father of {}.", "Whose son was {}?",
     "{} was the son of whom?"},
}};

/// One question with its exact answer.
struct BibleQuestion {
  BibleQuestionKind kind;
  std::string question, answer;
};

/// A father and son the text names, and where it first says so.
struct Fatherhood {
  std::string father, son, reference;
  bool only_in_held_out_books = false;  // every verse saying it lies in a held-out book
};

namespace bible_questions {

/// The words of a text, split at spaces, with the punctuation around each cut off.
inline std::vector<std::string> bare_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    while (!word.empty() && !std::isalpha(static_cast<unsigned char>(word.back()))) word.pop_back();
    while (!word.empty() && !std::isalpha(static_cast<unsigned char>(word.front()))) word.erase(0, 1);
    words.push_back(word);
  }
  return words;
}

/// The first eight words of a verse (all of it when shorter), as a quote.
inline std::string opening(const std::string& text) {
  std::istringstream in(text);
  std::string quote;
  std::string word;
  for (int i = 0; i < 8 && in >> word; ++i) quote += (i > 0 ? " " : "") + word;
  return quote;
}

inline std::string with(const char* wording, const std::string& filler) {
  std::string text = wording;
  return text.replace(text.find("{}"), 2, filler);
}

}  // namespace bible_questions

/// Every "SON the son of FATHER" in the text where both are names (a word never written in
/// lower case anywhere in the Bible: "And the son of" is not a son called And), for sons
/// whose father is always the same name.
inline std::vector<Fatherhood> fathers_named(const std::vector<Verse>& verses) {
  using bible_questions::bare_words;
  std::set<std::string> lower_case_words;
  for (const Verse& verse : verses)
    for (const std::string& word : bare_words(verse.text))
      if (!word.empty() && std::islower(static_cast<unsigned char>(word[0]))) lower_case_words.insert(word);
  const auto is_name = [&](const std::string& word) {
    if (word.size() < 2 || !std::isupper(static_cast<unsigned char>(word[0]))) return false;
    std::string lower = word;
    lower[0] = char(std::tolower(static_cast<unsigned char>(lower[0])));
    return !lower_case_words.count(lower) && word != "LORD" && word != "GOD";
  };
  std::map<std::string, std::map<std::string, Fatherhood>> fathers_of;  // son -> father -> first statement
  for (const Verse& verse : verses) {
    const std::vector<std::string> words = bare_words(verse.text);
    for (std::size_t i = 1; i + 3 < words.size(); ++i) {  // words[i - 1] the son of words[i + 3]
      if (words[i] != "the" || words[i + 1] != "son" || words[i + 2] != "of") continue;
      const std::string &son = words[i - 1], &father = words[i + 3];
      if (!is_name(son) || !is_name(father)) continue;
      Fatherhood& first =
          fathers_of[son].try_emplace(father, Fatherhood{father, son, verse.reference(), true}).first->second;
      first.only_in_held_out_books = first.only_in_held_out_books && is_held_out_book(verse.book);
    }
  }
  std::vector<Fatherhood> named;
  for (const auto& [son, fathers] : fathers_of)
    if (fathers.size() == 1) named.push_back(fathers.begin()->second);
  return named;
}

/// The verses a reference question may quote: those whose opening no other verse shares.
inline std::vector<const Verse*> verses_quotable(const std::vector<Verse>& verses) {
  std::map<std::string, int> openings;
  for (const Verse& verse : verses) ++openings[bible_questions::opening(verse.text)];
  std::vector<const Verse*> quotable;
  for (const Verse& verse : verses)
    if (openings[bible_questions::opening(verse.text)] == 1) quotable.push_back(&verse);
  return quotable;
}

/// The question of a kind about a verse (verse text, reference) in wording `wording`.
inline BibleQuestion question_about(const Verse& verse, BibleQuestionKind kind, Index wording) {
  EF_CHECK(kind != BibleQuestionKind::kFather && wording >= 0 && wording < 5,
           "a verse is asked its text or its reference, in wordings 0 to 4; got " << kind_name(kind) << ", wording "
                                                                                  << wording);
  const auto& wordings = kBibleWordings[std::size_t(kind)];
  if (kind == BibleQuestionKind::kVerseText)
    return {kind, bible_questions::with(wordings[std::size_t(wording)], verse.reference()),
            verse.reference() + " " + verse.text};
  return {kind, bible_questions::with(wordings[std::size_t(wording)], bible_questions::opening(verse.text)),
          verse.reference()};
}

/// "Who was the father of SON?" in wording `wording`.
inline BibleQuestion question_about(const Fatherhood& fatherhood, Index wording) {
  EF_CHECK(wording >= 0 && wording < 5, "a father is asked in wordings 0 to 4, got " << wording);
  const auto& wordings = kBibleWordings[std::size_t(BibleQuestionKind::kFather)];
  return {BibleQuestionKind::kFather, bible_questions::with(wordings[std::size_t(wording)], fatherhood.son),
          fatherhood.father};
}

inline Conversation conversation_of(const BibleQuestion& question) {
  return {{Role::kUser, question.question}, {Role::kAssistant, question.answer}};
}

}  // namespace eigenformer
