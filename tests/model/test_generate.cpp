#include "test_helpers.hpp"

using namespace eigenformer;

using testing::generation_config;

TEST_CASE("generate: past the block size, the refilled cache gives the logits of an uncached forward") {
  // Greedy decoding from 3 tokens to 20 with a block size of 9: the cache fills at 9
  // tokens and is refilled from the last 4 (half a block), then fills again. Each new
  // token must be what an uncached forward over the same window (the last tokens the
  // cache holds) predicts.
  GPT<double> model(generation_config(), 8);
  Rng rng(9);
  testing::randomize_parameters(model, rng, 0.5);
  Sampler greedy = Sampler::greedy();
  const Tokens cached = generate(model, {3, 1, 4}, 17, greedy);
  REQUIRE(cached.size() == 20);
  Tokens window{3, 1, 4};  // what the cache holds, as generate() slides it
  for (std::size_t i = 3; i < cached.size(); ++i) {
    const Matrix<double> logits = model.forward(window, 1, Index(window.size()));
    Eigen::Index next = 0;
    logits.row(logits.rows() - 1).maxCoeff(&next);
    CHECK(cached[i] == int(next));
    window.push_back(cached[i]);
    if (window.size() > 9) window.erase(window.begin(), window.end() - 4);  // full: refill from half a block
  }
}

TEST_CASE("generate: the same seed gives the same text, generation past the block size keeps going") {
  GPT<float> model(generation_config(), 8);
  Sampler a({1.0, 5, 0.95, 3}), b({1.0, 5, 0.95, 3});
  const Tokens first = generate(model, {1, 2}, 20, a), second = generate(model, {1, 2}, 20, b);
  CHECK(first == second);
  CHECK(first.size() == 22);  // beyond the block size of 9: the cache slides

  // Greedy generation agrees with re-running the full forward pass for every token.
  Sampler greedy = Sampler::greedy();
  const Tokens cached = generate(model, {3, 1, 4}, 5, greedy);
  Tokens slow{3, 1, 4};
  for (int i = 0; i < 5; ++i) {
    const auto& logits = model.forward(slow, 1, Index(slow.size()));
    Eigen::Index next;
    logits.row(logits.rows() - 1).maxCoeff(&next);
    slow.push_back(int(next));
  }
  CHECK(cached == slow);
  testing::require_error_mentions([&] { generate(model, {}, 3, greedy); }, {"prompt"});
}
