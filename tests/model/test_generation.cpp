#include "test_helpers.hpp"

using namespace eigenformer;

namespace {

GPTConfig generation_config() {
  return {.vocab_size = 11, .block_size = 9, .num_layers = 2, .num_heads = 2, .channels = 12};
}

/// The KV cache must reproduce a full forward pass: same logits at every position.
template <class Model>
void check_cache_matches_full_forward() {
  Model model(generation_config(), 4);
  Rng rng(5);
  testing::randomize_parameters(model, rng, 0.3);
  const Tokens tokens{1, 4, 10, 0, 7, 7, 3, 9, 2};
  const Matrix<double> full = model.forward(tokens, 1, 9);

  KVCache<double> cache(model.config(), 1);
  const Matrix<double> prefill = model.forward(Tokens(tokens.begin(), tokens.begin() + 4), 1, 4, cache);
  CHECK(prefill.isApprox(full.topRows(4), 1e-12));
  CHECK(cache.length() == 4);
  for (Index t = 4; t < 9; ++t) {
    const Matrix<double> step = model.forward(Tokens{tokens[std::size_t(t)]}, 1, 1, cache);
    CHECK(step.row(0).isApprox(full.row(t), 1e-12));
  }
  testing::require_error_mentions([&] { model.forward(Tokens{1}, 1, 1, cache); }, {"9 positions", "block size 9"});

  cache.clear();  // a rejected token leaves the cache as it was
  model.forward(Tokens(tokens.begin(), tokens.begin() + 4), 1, 4, cache);
  testing::require_error_mentions([&] { model.forward(Tokens{99}, 1, 1, cache); }, {"token id 99"});
  CHECK(cache.length() == 4);
  CHECK(model.forward(Tokens{tokens[4]}, 1, 1, cache).row(0).isApprox(full.row(4), 1e-12));

  KVCache<double> for_two(model.config(), 2);  // a cache is for one batch size
  testing::require_error_mentions([&] { model.forward(Tokens{1}, 1, 1, for_two); }, {"batch 2", "the call 1"});
}

}  // namespace

TEST_CASE("KV cache: the same logits as a full forward pass at every position (GPT-2 and LLaMA)") {
  check_cache_matches_full_forward<GPT<double>>();
  check_cache_matches_full_forward<LlamaGPT<double>>();
}

TEST_CASE("KV cache: batched sequences are cached independently") {
  GPT<double> model(generation_config(), 4);
  const Tokens tokens{1, 2, 3, 4, 9, 8, 7, 6};  // B = 2, T = 4
  const Matrix<double> full = model.forward(tokens, 2, 4);
  KVCache<double> cache(model.config(), 2);
  model.forward(Tokens{1, 2, 9, 8}, 2, 2, cache);
  const Matrix<double> next = model.forward(Tokens{3, 7}, 2, 1, cache);
  CHECK(next.row(0).isApprox(full.row(2), 1e-12));
  CHECK(next.row(1).isApprox(full.row(6), 1e-12));
}

TEST_CASE("Sampler: greedy takes the argmax, temperature, top-k and top-p shape the distribution") {
  RowVector<double> logits(5);
  logits << 1.0, 3.0, 2.0, 3.0, -1.0;
  Sampler greedy = Sampler::greedy();
  CHECK(greedy.sample(logits) == 1);  // a tie goes to the lower id

  const auto distribution = [&](SamplerOptions options) { return Sampler(options).distribution(logits); };
  const auto p = distribution({1.0, 0, 1.0, 1});
  const double z = std::exp(1) + 2 * std::exp(3) + std::exp(2) + std::exp(-1);
  CHECK(p[2] == doctest::Approx(std::exp(2) / z));

  const auto hot = distribution({100.0, 0, 1.0, 1});  // very high temperature: nearly uniform
  CHECK(hot[4] == doctest::Approx(0.2).epsilon(0.05));

  const auto top2 = distribution({1.0, 2, 1.0, 1});
  CHECK(top2[1] == doctest::Approx(0.5));
  CHECK(top2[3] == doctest::Approx(0.5));
  CHECK(top2[0] + top2[2] + top2[4] == 0.0);

  // top-p 0.8: tokens 1 and 3 hold 2e^3/z = 0.78 < 0.8, so token 2 joins; 0.78 + 0.11 >= 0.8.
  const auto nucleus = distribution({1.0, 0, 0.8, 1});
  CHECK(nucleus[2] > 0.0);
  CHECK(nucleus[0] == 0.0);
  CHECK(nucleus[4] == 0.0);
  CHECK(nucleus[1] + nucleus[2] + nucleus[3] == doctest::Approx(1.0));
}

TEST_CASE("Sampler: draws follow the distribution, the same seed gives the same draws") {
  RowVector<float> logits(3);
  logits << 0.0f, std::log(2.0f), std::log(7.0f);  // probabilities 0.1, 0.2, 0.7
  Sampler sampler({1.0, 0, 1.0, 9}), again({1.0, 0, 1.0, 9});
  std::vector<int> counts(3, 0);
  bool same = true;
  for (int i = 0; i < 20000; ++i) {
    const int token = sampler.sample(logits);
    same = same && token == again.sample(logits);
    ++counts[std::size_t(token)];
  }
  CHECK(same);
  CHECK(counts[0] / 20000.0 == doctest::Approx(0.1).epsilon(0.1));
  CHECK(counts[2] / 20000.0 == doctest::Approx(0.7).epsilon(0.05));
  testing::require_error_mentions([] { Sampler({1.0, 0, 0.0, 1}); }, {"top_p", "(0, 1]"});
  testing::require_error_mentions([] { Sampler({-1.0, 0, 1.0, 1}); }, {"temperature", "-1"});
}

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
