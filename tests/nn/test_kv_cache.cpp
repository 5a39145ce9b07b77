#include "test_helpers.hpp"

using namespace eigenformer;

using testing::generation_config;

namespace {

/// The log-probabilities of a training forward (the whole sequence at once, no cache):
/// the logits up to a constant per row, which is what the cache must reproduce.
template <class Model>
Matrix<double> training_log_probabilities(const Model& model, const Tokens& tokens, Index batch, Index time) {
  typename Model::Activations activations;
  model.forward(tokens, Tokens(tokens.size(), 0), batch, time, activations);
  return activations.loss.probabilities.array().log();
}

/// Logits as log-probabilities, row by row.
Matrix<double> log_softmax(Matrix<double> logits) {
  softmax_rows(logits);
  return logits.array().log();
}

/// The KV cache must reproduce a full forward pass: same logits at every position.
template <class Model>
void check_cache_matches_full_forward() {
  Model model(generation_config(), 4);
  Rng rng(5);
  testing::randomize_parameters(model, rng, 0.3);
  const Tokens tokens{1, 4, 10, 0, 7, 7, 3, 9, 2};
  const Matrix<double> full = model.forward(tokens, 1, 9);
  CHECK(log_softmax(full).isApprox(training_log_probabilities(model, tokens, 1, 9), 1e-12));

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
  CHECK(log_softmax(full).isApprox(training_log_probabilities(model, tokens, 2, 4), 1e-12));
  KVCache<double> cache(model.config(), 2);
  model.forward(Tokens{1, 2, 9, 8}, 2, 2, cache);
  const Matrix<double> next = model.forward(Tokens{3, 7}, 2, 1, cache);
  CHECK(next.row(0).isApprox(full.row(2), 1e-12));
  CHECK(next.row(1).isApprox(full.row(6), 1e-12));
}

TEST_CASE("KV cache: positions filled by one model are refused by another until cleared") {
  GPT<double> a(generation_config(), 1), b(generation_config(), 2);
  KVCache<double> cache(a.config(), 1);
  a.forward(Tokens{1, 2, 3}, 1, 3, cache);
  testing::require_error_mentions([&] { b.forward(Tokens{4}, 1, 1, cache); },
                                  {"3 positions of another model", "clear()"});
  CHECK(cache.length() == 3);
  cache.clear();
  const Matrix<double> fresh = b.forward(Tokens{1, 2, 3}, 1, 3, cache);
  CHECK(fresh.isApprox(b.forward(Tokens{1, 2, 3}, 1, 3), 1e-12));
}
