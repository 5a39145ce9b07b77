// Generated instructions for instruction tuning: eight small tasks over strings and
// numbers, each asked in many wordings, so that a model can be tested on requests of
// a form it was never tuned on, where the form carries meaning.
//
// The tasks: reverse, sort, uppercase, shift (each letter to the next), first k,
// last k, add (two one-digit numbers), deduplicate. Each is written two ways:
//   notation   reverse("abcd")=                 the base model's pretraining text
//   request    please reverse this: abcd        what a user types to the tuned model
// Every task has two names, both in the notation the base model reads in pretraining
// (reverse/flip, sort/alphabetize, ...). A request is a prefix, a name, a connector,
// then the input marked by a delimiter:
//   prefix     "", "now ", "please ", "task: ", "i need you to ", "could you "   (6)
//   name       the task's first name, or its synonym                          (2)
//   connector  " ", ": ", " this: ", " the word ", " the input: "            (5)
//   delimiter  "abcd", 'abcd', abcd, [abcd], <abcd>                          (5)
// The input ends every request, so it sits at the same distance from the answer
// whatever the wording (with RoPE, a fixed offset).
//
// What fine-tuning never sees, each a split of the evaluation that changes one thing
// of a tuned request (so a score names what it tests):
//   unseen task       shift and last k are never requested in tuning: can the model
//                     follow a request for a skill it has only in notation (FLAN:
//                     Wei et al., 2022)?
//   synonym           tuning uses first names only; the synonym is known from
//                     pretraining: does the request reach the skill through a word
//                     tuning never used?
//   unseen delimiter  <abcd> is never tuned on (the other four are, so no one
//                     character marks the input): a new form of input.
//   unseen pair       task t never tunes with connector t mod 5, which other tasks
//                     do: a known wording in a new combination.
//   unseen filler     the prefix "could you " is never tuned on: filler, which
//                     carries no meaning; the split shows how little a new filler
//                     prefix costs, not that the model understands new wordings.
// Inputs are drawn fresh for every example, so even a seen wording is scored on
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
#include <utility>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"

namespace eigenformer {

/// Which wording of a task: a prefix (0..5), a connector (0..4), the name (0 first, 1
/// synonym) and how the input is marked (0..4).
struct Phrasing {
  Index prefix = 0, connector = 0, name = 0, delimiter = 0;
};

/// What of a request fine-tuning never saw (kSeen: nothing).
enum class PhrasingSplit { kSeen, kUnseenTask, kSynonym, kUnseenDelimiter, kUnseenPair, kUnseenFiller };

/// One example: a request, the same request in notation, and the answer.
struct Instruction {
  std::string request;   // please reverse this: abcd
  std::string notation;  // reverse("abcd")=
  std::string input;     // abcd
  std::string answer;    // dcba
  Index task = 0;
  Phrasing phrasing;
};

class InstructionTasks {
 public:
  static constexpr Index kTasks = 8, kPrefixes = 6, kConnectors = 5, kNames = 2, kDelimiters = 5;
  static constexpr Index kHeldOutPrefix = kPrefixes - 1, kHeldOutDelimiter = kDelimiters - 1;
  static constexpr Index kSeenPhrasings = (kPrefixes - 1) * (kConnectors - 1);  // prefix x connector, per task
  static constexpr std::array<Index, 2> kHeldOutTasks = {3, 5};                 // shift, last k

  /// "reverse", "sort", ..., "deduplicate".
  static const char* task_name(Index task) {
    check_task(task);
    return kTaskNames[std::size_t(task)];
  }

  static bool tuned_on(Index task) {
    check_task(task);
    return std::find(kHeldOutTasks.begin(), kHeldOutTasks.end(), task) == kHeldOutTasks.end();
  }

  /// The tasks fine-tuning requests, in order.
  static std::vector<Index> tuned_tasks() {
    std::vector<Index> tasks;
    for (Index t = 0; t < kTasks; ++t)
      if (tuned_on(t)) tasks.push_back(t);
    return tasks;
  }

  /// The connector task t never fine-tunes with (other tasks do).
  static Index held_out_connector(Index task) { return task % kConnectors; }

  /// What of this request fine-tuning never saw. A request can differ in several
  /// ways; the first in the enum's order names it (evaluation sets differ in one).
  static PhrasingSplit split(Index task, Phrasing phrasing) {
    check(task, phrasing);
    if (!tuned_on(task)) return PhrasingSplit::kUnseenTask;
    if (phrasing.name == 1) return PhrasingSplit::kSynonym;
    if (phrasing.delimiter == kHeldOutDelimiter) return PhrasingSplit::kUnseenDelimiter;
    if (phrasing.connector == held_out_connector(task)) return PhrasingSplit::kUnseenPair;
    if (phrasing.prefix == kHeldOutPrefix) return PhrasingSplit::kUnseenFiller;
    return PhrasingSplit::kSeen;
  }

  /// The first `count` seen prefix x connector pairs of a tuned task, in an order that
  /// grows a square: 1 is one wording, 4 are two prefixes x two connectors, 20 are all
  /// of them. The pools of the diversity ablation (name 0; the delimiter is drawn apart).
  static std::vector<Phrasing> seen_phrasings(Index task, Index count) {
    check_task(task);
    EF_CHECK(tuned_on(task), task_name(task) << " is never tuned on: it has no seen phrasings");
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

  /// A random request for `task` that fine-tuning never saw in exactly the split's one
  /// way and saw in every other (a seen prefix x connector, the first name, a tuned
  /// delimiter, then the split's change). kSeen: nothing unseen; kUnseenTask needs a
  /// held-out task, every other split a tuned one.
  static Phrasing random_phrasing(Index task, PhrasingSplit split, Rng& rng) {
    const bool needs_tuned = split != PhrasingSplit::kUnseenTask;
    EF_CHECK(needs_tuned == tuned_on(task),
             "a request of split " << int(split) << " needs a " << (needs_tuned ? "tuned" : "held-out") << " task, and "
                                   << task_name(task) << " is " << (tuned_on(task) ? "tuned on" : "held out"));
    const Index pool_task = tuned_on(task) ? task : tuned_tasks()[0];  // a held-out task takes a tuned one's wording
    const auto pool = seen_phrasings(pool_task, kSeenPhrasings);
    Phrasing phrasing = pool[std::size_t(rng.uniform_int(Index(pool.size())))];
    phrasing.delimiter = rng.uniform_int(kHeldOutDelimiter);
    switch (split) {
      case PhrasingSplit::kSynonym:
        phrasing.name = 1;
        break;
      case PhrasingSplit::kUnseenDelimiter:
        phrasing.delimiter = kHeldOutDelimiter;
        break;
      case PhrasingSplit::kUnseenPair:
        phrasing.connector = held_out_connector(task);
        break;
      case PhrasingSplit::kUnseenFiller:
        phrasing.prefix = kHeldOutPrefix;
        break;
      case PhrasingSplit::kSeen:
      case PhrasingSplit::kUnseenTask:
        break;
    }
    return phrasing;
  }

  /// One example of a task in a phrasing, with fresh random inputs. The notation uses
  /// the same name as the request and always quotes its input, as pretraining did.
  static Instruction make(Index task, Phrasing phrasing, Rng& rng) {
    check(task, phrasing);
    std::string input = random_word(rng, 4, 6), name = kNamesOf[std::size_t(task)][std::size_t(phrasing.name)], answer;
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
        name.replace(name.find('#'), 1, std::to_string(k));
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
    const auto& [open, close] = kDelimiterTexts[std::size_t(phrasing.delimiter)];
    Instruction out;
    out.request = kPrefixTexts[std::size_t(phrasing.prefix)] + name + kConnectorTexts[std::size_t(phrasing.connector)] +
                  open + input + close;
    out.notation = name + "(\"" + input + "\")=";
    out.input = input;
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
    std::string text = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789(),=[]:->\"'<>";
    for (const auto& names : kNamesOf)
      for (const char* name : names) text += name;
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
                 phrasing.connector < kConnectors && phrasing.name >= 0 && phrasing.name < kNames &&
                 phrasing.delimiter >= 0 && phrasing.delimiter < kDelimiters,
             "no phrasing (prefix " << phrasing.prefix << ", connector " << phrasing.connector << ", name "
                                    << phrasing.name << ", delimiter " << phrasing.delimiter << ")");
  }

  static constexpr std::array<const char*, kTasks> kTaskNames = {"reverse", "sort",   "uppercase", "shift",
                                                                 "first k", "last k", "add",       "deduplicate"};
  // Each task's two names, both in pretraining; '#' is the task's argument, k.
  static constexpr std::array<std::array<const char*, kNames>, kTasks> kNamesOf = {{{"reverse", "flip"},
                                                                                    {"sort", "alphabetize"},
                                                                                    {"uppercase", "capitalize"},
                                                                                    {"shift", "advance"},
                                                                                    {"first # of", "leading # of"},
                                                                                    {"last # of", "trailing # of"},
                                                                                    {"add", "sum"},
                                                                                    {"deduplicate", "unique"}}};
  static constexpr std::array<const char*, kPrefixes> kPrefixTexts = {"",       "now ",           "please ",
                                                                      "task: ", "i need you to ", "could you "};
  static constexpr std::array<const char*, kConnectors> kConnectorTexts = {" ", ": ", " this: ", " the word ",
                                                                           " the input: "};
  static constexpr std::array<std::pair<const char*, const char*>, kDelimiters> kDelimiterTexts = {
      {{"\"", "\""}, {"'", "'"}, {"", ""}, {"[", "]"}, {"<", ">"}}};
};

}  // namespace eigenformer
