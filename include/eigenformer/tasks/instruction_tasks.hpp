// Generated instructions for instruction tuning: eight small tasks over strings and
// numbers, each asked in 30 phrasings, so that a model can be tested on wordings it
// was never tuned on (Zhang, Wang and Charton, 2024, "Instruction Diversity Drives
// Generalization To Unseen Tasks": the diversity of instructions, more than their
// number, decides whether a model follows new ones).
//
// The tasks: reverse, sort, uppercase, shift (each letter to the next), first k,
// last k, add (two one-digit numbers), deduplicate. Each is written two ways:
//   notation   reverse("abcd")=                 the base model's pretraining text
//   request    please reverse this: "abcd"      what a user types to the tuned model
// A request is a prefix, the task's keyword and a connector, then the quoted input:
//   prefix     "", "now ", "please ", "task: ", "i need you to ", "could you "   (6)
//   keyword    "reverse", "first 2 of", "add", ...                      (one per task)
//   connector  " ", ": ", " this: ", " the word ", " the input: "            (5)
// so 6 x 5 = 30 phrasings per task. The input ends every request, so it sits at the
// same distance from the answer whatever the wording (with RoPE, a fixed offset).
//
// The split that makes the evaluation honest:
//   unseen phrasing   the last prefix, "could you ", is never tuned on, for any task
//                     (5 phrasings per task);
//   unseen pair       task t never tunes with connector t mod 5, which other tasks
//                     do (5 more): a known wording in a new combination;
//   seen              the other 5 prefixes x 4 connectors = 20 phrasings per task.
// Inputs are drawn fresh for every example, so even a seen phrasing is scored on
// inputs never trained on (a random word of 4-6 letters repeats with odds ~1e-5).
//
// The tasks are kept small enough for a 156K-parameter model to learn them all in
// pretraining (counting a letter was tried and dropped: at this size it stayed near
// 0.5 in the base model itself), so that tuning is measured on following requests,
// not on learning the skills.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"

namespace eigenformer {

/// Which wording of a task: a prefix (0..5) and a connector (0..4).
struct Phrasing {
  Index prefix = 0, connector = 0;
};

/// Where a (task, phrasing) falls in the fine-tuning split.
enum class PhrasingSplit { kSeen, kUnseenPhrasing, kUnseenPair };

/// One example: a request, the same request in notation, and the answer.
struct Instruction {
  std::string request;   // please reverse this: "abcd"
  std::string notation;  // reverse("abcd")=
  std::string answer;    // dcba
  Index task = 0;
  Phrasing phrasing;
};

class InstructionTasks {
 public:
  static constexpr Index kTasks = 8, kPrefixes = 6, kConnectors = 5;
  static constexpr Index kHeldOutPrefix = kPrefixes - 1;
  static constexpr Index kSeenPhrasings = (kPrefixes - 1) * (kConnectors - 1);  // 20 per task

  /// "reverse", "sort", ..., "deduplicate".
  static const char* task_name(Index task) {
    check_task(task);
    return kTaskNames[std::size_t(task)];
  }

  /// The connector task t never fine-tunes with (other tasks do).
  static Index held_out_connector(Index task) { return task % kConnectors; }

  static PhrasingSplit split(Index task, Phrasing phrasing) {
    check(task, phrasing);
    if (phrasing.prefix == kHeldOutPrefix) return PhrasingSplit::kUnseenPhrasing;
    if (phrasing.connector == held_out_connector(task)) return PhrasingSplit::kUnseenPair;
    return PhrasingSplit::kSeen;
  }

  /// The first `count` seen phrasings of a task, in an order that grows a square of
  /// prefixes x connectors: 1 is one wording, 4 are two prefixes x two connectors,
  /// 20 are all of them. The pools of the diversity ablation.
  static std::vector<Phrasing> seen_phrasings(Index task, Index count) {
    check_task(task);
    EF_CHECK(count >= 1 && count <= kSeenPhrasings,
             "a task has " << kSeenPhrasings << " seen phrasings, asked for " << count);
    std::vector<Index> connectors;  // the task's trained connectors, in order
    for (Index c = 0; c < kConnectors; ++c)
      if (c != held_out_connector(task)) connectors.push_back(c);
    std::vector<Phrasing> pool;
    for (Index p = 0; p < kHeldOutPrefix; ++p)
      for (Index c = 0; c < kConnectors - 1; ++c) pool.push_back({p, connectors[std::size_t(c)]});
    const auto ring = [&](const Phrasing& ph) {  // which square the phrasing first enters
      const auto rank = std::find(connectors.begin(), connectors.end(), ph.connector) - connectors.begin();
      return std::max(ph.prefix, Index(rank));
    };
    std::stable_sort(pool.begin(), pool.end(), [&](const Phrasing& a, const Phrasing& b) { return ring(a) < ring(b); });
    pool.resize(std::size_t(count));
    return pool;
  }

  /// One example of a task in a phrasing, with fresh random inputs.
  static Instruction make(Index task, Phrasing phrasing, Rng& rng) {
    check(task, phrasing);
    std::string input = random_word(rng, 4, 6), keyword = kKeywords[std::size_t(task)], answer;
    switch (task) {
      case 0:
        answer.assign(input.rbegin(), input.rend());
        break;
      case 1:
        answer = input;
        std::sort(answer.begin(), answer.end());
        break;
      case 2:
        for (char c : input) answer += char(c - 'a' + 'A');
        break;
      case 3:  // each letter to the next, z to a: Caesar's cipher with key 1
        for (char c : input) answer += char('a' + (c - 'a' + 1) % 26);
        break;
      case 4:
      case 5: {
        const auto k = std::size_t(1 + rng.uniform_int(3));
        answer = task == 4 ? input.substr(0, k) : input.substr(input.size() - k);
        keyword.replace(keyword.find('#'), 1, std::to_string(k));
        break;
      }
      case 6: {  // one-digit sums: the lesson is following a request, not arithmetic
        const Index a = rng.uniform_int(10), b = rng.uniform_int(10);
        input = std::to_string(a) + "," + std::to_string(b);
        answer = std::to_string(a + b);
        break;
      }
      default:
        if (rng.uniform_int(2) == 0) repeat_a_letter(input, rng);  // half the words have a repeat to drop
        for (char c : input)
          if (answer.find(c) == std::string::npos) answer += c;
    }
    input = '"' + input + '"';  // quoted, so where the input starts is never in doubt
    Instruction out;
    out.request =
        kPrefixTexts[std::size_t(phrasing.prefix)] + keyword + kConnectorTexts[std::size_t(phrasing.connector)] + input;
    out.notation = keyword + "(" + input + ")=";
    out.answer = answer;
    out.task = task;
    out.phrasing = phrasing;
    return out;
  }

  /// A random word of `min_length`..`max_length` letters, a-z; letters may repeat.
  static std::string random_word(Rng& rng, Index min_length, Index max_length) {
    std::string word;
    const Index length = min_length + rng.uniform_int(max_length - min_length + 1);
    for (Index i = 0; i < length; ++i) word += char('a' + rng.uniform_int(26));
    return word;
  }

  /// Every character a request, a notation or an answer can contain.
  static std::string alphabet() {
    std::string text = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789(),=[]:->\"";
    for (const char* t : kKeywords) text += t;
    for (const char* t : kPrefixTexts) text += t;
    for (const char* t : kConnectorTexts) text += t;
    return text;
  }

 private:
  /// Copies one letter of `word` over another (possibly itself).
  static void repeat_a_letter(std::string& word, Rng& rng) {
    const auto from = std::size_t(rng.uniform_int(Index(word.size())));
    word[std::size_t(rng.uniform_int(Index(word.size())))] = word[from];
  }

  static void check_task(Index task) {
    EF_CHECK(task >= 0 && task < kTasks, "no task " << task << "; there are " << kTasks);
  }
  static void check(Index task, Phrasing phrasing) {
    check_task(task);
    EF_CHECK(phrasing.prefix >= 0 && phrasing.prefix < kPrefixes && phrasing.connector >= 0 &&
                 phrasing.connector < kConnectors,
             "no phrasing (prefix " << phrasing.prefix << ", connector " << phrasing.connector << ")");
  }

  static constexpr std::array<const char*, kTasks> kTaskNames = {"reverse", "sort",   "uppercase", "shift",
                                                                 "first k", "last k", "add",       "deduplicate"};
  // '#' is the task's argument, k.
  static constexpr std::array<const char*, kTasks> kKeywords = {"reverse",    "sort",      "uppercase", "shift",
                                                                "first # of", "last # of", "add",       "deduplicate"};
  static constexpr std::array<const char*, kPrefixes> kPrefixTexts = {"",       "now ",           "please ",
                                                                      "task: ", "i need you to ", "could you "};
  static constexpr std::array<const char*, kConnectors> kConnectorTexts = {" ", ": ", " this: ", " the word ",
                                                                           " the input: "};
};

}  // namespace eigenformer
