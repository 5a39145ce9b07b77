#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("complete: batched greedy completions equal generating each prompt alone, cut at the end token") {
  const GPTConfig config{.vocab_size = 12, .block_size = 16, .num_layers = 2, .num_heads = 2, .channels = 16};
  GPT<double> model(config, 5);
  const std::vector<Tokens> prompts{{1, 2, 3}, {4, 5}, {6, 7, 8}, {9}, {1, 1, 2}};
  const int end_token = 3;
  Sampler greedy = Sampler::greedy();
  const auto completions =
      complete(model, prompts, greedy, {.end_token = end_token, .max_new_tokens = 6, .batch_size = 2});
  REQUIRE(completions.size() == prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    Tokens alone = generate(model, prompts[i], 6, greedy);
    alone.erase(alone.begin(), alone.begin() + std::ptrdiff_t(prompts[i].size()));
    const auto end = std::find(alone.begin(), alone.end(), end_token);
    const bool finished = end != alone.end();
    if (finished) alone.erase(end + 1, alone.end());
    CHECK(completions[i].tokens == alone);
    CHECK(completions[i].finished == finished);
  }
}

TEST_CASE("complete: bad arguments are named errors") {
  const GPTConfig config{.vocab_size = 12, .block_size = 8, .num_layers = 1, .num_heads = 2, .channels = 8};
  GPT<double> model(config, 5);
  Sampler greedy = Sampler::greedy();
  testing::require_error_mentions(
      [&] {
        complete(model, {{1, 2}}, greedy, {.end_token = 12});
      },
      {"end_token 12", "[0, 12)"});
  testing::require_error_mentions([&] { complete(model, {{}}, greedy, {.end_token = 1}); }, {"prompt 0 has 0 tokens"});
  testing::require_error_mentions([&] { complete(model, {Tokens(8, 1)}, greedy, {.end_token = 1}); },
                                  {"prompt 0 has 8 tokens", "1 to 7"});
  testing::require_error_mentions([&] { complete(model, {{1}}, greedy, {.end_token = 1, .max_new_tokens = 0}); },
                                  {"max_new_tokens"});
}
