#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Probes: accuracy, per-position curves and the ICL score from known predictions") {
  Predictions p{2, 3, {1.0, 2.0, std::nan(""), 3.0, 4.0, 5.0}, {1, 0, -1, 1, 1, 0}};
  CHECK(accuracy(p) == doctest::Approx(3.0 / 5));
  CHECK(accuracy(p, [](Index b, Index) { return b == 1; }) == doctest::Approx(2.0 / 3));
  const PositionCurves curves = per_position(p);
  CHECK(curves.loss[0] == doctest::Approx(2.0));
  CHECK(curves.loss[2] == doctest::Approx(5.0));  // the NaN row is skipped
  CHECK(curves.accuracy[1] == doctest::Approx(0.5));
  CHECK(icl_score(curves, 0, 1, 2, 3) == doctest::Approx(3.0));
}

TEST_CASE("Probes: predict scores the argmax against targets, head scores read attention maps") {
  const GPTConfig config{.vocab_size = 8, .block_size = 6, .num_layers = 2, .num_heads = 2, .channels = 8};
  GPT<double, AttentionOnlyBlock<double>> model(config, 3);
  const Batch batch{{1, 2, 3, 1, 2, 3}, {2, 3, 1, 2, 3, -1}, 1, 6};
  const Predictions predictions = predict(model, batch);
  CHECK(predictions.correct[5] == -1);
  Index best = 0;
  model.forward(batch.tokens, 1, 6).row(0).maxCoeff(&best);
  CHECK(predictions.correct[0] == int(best == 2));

  const auto scores = head_scores(model, batch);
  REQUIRE(scores.size() == 4);
  // Recompute head (1, 1)'s scores by hand from its attention map.
  const auto activations = record_activations(model, batch);
  const Matrix<double> map = attention_map(activations.blocks[1].attention, 0, 1);
  double previous = 0, prefix = 0;
  for (Index t = 1; t < 6; ++t) previous += map(t, t - 1);
  for (Index t = 3; t < 6; ++t) prefix += map(t, t - 2);  // tokens[t-3] == tokens[t]: attend to t-2
  CHECK(scores[3].previous_token == doctest::Approx(previous / 5));
  CHECK(scores[3].prefix_matching == doctest::Approx(prefix / 3));
}

TEST_CASE("Head ablation: a disabled head outputs zeros, and gradients stay exact") {
  Rng rng(4);
  const GPTConfig config{.block_size = 5, .num_heads = 3, .channels = 12};
  CausalSelfAttention<double> attention(config, rng);
  testing::randomize_parameters(attention, rng);
  const Matrix<double> x = testing::random_matrix(10, 12, rng);
  attention.set_head_enabled(1, false);
  testing::require_sequence_gradients(attention, 2, 5, x, rng);
  testing::require_error_mentions([&] { attention.set_head_enabled(3, true); }, {"head 3", "[0, 3)"});
}

TEST_CASE("AttentionOnlyBlock: no FFN parameters, y = x + attn(norm(x)), gradients match") {
  Rng rng(5);
  const GPTConfig config{.block_size = 5, .num_heads = 3, .channels = 12};
  AttentionOnlyBlock<double> block(config, rng, "blocks.0");
  const auto names = parameter_list(block);
  REQUIRE(names.size() == 6);  // norm_1 (2) and attention (4) only
  CHECK(names.back()->name == "blocks.0.attn.proj.bias");
  testing::require_sequence_gradients(block, 2, 5, testing::random_matrix(10, 12, rng), rng);
}

TEST_CASE("Probes: prefix matching by key position bins the attention on the one matching key") {
  const GPTConfig config{.vocab_size = 8, .block_size = 8, .num_layers = 2, .num_heads = 2, .channels = 8};
  GPT<double, AttentionOnlyBlock<double>> model(config, 3);
  // Token 5 occurs at 1 and 6: query 6 has one matching key, 2 (the token after the first 5).
  // Token 2 occurs at 3 and 7: query 7 has one matching key, 4.
  const Batch batch{{0, 5, 1, 2, 3, 4, 5, 2}, {5, 1, 2, 3, 4, 5, 2, 6}, 1, 8};
  CHECK(prefix_matching_keys(batch, 0, 6) == std::vector<Index>{2});
  CHECK(prefix_matching_keys(batch, 0, 5).empty());
  const auto profiles = prefix_matching_by_key_position(model, batch, 3);
  REQUIRE(profiles.size() == 4);
  const Matrix<double> map = attention_map(record_activations(model, batch).blocks[1].attention, 0, 1);
  testing::require_error_mentions([&] { attention_map(record_activations(model, batch).blocks[1].attention, 0, 2); },
                                  {"(0, 2)", "heads 2"});
  CHECK(profiles[3].layer == 1);
  CHECK(profiles[3].head == 1);
  REQUIRE(profiles[3].by_key_bin.size() == 3);  // keys 0-2, 3-5, 6-7
  CHECK(profiles[3].by_key_bin[0] == doctest::Approx(map(6, 2)));
  CHECK(profiles[3].by_key_bin[1] == doctest::Approx(map(7, 4)));
  CHECK(std::isnan(profiles[3].by_key_bin[2]));  // no query's match lies there
  testing::require_error_mentions([&] { prefix_matching_by_key_position(model, batch, 0); }, {"bin_width"});
  GPTConfig with_dropout = config;
  with_dropout.dropout = 0.1;
  testing::require_error_mentions([&] { head_scores(GPT<double>(with_dropout), batch); }, {"dropout 0.1"});
}

TEST_CASE("repeated_random_tokens: a random sequence repeated, targets the next token, bad shapes named") {
  Rng rng(3);
  const Batch batch = repeated_random_tokens(2, 10, 4, 256, 300, rng);
  REQUIRE(batch.tokens.size() == 20);
  for (Index b = 0; b < 2; ++b)
    for (Index t = 0; t < 10; ++t) {
      const int token = batch.tokens[std::size_t(b * 10 + t)];
      CHECK(token >= 256);
      CHECK(token < 300);
      if (t >= 4) CHECK(token == batch.tokens[std::size_t(b * 10 + t - 4)]);  // a copy from one period back
      CHECK(batch.targets[std::size_t(b * 10 + t)] == (t < 9 ? batch.tokens[std::size_t(b * 10 + t + 1)] : -1));
    }
  CHECK(batch.tokens[0] != batch.tokens[10]);  // each row draws its own sequence (seeded: not by chance equal)
  testing::require_error_mentions([&] { (void)repeated_random_tokens(2, 4, 4, 0, 10, rng); }, {"period", "got 4"});
  testing::require_error_mentions([&] { (void)repeated_random_tokens(2, 8, 4, 10, 10, rng); }, {"[10, 10)"});
}
