// The sizes and options that every component of a transformer block is built from.
//
// One struct, so that TransformerBlock<Norm, Attention, FFN> can build any choice
// of components the same way: Norm(channels, name, eps), Attention(config, rng,
// name), FFN(config, rng, name).
#pragma once

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

struct BlockConfig {
  Index channels = 64;    // C, the width of the residual stream
  Index num_heads = 4;    // H; each head sees head_dim = C / H channels
  Index block_size = 64;  // the longest sequence T the block accepts
  Index ffn_hidden = 0;   // the FFN's inner width; 0 lets each FFN choose its usual one
  bool bias = true;       // biases in the Linear layers (GPT-2 yes, LLaMA no)
  double dropout = 0.0;   // residual dropout after attention and after the FFN
  double norm_eps = 1e-5;
  double rope_theta = 10000.0;      // RoPE's base frequency
  double init_std = 0.02;           // std of weight matrices at initialization
  double residual_init_std = 0.02;  // std of the projections into the residual stream

  Index head_dim() const { return channels / num_heads; }

  void validate() const {
    EF_CHECK(channels > 0, "channels must be positive, got " << channels);
    EF_CHECK(num_heads > 0, "num_heads must be positive, got " << num_heads);
    EF_CHECK(channels % num_heads == 0, "channels " << channels << " is not divisible by num_heads " << num_heads);
    EF_CHECK(block_size > 0, "block_size must be positive, got " << block_size);
    EF_CHECK(ffn_hidden >= 0, "ffn_hidden must be >= 0 (0 = default), got " << ffn_hidden);
    EF_CHECK(dropout >= 0.0 && dropout < 1.0, "dropout must be in [0, 1), got " << dropout);
    EF_CHECK(norm_eps > 0.0, "norm_eps must be positive, got " << norm_eps);
    EF_CHECK(init_std >= 0.0 && residual_init_std >= 0.0,
             "init stds must be >= 0, got " << init_std << " and " << residual_init_std);
  }
};

}  // namespace eigenformer
