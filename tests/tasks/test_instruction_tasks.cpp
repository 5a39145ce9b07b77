#include <algorithm>
#include <eigenformer/tasks/instruction_tasks.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <map>
#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

/// Every phrasing there is, in a fixed order.
std::vector<Phrasing> every_phrasing() {
  std::vector<Phrasing> all;
  for (Index p = 0; p < InstructionTasks::kPrefixes; ++p)
    for (Index c = 0; c < InstructionTasks::kConnectors; ++c)
      for (Index n = 0; n < InstructionTasks::kNames; ++n)
        for (Index d = 0; d < InstructionTasks::kDelimiters; ++d) all.push_back({p, c, n, d});
  return all;
}

}  // namespace

TEST_CASE("InstructionTasks: every answer is right, in words and in notation alike") {
  Rng rng(5);
  const std::vector<Phrasing> phrasings = every_phrasing();
  const char* delimited[] = {"\"#\"", "'#'", "#", "[#]", "<#>"};  // # the input
  for (Index task = 0; task < InstructionTasks::kTasks; ++task)
    for (int i = 0; i < 300; ++i) {
      const Phrasing phrasing = phrasings[std::size_t(rng.uniform_int(Index(phrasings.size())))];
      const Instruction example = InstructionTasks::make(task, phrasing, rng);
      const std::string &input = example.input, &answer = example.answer;
      CAPTURE(example.request);
      CAPTURE(answer);
      std::string marked = delimited[phrasing.delimiter];
      marked.replace(marked.find('#'), 1, input);
      CHECK(example.request.ends_with(marked));                 // the input ends the request, marked as asked
      CHECK(example.notation.ends_with('"' + input + "\")="));  // notation always quotes it
      const std::string name = InstructionTasks::task_name(task);
      if (name == "reverse") CHECK(answer == std::string(input.rbegin(), input.rend()));
      if (name == "sort")
        CHECK((std::is_permutation(answer.begin(), answer.end(), input.begin(), input.end()) &&
               std::is_sorted(answer.begin(), answer.end())));
      if (name == "uppercase") {
        std::string upper = input;
        for (char& c : upper) c = char(c - 'a' + 'A');
        CHECK(answer == upper);
      }
      if (name == "shift") {
        REQUIRE(answer.size() == input.size());
        for (std::size_t j = 0; j < input.size(); ++j) CHECK((answer[j] - 'a') == (input[j] - 'a' + 1) % 26);
      }
      if (name == "first k" || name == "last k") {
        const std::size_t k = answer.size();
        REQUIRE((k >= 1 && k <= 3));
        CHECK(example.request.find(" " + std::to_string(k) + " of") != std::string::npos);  // the request names k
        CHECK(answer == (name == "first k" ? input.substr(0, k) : input.substr(input.size() - k)));
      }
      if (name == "add") {
        const auto comma = input.find(',');
        CHECK(std::stoi(answer) == std::stoi(input.substr(0, comma)) + std::stoi(input.substr(comma + 1)));
      }
      if (name == "deduplicate") {  // each letter once, in order of first appearance
        std::string expected;
        for (char c : input)
          if (expected.find(c) == std::string::npos) expected += c;
        CHECK(answer == expected);
      }
    }
}

TEST_CASE("InstructionTasks: a request and its notation use the same one of the task's two names") {
  Rng rng(3);
  const Instruction first = InstructionTasks::make(0, {2, 2, 0, 0}, rng),
                    synonym = InstructionTasks::make(0, {2, 2, 1, 2}, rng);
  CHECK(first.request == "please reverse this: \"" + first.input + "\"");
  CHECK(first.notation == "reverse(\"" + first.input + "\")=");
  CHECK(synonym.request == "please flip this: " + synonym.input);
  CHECK(synonym.notation == "flip(\"" + synonym.input + "\")=");
}

TEST_CASE("InstructionTasks: deduplicate has a repeated letter to remove in about half its words") {
  Rng rng(9);
  int repeats = 0;
  for (int i = 0; i < 1000; ++i) {
    const Instruction example = InstructionTasks::make(7, {0, 0}, rng);
    repeats += example.answer.size() < example.input.size();
  }
  CHECK(repeats > 400);
  CHECK(repeats < 650);
}

TEST_CASE("InstructionTasks: each split holds out one thing, and tuning sees every other") {
  const std::vector<Phrasing> phrasings = every_phrasing();
  for (Index task = 0; task < InstructionTasks::kTasks; ++task) {
    std::map<PhrasingSplit, int> count;
    for (const Phrasing& p : phrasings) ++count[InstructionTasks::split(task, p)];
    if (!InstructionTasks::tuned_on(task)) {  // shift, last k: every request is unseen
      CHECK(count[PhrasingSplit::kUnseenTask] == int(phrasings.size()));
      continue;
    }
    CHECK(count[PhrasingSplit::kUnseenTask] == 0);
    CHECK(count[PhrasingSplit::kSeen] == 20 * 4);  // 20 prefix x connector wordings x 4 tuned delimiters
    CHECK(count[PhrasingSplit::kSynonym] == int(phrasings.size()) / 2);
  }
  CHECK(InstructionTasks::tuned_tasks() == std::vector<Index>{0, 1, 2, 4, 6, 7});
  // An unseen pair's wording is one other tasks fine-tune with.
  for (Index task : InstructionTasks::tuned_tasks()) {
    const Phrasing pair{0, InstructionTasks::held_out_connector(task)};
    REQUIRE(InstructionTasks::split(task, pair) == PhrasingSplit::kUnseenPair);
    int trained_elsewhere = 0;
    for (Index other : InstructionTasks::tuned_tasks())
      trained_elsewhere += InstructionTasks::split(other, pair) == PhrasingSplit::kSeen;
    CHECK(trained_elsewhere > 0);
  }
}

TEST_CASE("InstructionTasks: an evaluation phrasing differs from a tuned one in its split's one way") {
  Rng rng(4);
  const PhrasingSplit splits[] = {PhrasingSplit::kSeen, PhrasingSplit::kSynonym, PhrasingSplit::kUnseenDelimiter,
                                  PhrasingSplit::kUnseenPair, PhrasingSplit::kUnseenFiller};
  for (const PhrasingSplit split : splits)
    for (Index task : InstructionTasks::tuned_tasks())
      for (int i = 0; i < 50; ++i) {
        const Phrasing p = InstructionTasks::random_phrasing(task, split, rng);
        CHECK(InstructionTasks::split(task, p) == split);
        Phrasing undone = p;  // undo the split's change: a tuned request
        if (split == PhrasingSplit::kSynonym) undone.name = 0;
        if (split == PhrasingSplit::kUnseenDelimiter) undone.delimiter = 0;
        if (split == PhrasingSplit::kUnseenPair)
          undone.connector = (undone.connector + 1) % InstructionTasks::kConnectors;
        if (split == PhrasingSplit::kUnseenFiller) undone.prefix = 0;
        CHECK(InstructionTasks::split(task, undone) == PhrasingSplit::kSeen);
      }
  for (Index task : InstructionTasks::kHeldOutTasks) {
    const Phrasing p = InstructionTasks::random_phrasing(task, PhrasingSplit::kUnseenTask, rng);
    CHECK((p.name == 0 && p.delimiter != InstructionTasks::kHeldOutDelimiter &&
           p.prefix != InstructionTasks::kHeldOutPrefix));  // the task is the only new thing
    testing::require_error_mentions(
        [&] { InstructionTasks::random_phrasing(task, PhrasingSplit::kSeen, rng); },
        {"needs a tuned task", std::string(InstructionTasks::task_name(task)) + " is held out"});
  }
  testing::require_error_mentions([&] { InstructionTasks::random_phrasing(0, PhrasingSplit::kUnseenTask, rng); },
                                  {"needs a held-out task", "reverse is tuned on"});
}

TEST_CASE("InstructionTasks: the diversity pools grow as squares of seen phrasings") {
  for (Index task : InstructionTasks::tuned_tasks()) {
    const auto all = InstructionTasks::seen_phrasings(task, InstructionTasks::kSeenPhrasings);
    std::set<std::pair<Index, Index>> distinct;
    for (const Phrasing& p : all) {
      CHECK(InstructionTasks::split(task, p) == PhrasingSplit::kSeen);
      distinct.insert({p.prefix, p.connector});
    }
    CHECK(distinct.size() == 20);
    const auto four = InstructionTasks::seen_phrasings(task, 4);
    std::set<Index> prefixes, connectors;
    for (std::size_t i = 0; i < four.size(); ++i) {
      CHECK((four[i].prefix == all[i].prefix &&
             four[i].connector == all[i].connector));  // a pool is a prefix of the next
      prefixes.insert(four[i].prefix);
      connectors.insert(four[i].connector);
    }
    CHECK(prefixes.size() == 2);  // 2 prefixes x 2 connectors: wording varies in both places
    CHECK(connectors.size() == 2);
  }
  testing::require_error_mentions([] { InstructionTasks::seen_phrasings(3, 20); }, {"shift", "never tuned on"});
}

TEST_CASE("InstructionTasks: every request and notation encodes with the tokenizer of its alphabet") {
  const CharTokenizer tokenizer = CharTokenizer::from_text(InstructionTasks::alphabet());
  Rng rng(2);
  for (Index task = 0; task < InstructionTasks::kTasks; ++task)
    for (const Phrasing& p : every_phrasing()) {
      const Instruction example = InstructionTasks::make(task, p, rng);
      for (const std::string& text : {example.request, example.notation, example.answer})
        CHECK(tokenizer.decode(tokenizer.encode(text)) == text);
    }
}

TEST_CASE("InstructionTasks: a task or phrasing out of range is a named error") {
  Rng rng(1);
  testing::require_error_mentions([&] { InstructionTasks::make(8, {0, 0}, rng); }, {"no task 8"});
  testing::require_error_mentions([&] { InstructionTasks::make(0, {6, 0}, rng); }, {"prefix 6"});
  testing::require_error_mentions([&] { InstructionTasks::split(0, {0, -1}); }, {"connector -1"});
  testing::require_error_mentions([&] { InstructionTasks::make(0, {0, 0, 2, 0}, rng); }, {"name 2"});
  testing::require_error_mentions([&] { InstructionTasks::make(0, {0, 0, 0, 5}, rng); }, {"delimiter 5"});
  testing::require_error_mentions([] { InstructionTasks::seen_phrasings(0, 21); }, {"20 seen phrasings", "21"});
}
