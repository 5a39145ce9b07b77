// How big a model is and what training it costs: the two axes of the scaling laws.
//
//   N = the non-embedding parameters (Kaplan et al. 2020, "Scaling Laws for Neural
//       Language Models", sec. 2.1: "excluding all vocabulary and positional
//       embeddings"): every weight of the blocks and the final norm, not the token and
//       position tables wte and wpe, nor an untied output layer lm_head (a vocabulary
//       matrix too). Their laws are cleanest in this N.
//   C = 6 N D, the training FLOPs for D tokens (Kaplan, Table 1): each weight takes one
//       multiply-add per token forward (2 FLOPs) and two backward (the input's gradient
//       and the weight's: 4 FLOPs).
// 6 N D leaves out two costs that small models feel. The output layer multiplies by a
// V x C matrix per token (wte, or lm_head: not in N): 6 V C per token. And attention's
// own products, q k^T and P v, grow with the context: the token at position t attends
// to t + 1 keys, so each product takes (t + 1) C multiply-adds per layer, (T + 1) / 2 on
// average over a causal window of T; forward and backward, 6 L (T + 1) C FLOPs per
// token. training_flops_per_token counts all three, to show how far 6 N D is from the
// arithmetic a step really does.
#pragma once

#include <string>

#include "eigenformer/core/types.hpp"
#include "eigenformer/nn/gpt_config.hpp"

namespace eigenformer {

struct ModelSize {
  Index total = 0;                                           // every number the optimizer updates
  Index embedding = 0;                                       // the token and position tables (wte, wpe)
  Index non_embedding() const { return total - embedding; }  // Kaplan's N
};

/// Counts a model's parameters by visiting them (any model with parameters(visit)).
template <class Model>
ModelSize model_size(Model& model) {
  ModelSize size;
  model.parameters([&](const auto& parameter) {
    size.total += Index(parameter.value.size());
    if (parameter.name == "wte.weight" || parameter.name == "wpe.weight" || parameter.name == "lm_head.weight")
      size.embedding += Index(parameter.value.size());
  });
  return size;
}

/// C = 6 N D: Kaplan's training compute, N non-embedding parameters, D tokens.
inline double training_flops(Index non_embedding_parameters, double tokens) {
  return 6.0 * double(non_embedding_parameters) * tokens;
}

/// The FLOPs of one trained token, forward and backward, counting the output layer's
/// product and attention's over a full causal window of config.block_size (see above).
inline double training_flops_per_token(const GPTConfig& config, Index non_embedding_parameters) {
  const double C = double(config.channels), V = double(config.vocab_size), T = double(config.block_size);
  return 6.0 * (double(non_embedding_parameters) + V * C + double(config.num_layers) * (T + 1) * C);
}

}  // namespace eigenformer
