// Generating text: predict, sample, append, repeat (autoregressive decoding).
//
// The prompt goes through the model once, filling the KV cache that generate owns;
// then each new token costs one position's worth of work. When the context reaches
// the block size, the cache is refilled from the last half block of tokens (the
// model cannot see further back than its block size anyway): the logits are then
// exactly those of a full forward pass over those tokens.
#pragma once

#include <functional>

#include "eigenformer/model/gpt.hpp"
#include "eigenformer/model/sampler.hpp"

namespace eigenformer {

/// Returns prompt + max_new_tokens sampled tokens. `on_token` (optional) sees each new token as it comes.
template <class Model>
Tokens generate(Model& model, const Tokens& prompt, Index max_new_tokens, Sampler& sampler,
                const std::function<void(int)>& on_token = {}) {
  EF_CHECK(!prompt.empty(), "generate needs a prompt of at least one token");
  EF_CHECK(max_new_tokens >= 0, "max_new_tokens must be >= 0, got " << max_new_tokens);
  const Index block_size = model.config().block_size;
  model.set_training(false);
  Tokens tokens = prompt;
  KVCache<typename Model::Scalar> cache(model.config(), /*batch=*/1);
  const auto refill_cache = [&](Index keep) {  // forward the last `keep` tokens into an emptied cache
    cache.clear();
    const Tokens context(tokens.end() - keep, tokens.end());
    return RowVector<typename Model::Scalar>(model.forward(context, 1, keep, cache).row(keep - 1));
  };
  RowVector<typename Model::Scalar> logits = refill_cache(std::min<Index>(Index(tokens.size()), block_size));
  for (Index i = 0; i < max_new_tokens; ++i) {
    const int next = sampler.sample(logits);
    tokens.push_back(next);
    if (on_token) on_token(next);
    if (i + 1 == max_new_tokens) break;
    if (cache.length() == block_size)
      logits = refill_cache(std::max<Index>(1, block_size / 2));
    else
      logits = model.forward(Tokens{next}, 1, 1, cache).row(0);
  }
  return tokens;
}

}  // namespace eigenformer
