// The sorting lesson (examples/sort_digits.cpp) at test size: a GPT trained on the
// task must sort unseen lists. Fixed seeds, so the result is the same every run.
#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("A GPT trained on sorting sorts at least 95% of unseen lists exactly") {
  set_num_threads(1);
  const SortTask task{4, 6};
  GPTConfig config = GPTConfig::nano();
  config.vocab_size = task.vocab_size();
  config.block_size = task.time();
  config.channels = 32;
  GPT<float> model(config, 1);
  const auto history =
      testing::train_quietly(model, WarmupCosineSchedule{3e-3, 50, 400, 3e-4}, 400, [&](Index step, Index) {
        Rng rng(1000 + std::uint64_t(step));
        return task.batch(32, rng);
      });
  Rng fresh(99);
  const double accuracy = task.accuracy(model, 200, fresh).value();
  MESSAGE("final loss ", history.back().loss, ", sorted exactly: ", accuracy);
  CHECK(history.front().loss > 1.5);
  CHECK(accuracy >= 0.95);
}
