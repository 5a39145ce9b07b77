#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("TokenDataset: windows of inputs and next-token targets from each split") {
  Tokens stream(100);
  for (int i = 0; i < 100; ++i) stream[std::size_t(i)] = i;
  const TokenDataset dataset(stream, 0.2);
  CHECK(dataset.size(TokenDataset::Split::kTrain) == 80);
  Rng rng(1);
  const Batch train = dataset.batch(8, 5, rng);
  for (std::size_t n = 0; n < train.tokens.size(); ++n) {
    CHECK(train.targets[n] == train.tokens[n] + 1);
    CHECK(train.targets[n] < 80);
  }
  const Batch validation = dataset.batch(8, 5, rng, TokenDataset::Split::kValidation);
  for (int token : validation.tokens) CHECK(token >= 80);
  testing::require_error_mentions([&] { dataset.batch(1, 30, rng, TokenDataset::Split::kValidation); },
                                  {"validation split has 20 tokens"});
}
