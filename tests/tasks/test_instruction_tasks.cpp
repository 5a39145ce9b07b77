#include <algorithm>
#include <eigenformer/tasks/instruction_tasks.hpp>
#include <eigenformer/text/char_tokenizer.hpp>
#include <map>
#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

/// The quoted input at the end of a request or a notation.
std::string quoted_input(const std::string& text) {
  const auto close = text.rfind('"');
  const auto open = text.rfind('"', close - 1);
  return text.substr(open + 1, close - open - 1);
}

}  // namespace

TEST_CASE("InstructionTasks: every answer is right, in words and in notation alike") {
  Rng rng(5);
  for (Index task = 0; task < InstructionTasks::kTasks; ++task)
    for (int i = 0; i < 300; ++i) {
      const Phrasing phrasing{rng.uniform_int(InstructionTasks::kPrefixes),
                              rng.uniform_int(InstructionTasks::kConnectors)};
      const Instruction example = InstructionTasks::make(task, phrasing, rng);
      const std::string input = quoted_input(example.request), &answer = example.answer;
      CAPTURE(example.request);
      CAPTURE(answer);
      REQUIRE(quoted_input(example.notation) == input);  // one input, asked two ways
      CHECK(example.request.ends_with('"' + input + '"'));
      CHECK(example.notation.ends_with('"' + input + "\")="));
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
        const Index k =
            example
                .request[example.request.find(name == "first k" ? "first " : "last ") + (name == "first k" ? 6 : 5)] -
            '0';
        REQUIRE((k >= 1 && k <= 3));
        CHECK(answer ==
              (name == "first k" ? input.substr(0, std::size_t(k)) : input.substr(input.size() - std::size_t(k))));
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

TEST_CASE("InstructionTasks: deduplicate has a repeated letter to remove in about half its words") {
  Rng rng(9);
  int repeats = 0;
  for (int i = 0; i < 1000; ++i) {
    const Instruction example = InstructionTasks::make(7, {0, 0}, rng);
    repeats += example.answer.size() < quoted_input(example.request).size();
  }
  CHECK(repeats > 400);
  CHECK(repeats < 650);
}

TEST_CASE("InstructionTasks: 20 seen phrasings, 5 unseen, 5 unseen pairs per task") {
  for (Index task = 0; task < InstructionTasks::kTasks; ++task) {
    std::map<PhrasingSplit, int> count;
    for (Index p = 0; p < InstructionTasks::kPrefixes; ++p)
      for (Index c = 0; c < InstructionTasks::kConnectors; ++c) {
        const PhrasingSplit split = InstructionTasks::split(task, {p, c});
        ++count[split];
        // The held-out prefix trains with no task: an unseen phrasing is new to the model.
        CHECK((p == InstructionTasks::kHeldOutPrefix) == (split == PhrasingSplit::kUnseenPhrasing));
        if (split == PhrasingSplit::kUnseenPair) {  // a wording other tasks fine-tune with
          int trained_elsewhere = 0;
          for (Index other = 0; other < InstructionTasks::kTasks; ++other)
            trained_elsewhere += InstructionTasks::split(other, {p, c}) == PhrasingSplit::kSeen;
          CHECK(trained_elsewhere > 0);
        }
      }
    CHECK(count[PhrasingSplit::kSeen] == 20);
    CHECK(count[PhrasingSplit::kUnseenPhrasing] == 5);
    CHECK(count[PhrasingSplit::kUnseenPair] == 5);
  }
}

TEST_CASE("InstructionTasks: the diversity pools grow as squares of seen phrasings") {
  for (Index task = 0; task < InstructionTasks::kTasks; ++task) {
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
}

TEST_CASE("InstructionTasks: every request and notation encodes with the tokenizer of its alphabet") {
  const CharTokenizer tokenizer = CharTokenizer::from_text(InstructionTasks::alphabet());
  Rng rng(2);
  for (Index task = 0; task < InstructionTasks::kTasks; ++task)
    for (Index p = 0; p < InstructionTasks::kPrefixes; ++p)
      for (Index c = 0; c < InstructionTasks::kConnectors; ++c) {
        const Instruction example = InstructionTasks::make(task, {p, c}, rng);
        for (const std::string& text : {example.request, example.notation, example.answer})
          CHECK(tokenizer.decode(tokenizer.encode(text)) == text);
      }
}

TEST_CASE("InstructionTasks: a task or phrasing out of range is a named error") {
  Rng rng(1);
  testing::require_error_mentions([&] { InstructionTasks::make(8, {0, 0}, rng); }, {"no task 8"});
  testing::require_error_mentions([&] { InstructionTasks::make(0, {6, 0}, rng); }, {"prefix 6"});
  testing::require_error_mentions([&] { InstructionTasks::split(0, {0, -1}); }, {"connector -1"});
  testing::require_error_mentions([] { InstructionTasks::seen_phrasings(0, 21); }, {"20 seen phrasings", "21"});
}
