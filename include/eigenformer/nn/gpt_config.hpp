// The blueprint of a GPT: sizes and options, nothing learned. One struct for every
// knob: the model, each block and each layer in it are built from it, and a
// checkpoint saves all of it.
//
// Parameter count of the GPT-2 shape, ignoring biases and norms:
//   V*C (token embedding, tied with the output layer) + T*C (positions)
//   + L * 12 C^2 (per block: 3C^2 for q,k,v + C^2 output projection + 8C^2 MLP)
// The presets run from "nano" (~45K parameters, trains in seconds) to GPT-2
// small's shape (124M; Radford et al., 2019).
#pragma once

#include <cmath>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/os.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

struct GPTConfig {
  Index vocab_size = 64;        // V
  Index block_size = 64;        // T, the longest context
  Index num_layers = 2;         // L
  Index num_heads = 4;          // H; each head sees head_dim = C / H channels
  Index channels = 64;          // C, the width of the residual stream
  Index ffn_hidden = 0;         // the FFN's inner width; 0 lets each FFN choose its usual one (4C for the MLP)
  double dropout = 0.0;         // after the embeddings and each sub-layer, in training only
  bool bias = true;             // biases in the Linear layers (GPT-2 yes, LLaMA no)
  bool tie_embeddings = true;   // the output layer reuses the token embedding (GPT-2)
  double init_std = 0.02;       // GPT-2: weights N(0, 0.02^2), residual projections / sqrt(2L)
  double norm_eps = 1e-5;       // every norm's epsilon, the final norm's too
  double rope_theta = 10000.0;  // RoPE's base frequency (LLaMA blocks)

  Index head_dim() const { return channels / num_heads; }

  /// The std of the projections that write into the residual stream: each block adds
  /// two, so 1/sqrt(2L) keeps the stream's variance from growing with depth (GPT-2).
  double residual_init_std() const { return init_std / std::sqrt(2.0 * double(num_layers)); }

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
    return {
        .vocab_size = 64, .block_size = 64, .num_layers = 2, .num_heads = 2, .channels = 64, .tie_embeddings = false};
  }
  /// GPT-2 small: 124M parameters.
  static GPTConfig gpt2() {
    return {.vocab_size = 50257, .block_size = 1024, .num_layers = 12, .num_heads = 12, .channels = 768};
  }

  /// About how many numbers the model's weights take: V*C per embedding matrix (two if
  /// untied), T*C positions, and per layer 4C^2 of attention plus the FFN's 2*C*hidden
  /// (3*C*hidden for SwiGLU; 2*C*4C is the estimate's choice).
  double approximate_parameter_count() const {
    const double C = double(channels), hidden = ffn_hidden > 0 ? double(ffn_hidden) : 4 * C;
    return double(vocab_size) * C * (tie_embeddings ? 1 : 2) + double(block_size) * C +
           double(num_layers) * (4 * C * C + 2 * C * hidden);
  }

  /// Refuses, before allocating, a config whose weights and gradients alone (two numbers
  /// of bytes_per_number each per parameter) would not fit in this machine's memory.
  void check_fits_in_memory(std::size_t bytes_per_number) const {
    const double needed = 2 * approximate_parameter_count() * double(bytes_per_number);
    const double available = os::physical_memory_bytes();
    EF_CHECK(available == 0 || needed <= available,
             "this GPT config (vocab " << vocab_size << ", block " << block_size << ", " << num_layers
                                       << " layers, channels " << channels << ") needs about " << needed / 1e9
                                       << " GB for its weights and gradients, more than this machine's "
                                       << available / 1e9 << " GB of memory");
  }

  void validate() const {
    EF_CHECK(vocab_size > 0, "vocab_size must be positive, got " << vocab_size);
    EF_CHECK(num_layers > 0, "num_layers must be positive, got " << num_layers);
    EF_CHECK(channels > 0, "channels must be positive, got " << channels);
    EF_CHECK(num_heads > 0, "num_heads must be positive, got " << num_heads);
    EF_CHECK(channels % num_heads == 0, "channels " << channels << " is not divisible by num_heads " << num_heads);
    EF_CHECK(block_size > 0, "block_size must be positive, got " << block_size);
    EF_CHECK(ffn_hidden >= 0, "ffn_hidden must be >= 0 (0 = default), got " << ffn_hidden);
    EF_CHECK(dropout >= 0.0 && dropout < 1.0, "dropout must be in [0, 1), got " << dropout);
    EF_CHECK(init_std >= 0.0, "init_std must be >= 0, got " << init_std);
    EF_CHECK(norm_eps > 0.0, "norm_eps must be positive, got " << norm_eps);
    EF_CHECK(rope_theta > 1.0, "rope_theta must be > 1, got " << rope_theta);
  }
};

}  // namespace eigenformer
