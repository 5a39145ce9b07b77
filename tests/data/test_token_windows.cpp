#include <numeric>

#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("random_windows: each row is T+1 consecutive tokens, targets one step on, from the given span") {
  std::vector<std::uint16_t> stream(500);
  for (std::size_t i = 0; i < stream.size(); ++i) stream[i] = std::uint16_t(i);  // token = its position
  Rng rng(3);
  const std::span<const std::uint16_t> part = std::span<const std::uint16_t>(stream).subspan(100, 200);
  const Batch batch = random_windows(part, 8, 16, rng);
  REQUIRE(batch.batch == 8);
  REQUIRE(batch.time == 16);
  REQUIRE(batch.tokens.size() == 8 * 16);
  for (Index b = 0; b < 8; ++b) {
    const int start = batch.tokens[std::size_t(b * 16)];
    CHECK(start >= 100);
    CHECK(start + 16 < 300);  // the target of the last input is still inside the span
    for (Index t = 0; t < 16; ++t) {
      CHECK(batch.tokens[std::size_t(b * 16 + t)] == start + int(t));
      CHECK(batch.targets[std::size_t(b * 16 + t)] == start + int(t) + 1);
    }
  }
  Rng same(3);
  CHECK(random_windows(part, 8, 16, same).tokens == batch.tokens);  // the seed decides
  testing::require_error_mentions([&] { random_windows(part.first(16), 1, 16, rng); },
                                  {"16 tokens", "too few for windows of 17"});
  testing::require_error_mentions([&] { random_windows(part, 0, 16, rng); }, {"batch size"});
}

TEST_CASE("tiling_windows: every held-out token after the first is a target exactly once, the rest is -1") {
  Tokens stream(103);
  for (std::size_t i = 0; i < stream.size(); ++i) stream[i] = int(i);
  const auto batches = tiling_windows(std::span<const int>(stream), 4, 10);  // 102 targets: 11 windows
  REQUIRE(batches.size() == 3);                                              // 4 + 4 + 3 rows
  CHECK(batches[2].batch == 3);
  std::vector<int> seen;
  for (const Batch& batch : batches)
    for (std::size_t i = 0; i < batch.targets.size(); ++i)
      if (batch.targets[i] != -1) {
        CHECK(batch.targets[i] == batch.tokens[i] + 1);
        seen.push_back(batch.targets[i]);
      }
  std::vector<int> expected(102);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(seen == expected);
  testing::require_error_mentions([&] { tiling_windows(std::span<const int>(stream).first(1), 4, 10); },
                                  {"at least 2 tokens"});
}
