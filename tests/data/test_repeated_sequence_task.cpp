#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("RepeatedSequenceTask: a random period of distinct tokens, repeated, targets -1 on first occurrences") {
  const RepeatedSequenceTask task;
  Rng rng(1);
  std::set<Index> periods_seen;
  for (int i = 0; i < 200; ++i) {
    Index period = 0;
    const Tokens tokens = task.sequence(rng, period);
    periods_seen.insert(period);
    REQUIRE(tokens.size() == 65);
    CHECK(std::set<int>(tokens.begin(), tokens.begin() + period).size() == std::size_t(period));  // distinct
    for (Index t = period; t < 65; ++t) CHECK(tokens[std::size_t(t)] == tokens[std::size_t(t - period)]);
  }
  CHECK(*periods_seen.begin() == 8);
  CHECK(*periods_seen.rbegin() == 32);
  CHECK(periods_seen.size() == 25);  // every period 8..32 occurs: no fixed offset solves the task

  std::vector<Index> periods;
  Rng same(2), again(2);
  const Batch evaluation = task.evaluation_batch(4, same, periods);
  const Batch training = task.batch(4, again);
  CHECK(training.tokens == evaluation.tokens);  // same draws, so the same sequences
  for (Index b = 0; b < 4; ++b)
    for (Index t = 0; t < 64; ++t) {
      const std::size_t n = std::size_t(b * 64 + t);
      const bool repeat = RepeatedSequenceTask::earlier_occurrences(t, periods[std::size_t(b)]) > 0;
      CHECK(training.targets[n] == (repeat ? evaluation.targets[n] : -1));
      CHECK(evaluation.targets[n] == (t + 1 < 64 ? evaluation.tokens[n + 1] : evaluation.targets[n]));
    }
  Rng unused(1);
  testing::require_error_mentions([&] { RepeatedSequenceTask{.vocab_size = 16}.batch(1, unused); },
                                  {"periods 8..32", "vocabulary of 16"});
}

TEST_CASE("RepeatedSequenceTask: the control has next-token targets over independent tokens") {
  const RepeatedSequenceTask task;
  Rng rng(3);
  const Batch control = task.control_batch(2, rng);
  CHECK(control.tokens.size() == 128);
  for (std::size_t n = 0; n + 1 < 64; ++n) CHECK(control.targets[n] == control.tokens[n + 1]);
}
