// A pre-norm transformer block (GPT-2: Radford et al., 2019), composed from parts:
//   1. h = x + Dropout(Attention(Norm_1(x)))     mix information across positions
//   2. y = h + Dropout(FFN(Norm_2(h)))           compute on each position
// Shapes: x, h, y (B*T, C). The residual stream x -> h -> y carries everything;
// each sub-layer reads a normalized copy and adds its result back.
//
// The parts are template parameters, so one block serves all families:
//   GPT2Block<S>          = LayerNorm, attention with learned positions, GELU MLP
//   LlamaBlock<S>         = RMSNorm,   attention with RoPE,             SwiGLU
//   AttentionOnlyBlock<S> = LayerNorm, attention, no FFN (step 2 skipped): the toy
//                           models in which induction heads were found (Olsson et al., 2022)
#pragma once

#include <string>
#include <type_traits>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/nn/block_config.hpp"
#include "eigenformer/nn/causal_self_attention.hpp"
#include "eigenformer/nn/dropout.hpp"
#include "eigenformer/nn/layer_norm.hpp"
#include "eigenformer/nn/mlp.hpp"
#include "eigenformer/nn/rms_norm.hpp"
#include "eigenformer/nn/rope.hpp"
#include "eigenformer/nn/swiglu.hpp"

namespace eigenformer {

/// The empty FFN slot of an attention-only block: it contributes nothing, and the
/// block skips step 2 (and its norm) altogether.
template <class S>
struct NoFFN {
  using Scalar = S;
  NoFFN(const BlockConfig&, Rng&, const std::string&) {}
  const Matrix<S>& forward(const Matrix<S>& x) { return zeros_ = Matrix<S>::Zero(x.rows(), x.cols()); }
  const Matrix<S>& backward(const Matrix<S>& dy) { return zeros_ = Matrix<S>::Zero(dy.rows(), dy.cols()); }
  template <class Visit>
  void parameters(Visit&&) {}

 private:
  Matrix<S> zeros_;
};

template <class S, Layer NormLayer, SequenceLayer Attention, Layer FFN>
class TransformerBlock {
 public:
  using Scalar = S;
  using Norm = NormLayer;                              // the model's final norm is of the same kind
  static constexpr bool kRotary = Attention::kRotary;  // positions from RoPE, not a learned embedding
  static constexpr bool kHasFFN = !std::is_same_v<FFN, NoFFN<S>>;

  TransformerBlock(const BlockConfig& config, Rng& rng, const std::string& name = "block")
      : norm_1_(config.channels, child_name(name, "norm_1"), S(config.norm_eps)),
        attention_(config, rng, child_name(name, "attn")),
        norm_2_(config.channels, child_name(name, "norm_2"), S(config.norm_eps)),
        ffn_(config, rng, child_name(name, "ffn")),
        attention_dropout_(config.dropout, rng.next()),
        ffn_dropout_(config.dropout, rng.next()) {}

  const Matrix<S>& forward(const Matrix<S>& x, Index batch, Index time) {
    return residual_forward(x,
                            [&](const Matrix<S>& h) -> const Matrix<S>& { return attention_.forward(h, batch, time); });
  }

  /// Generation with the attention's KV cache (see CausalSelfAttention::forward_cached).
  const Matrix<S>& forward_cached(const Matrix<S>& x, Index batch, Index time) {
    return residual_forward(
        x, [&](const Matrix<S>& h) -> const Matrix<S>& { return attention_.forward_cached(h, batch, time); });
  }

  void reset_cache() { attention_.reset_cache(); }

  /// The residual sums pass the gradient straight through and add each branch's:
  ///   2. dh = dy + Norm_2^T(FFN^T(Dropout^T(dy)))
  ///   1. dx = dh + Norm_1^T(Attention^T(Dropout^T(dh)))
  const Matrix<S>& backward(const Matrix<S>& dy) {
    if constexpr (kHasFFN)
      hidden_grad_ = dy + norm_2_.backward(ffn_.backward(ffn_dropout_.backward(dy)));
    else
      hidden_grad_ = dy;
    input_grad_ = hidden_grad_ + norm_1_.backward(attention_.backward(attention_dropout_.backward(hidden_grad_)));
    return input_grad_;
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    norm_1_.parameters(visit);
    attention_.parameters(visit);
    if constexpr (kHasFFN) {
      norm_2_.parameters(visit);
      ffn_.parameters(visit);
    }
  }

  /// Dropout is active only in training.
  void set_training(bool training) {
    attention_dropout_.set_training(training);
    ffn_dropout_.set_training(training);
  }

  Attention& attention() { return attention_; }

 private:
  template <class Attend>
  const Matrix<S>& residual_forward(const Matrix<S>& x, Attend&& attend) {
    // 1. h = x + Dropout(Attention(Norm_1(x)))
    hidden_ = x + attention_dropout_.forward(attend(norm_1_.forward(x)));
    if constexpr (!kHasFFN) return hidden_;
    // 2. y = h + Dropout(FFN(Norm_2(h)))
    output_ = hidden_ + ffn_dropout_.forward(ffn_.forward(norm_2_.forward(hidden_)));
    return output_;
  }

  Norm norm_1_;
  Attention attention_;
  Norm norm_2_;
  FFN ffn_;
  Dropout<S> attention_dropout_, ffn_dropout_;
  Matrix<S> hidden_, output_, hidden_grad_, input_grad_;
};

template <class S>
using GPT2Block = TransformerBlock<S, LayerNorm<S>, CausalSelfAttention<S>, MLP<S>>;

template <class S>
using AttentionOnlyBlock = TransformerBlock<S, LayerNorm<S>, CausalSelfAttention<S>, NoFFN<S>>;

template <class S>
using LlamaBlock = TransformerBlock<S, RMSNorm<S>, CausalSelfAttention<S, Rope<S>>, SwiGLU<S>>;

}  // namespace eigenformer
