#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("mean_loss: the loss per trained position over a fixed set, without dropout, the same every time") {
  GPTConfig config{.vocab_size = 11, .block_size = 8, .num_layers = 1, .num_heads = 2, .channels = 8, .dropout = 0.5};
  GPT<double> model(config, 3);
  Tokens stream(200);
  Rng rng(1);
  for (auto& token : stream) token = int(rng.uniform_int(11));
  const TokenDataset data(stream, 0.5);
  const std::vector<Batch> batches = data.fixed_batches(3, 4, 8, /*seed=*/9);
  REQUIRE(batches.size() == 3);
  CHECK(batches[0].tokens == data.fixed_batches(1, 4, 8, 9)[0].tokens);  // the same windows from the same seed

  Batch partly_trained = batches[1];  // a batch with fewer trained positions weighs less
  for (Index n = 0; n < 16; ++n) partly_trained.targets[std::size_t(n)] = -1;
  const std::vector<Batch> set{batches[0], partly_trained};
  const double mean = mean_loss(model, set);
  CHECK(mean == mean_loss(model, set));  // inference: no dropout, so no randomness
  const CrossEntropy<double> loss;
  const double first = double(loss.forward(model.forward(set[0].tokens, 4, 8), set[0].targets));
  const double second = double(loss.forward(model.forward(set[1].tokens, 4, 8), set[1].targets));
  CHECK(mean == doctest::Approx((first * 32 + second * 16) / 48));
  testing::require_error_mentions([&] { mean_loss(model, {}); }, {"at least one batch"});
}
