// Generating text from one prompt: the decode loop (decode.hpp) with a sampler choosing
// every token. Past the block size the context slides, so any length can be generated.
#pragma once

#include <algorithm>
#include <functional>

#include "eigenformer/model/decode.hpp"
#include "eigenformer/model/sampler.hpp"

namespace eigenformer {

/// Returns prompt + max_new_tokens sampled tokens. `on_token` (optional) sees each new
/// token as it comes. A prompt longer than the block size is read from its last block.
template <class Model>
Tokens generate(const Model& model, const Tokens& prompt, Index max_new_tokens, Sampler& sampler,
                const std::function<void(int)>& on_token = {}) {
  EF_CHECK(!prompt.empty(), "generate needs a prompt of at least one token");
  EF_CHECK(max_new_tokens >= 0, "max_new_tokens must be >= 0, got " << max_new_tokens);
  Tokens tokens = prompt;
  const Index length = std::min<Index>(Index(prompt.size()), model.config().block_size);
  decode(model, Tokens(prompt.end() - length, prompt.end()), 1, length, max_new_tokens, AtBlockSize::kSlide,
         [&](Index, const auto& logits) {
           const int token = sampler.sample(logits);
           tokens.push_back(token);
           if (on_token) on_token(token);
           return Choice{token, false};
         });
  return tokens;
}

}  // namespace eigenformer
