// The three model shapes every speed figure of eigenformer is quoted on, and the
// arithmetic that turns a measured time into tokens/s and a fraction of peak.
//
//   config      (vocab, layers, heads, width, context, batch)
//   tiny        (64,    2, 4,  64,  64, 32)   the in-context-learning scale
//   small       (256,   4, 4, 128, 128, 16)   a character-level model
//   gpt2-mini   (50257, 4, 4, 256,  64,  4)   GPT-2's vocabulary: the output layer dominates
//   scaling     (1024,  4, 4, 128,  64, 16)   the largest model of examples/scaling_laws.cpp
//
// Training FLOPs per token (Kaplan et al., 2020; nanoGPT's estimate): every weight
// does one multiply-add forward and two backward, 6 FLOPs per parameter per token,
// counting the (tied) output layer but not the embedding lookups; attention adds
// QK^T and PV, 6 * layers * context * width with the causal half skipped.
#pragma once

#include <eigenformer/eigenformer.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace eigenformer::bench {

struct RaceConfig {
  std::string name;
  GPTConfig model;
  Index batch;
};

inline RaceConfig race_config(const std::string& name) {
  if (name == "tiny") return {name, GPTConfig::tiny(), 32};
  if (name == "small") return {name, GPTConfig::small(), 16};
  if (name == "gpt2-mini") return {name, GPTConfig::gpt2_mini(), 4};
  if (name == "scaling") {
    GPTConfig largest_of_the_sweep = GPTConfig::small();
    largest_of_the_sweep.vocab_size = 1024;
    largest_of_the_sweep.block_size = 64;
    return {name, largest_of_the_sweep, 16};
  }
  throw std::invalid_argument("unknown benchmark config '" + name + "' (tiny, small, gpt2-mini, scaling)");
}

/// Parameters that multiply: every block's weights and the output layer (V * C).
inline double matmul_parameters(const GPTConfig& c) {
  const double C = double(c.channels), V = double(c.vocab_size);
  const double hidden = c.ffn_hidden > 0 ? double(c.ffn_hidden) : 4 * C;
  const double per_block = 4 * C * C + 2 * C * hidden;  // qkv + proj + fc + proj
  return double(c.num_layers) * per_block + V * C;
}

inline double training_flops_per_token(const GPTConfig& c) {
  return 6 * matmul_parameters(c) + 6 * double(c.num_layers) * double(c.block_size) * double(c.channels);
}

/// A training batch of random tokens (B, T) and next-token targets, seeded.
inline Batch random_batch(const RaceConfig& config, std::uint64_t seed = 7) {
  Rng rng(seed);
  const Index n = config.batch * config.model.block_size;
  Batch batch{Tokens(std::size_t(n)), Tokens(std::size_t(n)), config.batch, config.model.block_size};
  for (Index i = 0; i < n; ++i) {
    batch.tokens[std::size_t(i)] = int(rng.uniform_int(config.model.vocab_size));
    batch.targets[std::size_t(i)] = int(rng.uniform_int(config.model.vocab_size));
  }
  return batch;
}

/// One optimizer step as every trainer runs it: forward, backward, AdamW, clear gradients.
/// The activations are the caller's, reused from step to step as the trainer's are.
template <class S>
S training_step(GPT<S>& model, typename GPT<S>::Activations& activations, AdamW<S>& optimizer, const Batch& batch) {
  const S loss = model.forward(batch.tokens, batch.targets, batch.batch, batch.time, activations);
  model.backward(activations);
  optimizer.step();
  optimizer.zero_grad();
  return loss;
}

/// A character tokenizer with the chat tokens and exactly `vocab_size` ids: the engine's
/// model and tokenizer must agree.
inline CharTokenizer chat_tokenizer(Index vocab_size) {
  std::vector<char32_t> code_points;
  for (Index i = 0; i < vocab_size - Index(kChatTokenTexts.size()); ++i) code_points.push_back(char32_t(' ' + i));
  CharTokenizer tokenizer(code_points);
  ChatTokens::add_to(tokenizer);
  return tokenizer;
}

/// Greedy decoding without a cache, the baseline the KV cache is measured against:
/// the whole context goes through the model again for every new token.
inline Tokens generate_uncached(const GPT<float>& model, Tokens tokens, Index max_new_tokens) {
  for (Index i = 0; i < max_new_tokens; ++i) {
    const Index time = Index(tokens.size());
    Index next = 0;
    model.forward(tokens, 1, time).row(time - 1).maxCoeff(&next);
    tokens.push_back(int(next));
  }
  return tokens;
}

}  // namespace eigenformer::bench
