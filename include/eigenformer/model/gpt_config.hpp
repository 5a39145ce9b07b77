// The blueprint of a GPT: sizes and options, nothing learned.
//
// Parameter count of the GPT-2 shape, ignoring biases and norms:
//   V*C (token embedding, tied with the output layer) + T*C (positions)
//   + L * 12 C^2 (per block: 3C^2 for q,k,v + C^2 output projection + 8C^2 MLP)
// The presets run from "nano" (~45K parameters, trains in seconds) to GPT-2
// small's shape (124M; Radford et al., 2019).
#pragma once

#include <cmath>
#include <string>

#include "eigenformer/core/error.hpp"
#include "eigenformer/nn/block_config.hpp"

namespace eigenformer {

struct GPTConfig {
  Index vocab_size = 64;  // V
  Index block_size = 64;  // T, the longest context
  Index num_layers = 2;   // L
  Index num_heads = 4;    // H
  Index channels = 64;    // C
  Index ffn_hidden = 0;   // 0: the FFN's usual width (4C for the MLP)
  double dropout = 0.0;
  bool bias = true;
  bool tie_embeddings = true;  // the output layer reuses the token embedding (GPT-2)
  double init_std = 0.02;      // GPT-2: weights N(0, 0.02^2), residual projections / sqrt(2L)

  /// ~45K parameters: the in-context-learning scale, trains in seconds.
  static GPTConfig nano() {
    return {.vocab_size = 64, .block_size = 64, .num_layers = 2, .num_heads = 4, .channels = 40};
  }
  /// The benchmark configurations of bench/ (vocab, block, layers, heads, width).
  static GPTConfig tiny() {
    return {.vocab_size = 64, .block_size = 64, .num_layers = 2, .num_heads = 4, .channels = 64};
  }
  static GPTConfig small() {
    return {.vocab_size = 256, .block_size = 128, .num_layers = 4, .num_heads = 4, .channels = 128};
  }
  static GPTConfig gpt2_mini() {
    return {.vocab_size = 50257, .block_size = 64, .num_layers = 4, .num_heads = 4, .channels = 256};
  }
  /// The in-context-learning model (use with AttentionOnlyBlock): ~46K parameters.
  /// Its output layer is untied: a model this small must both read tokens in (wte)
  /// and copy them out, and with one shared matrix for both it learned the task
  /// through a diffuse circuit (previous-token scores < 0.15) instead of the clean
  /// previous-token + induction head pair that an untied head gives (measured).
  static GPTConfig induction() {
    return {.vocab_size = 64, .block_size = 64, .num_layers = 2, .num_heads = 2, .channels = 64,
            .tie_embeddings = false};
  }
  /// GPT-2 small: 124M parameters.
  static GPTConfig gpt2() {
    return {.vocab_size = 50257, .block_size = 1024, .num_layers = 12, .num_heads = 12, .channels = 768};
  }

  void validate() const {
    EF_CHECK(vocab_size > 0, "vocab_size must be positive, got " << vocab_size);
    EF_CHECK(num_layers > 0, "num_layers must be positive, got " << num_layers);
    block_config().validate();
  }

  /// What each block is built from; residual projections get std / sqrt(2L).
  BlockConfig block_config() const {
    BlockConfig config;
    config.channels = channels;
    config.num_heads = num_heads;
    config.block_size = block_size;
    config.ffn_hidden = ffn_hidden;
    config.bias = bias;
    config.dropout = dropout;
    config.init_std = init_std;
    config.residual_init_std = init_std / std::sqrt(2.0 * double(num_layers));
    return config;
  }
};

}  // namespace eigenformer
