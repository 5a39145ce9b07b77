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

#include <concepts>
#include <string>
#include <type_traits>

#include "eigenformer/core/forward_record.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/model/gpt_config.hpp"
#include "eigenformer/nn/causal_self_attention.hpp"
#include "eigenformer/nn/dropout.hpp"
#include "eigenformer/nn/layer_norm.hpp"
#include "eigenformer/nn/mlp.hpp"
#include "eigenformer/nn/rms_norm.hpp"
#include "eigenformer/nn/rope.hpp"
#include "eigenformer/nn/swiglu.hpp"

namespace eigenformer {

/// Everything a block needs of its attention; CausalSelfAttention meets it, and so can
/// yours (examples/write_your_own_attention.cpp). A sequence layer that is built as
/// Attention(config, rng, name), says whether it rotates positions itself (kRotary: then
/// the model has no position embedding), and runs generation against a KV cache.
template <class A>
concept AttentionLayer = SequenceLayer<A> && std::constructible_from<A, const GPTConfig&, Rng&, const std::string&> &&
    requires(A& attention, const Matrix<typename A::Scalar>& x, Index n,
             typename KVCache<typename A::Scalar>::Layer cache) {
  { A::kRotary } -> std::convertible_to<bool>;
  { attention.forward(x, n, n, cache) } -> std::convertible_to<Matrix<typename A::Scalar>>;
};

/// The empty FFN slot of an attention-only block: the block skips step 2 (and its norm).
template <class S>
struct NoFFN {
  using Scalar = S;
  NoFFN(const GPTConfig&, Rng&, const std::string&) {}
  Matrix<S> forward(const Matrix<S>& x) { return Matrix<S>::Zero(x.rows(), x.cols()); }
  Matrix<S> backward(const Matrix<S>&, const Matrix<S>& dy) { return Matrix<S>::Zero(dy.rows(), dy.cols()); }
  template <class Visit>
  void parameters(Visit&&) {}
};

template <class S, Layer NormLayer, AttentionLayer Attention, Layer FFN>
class TransformerBlock {
  static_assert(std::is_same_v<typename NormLayer::Scalar, S> && std::is_same_v<typename Attention::Scalar, S> &&
                    std::is_same_v<typename FFN::Scalar, S>,
                "TransformerBlock: the norm, attention and FFN must use the block's number type S");

 public:
  using Scalar = S;
  using Norm = NormLayer;                              // the model's final norm is of the same kind
  static constexpr bool kRotary = Attention::kRotary;  // positions from RoPE, not a learned embedding
  static constexpr bool kHasFFN = !std::is_same_v<FFN, NoFFN<S>>;

  TransformerBlock(const GPTConfig& config, Rng& rng, const std::string& name = "block")
      : name_(name),
        norm_1_(config.channels, child_name(name, "norm_1"), S(config.norm_eps)),
        attention_(config, rng, child_name(name, "attn")),
        norm_2_(config.channels, child_name(name, "norm_2"), S(config.norm_eps)),
        ffn_(config, rng, child_name(name, "ffn")),
        attention_dropout_(config.dropout, rng.next()),
        ffn_dropout_(config.dropout, rng.next()) {}

  /// Training: x (B*T, C) -> y (B*T, C). Keeps Norm_1(x), h and Norm_2(h) for backward.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time) {
    const ComposedForward<S> scope(record_, x);
    // 1. h = x + Dropout(Attention(Norm_1(x)))
    normed_1_ = norm_1_.forward(x);
    hidden_ = x + attention_dropout_.forward(attention_.forward(normed_1_, batch, time));
    // 2. y = h + Dropout(FFN(Norm_2(h)))
    return add_feed_forward(hidden_);
  }

  /// Generation: the same two steps, attention continuing the sequences in its KV cache.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, typename KVCache<S>::Layer cache) {
    record_.record_no_backward();
    const CompositeScope scope;
    // 1. h = x + Attention(Norm_1(x))     (no dropout: generation runs in eval mode)
    normed_1_ = norm_1_.forward(x);
    hidden_ = x + attention_.forward(normed_1_, batch, time, cache);
    // 2. y = h + FFN(Norm_2(h))
    return add_feed_forward(hidden_);
  }

  /// The residual sums pass the gradient straight through and add each branch's:
  ///   2. dh = dy + Norm_2^T(FFN^T(Dropout^T(dy)))
  ///   1. dx = dh + Norm_1^T(Attention^T(Dropout^T(dh)))
  /// each sub-layer handed the input its forward saw.
  Matrix<S> backward(const Matrix<S>& x, const Matrix<S>& dy) {
    const ComposedBackward<S> scope(record_, x, name_);
    const Matrix<S> dh = feed_forward_backward(dy);
    return dh + norm_1_.backward(x, attention_.backward(normed_1_, attention_dropout_.backward(dh)));
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
  /// Step 2, y = h + Dropout(FFN(Norm_2(h))); an attention-only block has none: y = h.
  Matrix<S> add_feed_forward(const Matrix<S>& h) {
    if constexpr (!kHasFFN) return h;
    normed_2_ = norm_2_.forward(h);
    return h + ffn_dropout_.forward(ffn_.forward(normed_2_));
  }

  /// Step 2 backward, dh = dy + Norm_2^T(FFN^T(Dropout^T(dy))); without an FFN, dh = dy.
  Matrix<S> feed_forward_backward(const Matrix<S>& dy) {
    if constexpr (!kHasFFN) return dy;
    return dy + norm_2_.backward(hidden_, ffn_.backward(normed_2_, ffn_dropout_.backward(dy)));
  }

  std::string name_;
  Norm norm_1_;
  Attention attention_;
  Norm norm_2_;
  FFN ffn_;
  Dropout<S> attention_dropout_, ffn_dropout_;
  ForwardRecord<S> record_;
  Matrix<S> normed_1_, hidden_, normed_2_;  // Norm_1(x), h and Norm_2(h) of the last forward
};

template <class S>
using GPT2Block = TransformerBlock<S, LayerNorm<S>, CausalSelfAttention<S>, MLP<S>>;

template <class S>
using AttentionOnlyBlock = TransformerBlock<S, LayerNorm<S>, CausalSelfAttention<S>, NoFFN<S>>;

template <class S>
using LlamaBlock = TransformerBlock<S, RMSNorm<S>, CausalSelfAttention<S, Rope<S>>, SwiGLU<S>>;

}  // namespace eigenformer
