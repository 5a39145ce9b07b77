// What a training step of a GPT-2 model holds in memory, by part.
//
// The weights W (N numbers), their gradients (N), AdamW's two moments (2N), and the
// activations: what a training forward keeps for backward (GPT::Activations), which grow
// with the batch B and the context T, and with T^2 in attention. Per block, with
// n = B*T positions, C channels, H heads, F the FFN's width and s bytes per number:
//   norm_1, norm_2   xhat (n, C) and 1/std (n,)                        2 (nC + n) s
//   attention        its input (n, C), [q|k|v] (n, 3C), P (B*H, T, T),
//                    the heads' output Y (n, C)                         (5 nC + B H T^2) s
//   MLP              its input (n, C), a and GELU(a) (n, F)             (nC + 2 nF) s
//   dropout          a mask (n, C) after attention and after the MLP   2 nC s, when p > 0
// and once per model: the token ids (4n bytes), the embedding's dropout mask (nC s, when
// p > 0), norm_f's xhat and 1/std, its output h (n, C) and the loss's softmax (n, V),
// targets (4n bytes) and per-row losses (n s). llm.c's ActivationTensors list the same
// buffers. A test checks this count against the bytes a forward actually keeps.
#pragma once

#include <cstddef>

#include "eigenformer/core/types.hpp"
#include "eigenformer/nn/gpt_config.hpp"

namespace eigenformer {

/// Bytes a training forward of a GPT with GPT-2 blocks keeps for backward, batch B,
/// context T, numbers of `scalar_bytes` (4 for float).
inline std::size_t activation_bytes(const GPTConfig& config, Index batch, Index time, std::size_t scalar_bytes) {
  const double n = double(batch * time), C = double(config.channels), V = double(config.vocab_size);
  const double F = double(config.ffn_hidden > 0 ? config.ffn_hidden : 4 * config.channels);
  const double heads = double(config.num_heads), T = double(time), s = double(scalar_bytes);
  const double dropout = config.dropout > 0 ? 1 : 0;
  const double norms = 2 * (n * C + n);
  const double attention = 5 * n * C + double(batch) * heads * T * T;
  const double mlp = n * C + 2 * n * F;
  const double block = (norms + attention + mlp + dropout * 2 * n * C) * s;
  const double model = 4 * n + dropout * n * C * s + (n * C + n) * s + n * C * s + n * V * s + 4 * n + n * s;
  return std::size_t(double(config.num_layers) * block + model);
}

/// A training step's memory with AdamW, by part (bytes).
struct TrainingMemory {
  std::size_t weights = 0, gradients = 0, optimizer = 0, activations = 0;
  std::size_t total() const { return weights + gradients + optimizer + activations; }
};

/// parameters: the model's count (model.num_parameters()).
inline TrainingMemory training_memory(const GPTConfig& config, Index parameters, Index batch, Index time,
                                      std::size_t scalar_bytes) {
  const std::size_t weights = std::size_t(parameters) * scalar_bytes;
  return {weights, weights, 2 * weights, activation_bytes(config, batch, time, scalar_bytes)};
}

}  // namespace eigenformer
