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

#include "eigenformer/core/layer.hpp"
#include "eigenformer/nn/causal_self_attention.hpp"
#include "eigenformer/nn/dropout.hpp"
#include "eigenformer/nn/gpt_config.hpp"
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
    requires(const A& attention, const Matrix<typename A::Scalar>& x, Index n,
             typename KVCache<typename A::Scalar>::Layer cache) {
  { A::kRotary } -> std::convertible_to<bool>;
  { attention.forward(x, n, n, cache) } -> std::convertible_to<Matrix<typename A::Scalar>>;
};

/// The empty FFN slot of an attention-only block: the block skips step 2 (and its norm).
template <class S>
struct NoFFN {
  using Scalar = S;
  struct Saved {
    std::size_t bytes() const { return 0; }
  };
  NoFFN(const GPTConfig&, Rng&, const std::string&) {}
  Matrix<S> forward(const Matrix<S>& x) const { return Matrix<S>::Zero(x.rows(), x.cols()); }
  Matrix<S> forward(const Matrix<S>& x, Saved&) const { return forward(x); }
  Matrix<S> backward(Saved&, const Matrix<S>& dy) { return Matrix<S>::Zero(dy.rows(), dy.cols()); }
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

  /// What backward reads: each part's saved state (Norm_1's xhat; attention's q, k, v, P,
  /// Y; Norm_2's; the FFN's). The residual sums keep nothing: their backward is a copy.
  struct Saved {
    typename Norm::Saved norm_1;
    typename Attention::Saved attention;
    typename Dropout<S>::Saved attention_dropout;
    typename Norm::Saved norm_2;
    typename FFN::Saved ffn;
    typename Dropout<S>::Saved ffn_dropout;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(norm_1, attention, attention_dropout, norm_2, ffn, ffn_dropout); }
  };

  /// Training: x (B*T, C) -> y (B*T, C).
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, Saved& saved) const {
    saved.ticket.clear();
    // 1. h = x + Dropout(Attention(Norm_1(x)))
    Matrix<S> h = x + attention_dropout_.forward(
                          attention_.forward(norm_1_.forward(x, saved.norm_1), batch, time, saved.attention),
                          saved.attention_dropout);
    // 2. y = h + Dropout(FFN(Norm_2(h)))
    if constexpr (kHasFFN)
      h += ffn_dropout_.forward(ffn_.forward(norm_2_.forward(h, saved.norm_2), saved.ffn), saved.ffn_dropout);
    saved.ticket.issue(this);
    return h;
  }

  /// Generation: the same two steps without dropout, attention continuing the sequences
  /// in its KV cache. Keeps nothing for backward.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, typename KVCache<S>::Layer cache) const {
    // 1. h = x + Attention(Norm_1(x))
    Matrix<S> h = x + attention_.forward(norm_1_.forward(x), batch, time, cache);
    // 2. y = h + FFN(Norm_2(h))
    if constexpr (kHasFFN) h += ffn_.forward(norm_2_.forward(h));
    return h;
  }

  /// The residual sums pass the gradient straight through and add each branch's:
  ///   2. dh = dy + Norm_2^T(FFN^T(Dropout^T(dy)))
  ///   1. dx = dh + Norm_1^T(Attention^T(Dropout^T(dh)))
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, name_);
    const Matrix<S> dh = feed_forward_backward(saved, dy);
    return dh + norm_1_.backward(saved.norm_1, attention_.backward(saved.attention, attention_dropout_.backward(
                                                                                        saved.attention_dropout, dh)));
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

  Attention& attention() { return attention_; }
  const Attention& attention() const { return attention_; }

 private:
  /// Step 2 backward, dh = dy + Norm_2^T(FFN^T(Dropout^T(dy))); without an FFN, dh = dy.
  Matrix<S> feed_forward_backward(Saved& saved, const Matrix<S>& dy) {
    if constexpr (kHasFFN)
      return dy +
             norm_2_.backward(saved.norm_2, ffn_.backward(saved.ffn, ffn_dropout_.backward(saved.ffn_dropout, dy)));
    else
      return dy;
  }

  std::string name_;
  Norm norm_1_;
  Attention attention_;
  Norm norm_2_;
  FFN ffn_;
  Dropout<S> attention_dropout_, ffn_dropout_;
};

template <class S>
using GPT2Block = TransformerBlock<S, LayerNorm<S>, CausalSelfAttention<S>, MLP<S>>;

template <class S>
using AttentionOnlyBlock = TransformerBlock<S, LayerNorm<S>, CausalSelfAttention<S>, NoFFN<S>>;

template <class S>
using LlamaBlock = TransformerBlock<S, RMSNorm<S>, CausalSelfAttention<S, Rope<S>>, SwiGLU<S>>;

}  // namespace eigenformer
