#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("AdditionTask: the three answer formats, and each parser reads back the sum") {
  const AdditionProblem p{557, 522};
  CHECK(AdditionTask(3, AnswerFormat::kPlain).prompt(p) == "557+522=");
  CHECK(AdditionTask(3, AnswerFormat::kPlain).answer(p) == "1079$");
  CHECK(AdditionTask(3, AnswerFormat::kReversed).answer(p) == "9701$");
  CHECK(AdditionTask(3, AnswerFormat::kScratchpad).answer(p) == "7+2+0=09,5+2+0=07,5+5+0=10,|1079$");
  CHECK(AdditionTask(3, AnswerFormat::kPlain).prompt({7, 45}) == "007+045=");
  CHECK(AdditionTask(3, AnswerFormat::kPlain).answer({7, 45}) == "0052$");
  Rng rng(1);
  for (const AnswerFormat format : {AnswerFormat::kPlain, AnswerFormat::kReversed, AnswerFormat::kScratchpad})
    for (const IndexHints hints : {IndexHints::kNone, IndexHints::kLetters})
      for (Index digits : {1, 3, 5}) {
        const AdditionTask task(digits, format, hints);
        for (int i = 0; i < 200; ++i) {
          const AdditionProblem q = task.random_problem(rng);
          CHECK(task.parse(task.answer(q)) == q.a + q.b);
          const std::string text = task.prompt(q) + task.answer(q);
          CHECK(AdditionTask::tokenizer().decode(AdditionTask::tokenizer().encode(text)) == text);
        }
      }
  const AdditionTask scratchpad(3, AnswerFormat::kScratchpad), reversed(3, AnswerFormat::kReversed);
  CHECK(scratchpad.parse("7+2+0=09|1079$") == 1079);  // only the answer after '|' is graded
  CHECK_FALSE(scratchpad.parse("7+2+0=09,1079$"));    // no '|'
  CHECK_FALSE(reversed.parse("9701"));                // no end marker
  CHECK_FALSE(reversed.parse("970$"));                // a digit short
  CHECK_FALSE(reversed.parse("97+1$"));               // not a digit
  testing::require_error_mentions([] { AdditionTask(0, AnswerFormat::kPlain); }, {"digits", "got 0"});
  // A wider operand would make its row longer than the batch's: refused, named.
  testing::require_error_mentions(
      [&] {
        reversed.batch({{1, 2}, {1000, 2}});
      },
      {"1000+2", "outside [0, 1000)", "3-digit task"});
  testing::require_error_mentions([&] { reversed.prompt({-1, 2}); }, {"-1+2"});
}

TEST_CASE("AdditionTask: a batch trains the answer only, every problem the same length") {
  const AdditionTask task(3, AnswerFormat::kReversed);
  const Batch batch = task.batch({{557, 522}, {7, 45}});
  REQUIRE(batch.time == 12);  // "557+522=9701$" is 13 tokens
  REQUIRE(batch.batch == 2);
  const auto& tokenizer = AdditionTask::tokenizer();
  for (Index b = 0; b < 2; ++b) {
    std::string trained;
    for (Index t = 0; t < 12; ++t) {
      const int target = batch.targets[std::size_t(b * 12 + t)];
      CHECK((t < 7) == (target == -1));  // positions 0-6 predict prompt characters: not trained
      if (target >= 0) trained += tokenizer.decode({target});
    }
    CHECK(trained == (b == 0 ? "9701$" : "2500$"));
  }
}

TEST_CASE("AdditionTask: index hints name every digit's column, the answer's and the steps' too") {
  const AdditionProblem p{557, 522, 2};  // the units column is 'c'
  const AdditionTask plain(3, AnswerFormat::kPlain, IndexHints::kLetters);
  CHECK(plain.prompt(p) == "e5d5c7+e5d2c2=");
  CHECK(plain.answer(p) == "f1e0d7c9$");
  CHECK(AdditionTask(3, AnswerFormat::kReversed, IndexHints::kLetters).answer(p) == "c9d7e0f1$");
  const AdditionTask scratchpad(3, AnswerFormat::kScratchpad, IndexHints::kLetters);
  CHECK(scratchpad.answer(p) == "c7+2+0=09,d5+2+0=07,e5+5+0=10,|f1e0d7c9$");
  CHECK(plain.parse("f1e0d7c9$") == 1079);
  CHECK(plain.parse("a1b0c7d9$") == 1079);  // the letters are not graded, the digits are
  CHECK_FALSE(plain.parse("f1e0d7c$"));     // a letter without its digit
  CHECK_FALSE(plain.parse("f1e0d7+9$"));    // not a letter where a letter belongs
  CHECK_FALSE(plain.parse("1079$"));        // no letters at all
  Rng rng(2);
  Index highest = 0;
  for (int i = 0; i < 500; ++i) highest = std::max(highest, plain.random_problem(rng).first_hint);
  CHECK(highest == 8);  // 12 letters: 3 digits and the carry's column fit from 'a' to 'i'
  testing::require_error_mentions([&] { plain.prompt({1, 2, 9}); }, {"first_hint 9", "[0, 8]"});
  testing::require_error_mentions([] { AdditionTask(12, AnswerFormat::kPlain, IndexHints::kLetters); },
                                  {"at most 12 columns", "need 13"});
}

TEST_CASE("AdditionTask: rows of several lengths stack into one batch, padding untrained") {
  const Batch one = AdditionTask(1, AnswerFormat::kPlain).row({7, 5});  // "7+5=12$": 6 next-token pairs
  const Batch three = AdditionTask(3, AnswerFormat::kPlain).row({557, 522});
  REQUIRE(one.time == 6);
  REQUIRE(three.time == 12);
  const Batch batch = AdditionTask::stacked_rows({one, three});
  REQUIRE(batch.batch == 2);
  REQUIRE(batch.time == 12);
  for (Index t = 0; t < 12; ++t) {
    const std::size_t n = std::size_t(t);
    CHECK(batch.tokens[12 + n] == three.tokens[n]);  // the longest row unchanged
    CHECK(batch.targets[12 + n] == three.targets[n]);
    if (t < 6) {
      CHECK(batch.tokens[n] == one.tokens[n]);
      CHECK(batch.targets[n] == one.targets[n]);
    } else {
      CHECK(batch.targets[n] == -1);  // padding is never a target
    }
  }
  testing::require_error_mentions([&] { AdditionTask::stacked_rows({batch}); }, {"one problem per row", "got 2"});
  Batch short_row = one;  // a row whose time says more than its tokens hold would shift every later row
  short_row.time = 7;
  testing::require_error_mentions(
      [&] {
        AdditionTask::stacked_rows({short_row, three});
      },
      {"time 7", "6 tokens and 6 targets"});
}
