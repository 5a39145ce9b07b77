// A model that follows a script, the way nanochat tests its engine: at generation step
// s (0 right after the prompt) row b's logits put all their weight on script[b][s]
// (token 0 past the script's end). It records every token fed to it after the prompt,
// so a test sees what the model read. The engine's tests and its fuzz target use it.
#pragma once

#include <eigenformer/nn/gpt_config.hpp>
#include <eigenformer/nn/kv_cache.hpp>
#include <vector>

namespace eigenformer::testing {

struct ScriptedModel {
  using Scalar = double;
  GPTConfig settings;
  std::vector<Tokens> script;  // per row of the batch
  // What it saw, recorded by a const forward as a real model's is: mutable, a test's spy.
  mutable std::vector<Tokens> fed;  // per row: the tokens fed after the prompt
  mutable Index step = 0;

  const GPTConfig& config() const { return settings; }

  Matrix<double> forward(const Tokens& tokens, Index batch, Index time, KVCache<double>& cache) const {
    if (cache.length() == 0) {
      step = 0;
      fed.assign(std::size_t(batch), {});
    } else {
      for (Index b = 0; b < batch; ++b) fed[std::size_t(b)].push_back(tokens[std::size_t(b)]);
      ++step;
    }
    cache.claim_for(this);
    cache.advance(time);
    Matrix<double> logits = Matrix<double>::Zero(batch * time, settings.vocab_size);
    for (Index b = 0; b < batch; ++b) {
      const Tokens* row = std::size_t(b) < script.size() ? &script[std::size_t(b)] : nullptr;
      const bool scripted = row != nullptr && step < Index(row->size());
      logits((b + 1) * time - 1, scripted ? (*row)[std::size_t(step)] : 0) = 100;
    }
    return logits;
  }
};

}  // namespace eigenformer::testing
