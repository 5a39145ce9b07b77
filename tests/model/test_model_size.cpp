#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("model_size: every parameter counted once, wte, wpe and an untied lm_head as the embedding, N the rest") {
  GPTConfig config;
  config.vocab_size = 50;
  config.block_size = 16;
  config.num_layers = 2;
  config.channels = 32;
  config.num_heads = 4;
  GPT<double> model(config, 1);
  const ModelSize size = model_size(model);
  Index total = 0;
  for (const auto* parameter : model.parameter_list()) total += parameter->value.size();
  CHECK(size.total == total);
  CHECK(size.embedding == 50 * 32 + 16 * 32);
  // Per block: two LayerNorms (2C each), qkv (3C^2 + 3C), proj (C^2 + C), MLP (4C^2 + 4C, 4C^2 + C); final norm 2C.
  const Index C = 32, per_block = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) + (4 * C * C + C);
  CHECK(size.non_embedding() == 2 * per_block + 2 * C);

  LlamaGPT<double> llama(config, 1);  // RoPE: no position table
  CHECK(model_size(llama).embedding == 50 * 32);

  config.tie_embeddings = false;  // an output layer of its own: a vocabulary matrix, not in N
  GPT<double> untied(config, 1);
  CHECK(model_size(untied).embedding == 2 * 50 * 32 + 16 * 32);
  CHECK(model_size(untied).non_embedding() == size.non_embedding());
}

TEST_CASE("Training FLOPs: 6 N D, and the step's full count adds the output layer and attention") {
  CHECK(training_flops(1000, 1e6) == doctest::Approx(6e9));
  GPTConfig config;
  config.vocab_size = 100;
  config.block_size = 9;
  config.num_layers = 3;
  config.channels = 8;
  // 6 (N + V C + L (T + 1) C) = 6 (500 + 800 + 3 * 10 * 8)
  CHECK(training_flops_per_token(config, 500) == doctest::Approx(6.0 * (500 + 800 + 240)));
}
