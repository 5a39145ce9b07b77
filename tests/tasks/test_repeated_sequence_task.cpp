#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

/// Checks that `tokens` follow `layout`: each run repeats its period, and every token
/// outside a run's repeats (fillers and first copies) occurs nowhere before.
void require_follows(const Tokens& tokens, const SequenceLayout& layout) {
  std::vector<bool> repeat(tokens.size(), false);
  for (const Run& run : layout.runs)
    for (Index t = run.start + run.period; t < std::min<Index>(run.end, Index(tokens.size())); ++t) {
      CHECK(tokens[std::size_t(t)] == tokens[std::size_t(t - run.period)]);
      repeat[std::size_t(t)] = true;
    }
  std::set<int> seen;
  for (std::size_t t = 0; t < tokens.size(); ++t)
    if (!repeat[t]) CHECK(seen.insert(tokens[t]).second);  // a first occurrence is new
}

}  // namespace

TEST_CASE("RepeatedSequenceTask: runs of repeated segments anywhere, fillers between, first occurrences new") {
  const RepeatedSequenceTask task;
  Rng rng(1);
  std::set<Index> periods_seen, first_starts, run_counts;
  Index late_long = 0;  // runs of period >= 16 whose first copy starts past the middle
  for (int i = 0; i < 2000; ++i) {
    const SequenceLayout layout = task.random_layout(rng);
    const Tokens tokens = task.sequence(layout, rng);
    REQUIRE(tokens.size() == 65);
    require_follows(tokens, layout);
    run_counts.insert(Index(layout.runs.size()));
    for (const Run& run : layout.runs) {
      periods_seen.insert(run.period);
      first_starts.insert(run.start);
      CHECK(std::min<Index>(run.end, 65) - run.start >= 2 * run.period);  // two full copies always
      late_long += run.start > 32 && run.period >= 16;
    }
  }
  CHECK(*periods_seen.begin() == 8);
  CHECK(*periods_seen.rbegin() == 32);
  CHECK(periods_seen.size() == 25);     // every period 8..32 occurs: no fixed offset solves the task
  CHECK(*first_starts.rbegin() == 49);  // a pattern can first appear anywhere two copies fit
  CHECK(first_starts.size() == 50);
  CHECK(late_long == 0);  // 33 + 2 * 16 > 65: late runs are short by arithmetic
  CHECK(*run_counts.rbegin() >= 3);

  const RepeatedSequenceTask at_zero{.start = RepeatedSequenceTask::Start::kAtZero};
  for (int i = 0; i < 100; ++i) {
    const SequenceLayout layout = at_zero.random_layout(rng);
    REQUIRE(layout.runs.size() == 1);
    CHECK(layout.runs[0].start == 0);
    CHECK(layout.runs[0].end == 65);
  }
  Rng unused(1);
  testing::require_error_mentions([&] { RepeatedSequenceTask{.vocab_size = 16}.batch(1, unused); },
                                  {"periods 8..32", "vocabulary of 16"});
  testing::require_error_mentions([&] { task.sequence(SequenceLayout::one_run(60, 10), unused); },
                                  {"run from 60", "period 10"});
}

TEST_CASE("RepeatedSequenceTask: copyable and boundary positions of a layout") {
  const SequenceLayout layout{{{2, 3, 10}, {10, 4, 100}}};  // fillers 0-1, [2..5) x 8/3, then [10..14) on
  const RepeatedSequenceTask task{.vocab_size = 64, .length = 20, .min_period = 3, .max_period = 4};
  Rng rng(4);
  require_follows(task.sequence(layout, rng), layout);
  std::string kinds;
  for (Index t = 0; t < 20; ++t) kinds += layout.copyable(t) ? 'c' : layout.boundary(t) ? 'b' : '.';
  // position:  0123456789...
  CHECK(kinds == "....bcccc....bcccccc");  // 9 ends the first run: its next token is new
}

TEST_CASE("RepeatedSequenceTask: training targets only where copying predicts, evaluation targets everywhere") {
  const RepeatedSequenceTask task;
  std::vector<SequenceLayout> layouts;
  Rng same(2), again(2);
  const Batch evaluation = task.evaluation_batch(8, same, layouts);
  const Batch training = task.batch(8, again);
  CHECK(training.tokens == evaluation.tokens);  // same draws, so the same sequences
  for (Index b = 0; b < 8; ++b)
    for (Index t = 0; t < 64; ++t) {
      const std::size_t n = std::size_t(b * 64 + t);
      const SequenceLayout& layout = layouts[std::size_t(b)];
      CHECK(training.targets[n] == (layout.copyable(t) ? evaluation.targets[n] : -1));
      CHECK(evaluation.targets[n] == (t + 1 < 64 ? evaluation.tokens[n + 1] : evaluation.targets[n]));
    }
  const SequenceLayout late = SequenceLayout::one_run(40, 10);
  Rng rng(3);
  task.evaluation_batch(4, rng, layouts, &late);
  for (const auto& layout : layouts) CHECK((layout.runs.size() == 1 && layout.runs[0].start == 40));
}

TEST_CASE("RepeatedSequenceTask: the control has next-token targets over independent tokens") {
  const RepeatedSequenceTask task;
  Rng rng(3);
  const Batch control = task.control_batch(2, rng);
  CHECK(control.tokens.size() == 128);
  for (std::size_t n = 0; n + 1 < 64; ++n) CHECK(control.targets[n] == control.tokens[n + 1]);
}
