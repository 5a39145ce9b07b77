#include <set>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("SortTask: the prompt is the list, the targets its sorted copy") {
  const SortTask task{4, 10};
  Rng rng(5);
  const Batch batch = task.batch(3, rng);
  CHECK(batch.tokens.size() == 24);
  for (Index b = 0; b < 3; ++b) {
    const auto at = [&](Index t) { return std::size_t(b * 8 + t); };
    CHECK(batch.tokens[at(4)] == task.separator());
    for (Index t = 0; t < 4; ++t) CHECK(batch.targets[at(t)] == -1);
    for (Index t = 5; t < 8; ++t) CHECK(batch.targets[at(t)] >= batch.targets[at(t - 1)]);
  }
}
