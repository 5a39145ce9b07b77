// Multi-head causal self-attention (Vaswani et al., 2017; GPT: Radford et al., 2018).
//
// Each position asks a question (query), offers an index (key) and a message (value),
// all three from one fused product, x (B*T, C) -> (B*T, 3C):
// \[ [\,q \mid k \mid v\,] = x W_{qkv}^\top + b_{qkv} \]
// Split the C channels into H heads of D = C/H. For each sequence b and head h,
// with q, k, v the (T, D) slices of that head, the scores S (T, T), the weights P
// (softmax over \(j \le i\) only: the causal mask, position i never sees j > i) and
// the head's output Y (T, D), written to head h's columns:
// \[ S = \frac{q k^\top}{\sqrt{D}}, \qquad P_{ij} = \frac{e^{S_{ij}}}{\sum_{j' \le i} e^{S_{ij'}}}
//     \ (j \le i), \qquad Y = P v \]
// and finally \( \mathrm{out} = Y W_{proj}^\top + b_{proj} \), (B*T, C).
// Dividing by \(\sqrt{D}\) keeps the scores' variance near 1, so the softmax does not
// saturate. With RoPE (the Rotation parameter), q and k are rotated by position first.
// Each (b, h) pair is independent, so they run in parallel (OpenMP), each on its
// own contiguous (T, T) block of P that stays in cache; the per-pair work is a kernel
// written for speed (fast/causal_attention.hpp: it skips the masked future).
// Generating, forward with a KVCache (kv_cache.hpp) appends each new position's k and v
// to the cache the caller owns, so a new token computes only its own q, k, v and
// attends over the cache: O(T) per token instead of re-running the whole sequence.
#pragma once

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "eigenformer/core/forward_record.hpp"
#include "eigenformer/core/threads.hpp"
#include "eigenformer/fast/causal_attention.hpp"
#include "eigenformer/model/gpt_config.hpp"
#include "eigenformer/nn/kv_cache.hpp"
#include "eigenformer/nn/linear.hpp"
#include "eigenformer/nn/rope.hpp"
#include "eigenformer/nn/softmax.hpp"

namespace eigenformer {

template <class S, class Rotation = NoRotation<S>>
class CausalSelfAttention {
 public:
  using Scalar = S;
  static constexpr bool kRotary = !std::is_same_v<Rotation, NoRotation<S>>;  // positions by RoPE, not a wpe

  CausalSelfAttention(const GPTConfig& config, Rng& rng, const std::string& name = "attn")
      : name_(name),
        channels_((config.validate(), config.channels)),
        num_heads_(config.num_heads),
        head_dim_(config.head_dim()),
        block_size_(config.block_size),
        qkv_(channels_, 3 * channels_, config.bias, rng, child_name(name, "qkv"), config.init_std),
        proj_(channels_, channels_, config.bias, rng, child_name(name, "proj"), config.residual_init_std()),
        rotation_(head_dim_, block_size_, config.rope_theta),
        head_enabled_(std::size_t(num_heads_), true) {}

  Index num_heads() const { return num_heads_; }

  /// Training: x (B*T, C) -> (B*T, C); rows b*T .. b*T+T-1 are sequence b.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time) {
    check_input(x, batch, time, 0);
    const ComposedForward<S> scope(record_, x);
    batch_ = batch, time_ = time;
    qkv_out_ = project_qkv(x, 0);  // (B*T, 3C): [q | k | v], sequence b in rows b*T ..
    attend({.keys = qkv_out_,
            .key_column = channels_,
            .values = qkv_out_,
            .value_column = 2 * channels_,
            .rows_per_sequence = time,
            .past = 0});
    return proj_.forward(heads_out_);
  }

  /// Generation: x (B*T, C) holds the next T positions of B sequences, which continue
  /// the `cache.length` positions already in the cache. Their keys and values join the
  /// cache; queries attend over everything cached so far. No backward after this call.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, typename KVCache<S>::Layer cache) {
    EF_CHECK(cache.batch == batch && cache.block_size == block_size_,
             name_ << ": the KV cache is for batch " << cache.batch << " and block size " << cache.block_size
                   << ", the call has batch " << batch << " and the layer block size " << block_size_);
    check_input(x, batch, time, cache.length);
    record_.record_no_backward();
    const CompositeScope scope;
    batch_ = batch, time_ = time;
    const Index C = channels_, past = cache.length;
    if (past == 0) {  // (B * block_size, C): row b * block_size + position
      cache.keys.resize(batch * block_size_, C);
      cache.values.resize(batch * block_size_, C);
    }
    qkv_out_ = project_qkv(x, past);
    for (Index b = 0; b < batch; ++b) {
      cache.keys.block(b * block_size_ + past, 0, time, C) = qkv_out_.block(b * time, C, time, C);
      cache.values.block(b * block_size_ + past, 0, time, C) = qkv_out_.block(b * time, 2 * C, time, C);
    }
    attend({.keys = cache.keys,
            .key_column = 0,
            .values = cache.values,
            .value_column = 0,
            .rows_per_sequence = block_size_,
            .past = past});
    return proj_.forward(heads_out_);
  }

  /// Head ablation: a disabled head outputs zeros (and so passes no gradient).
  /// Used by probes to measure what one head contributes.
  void set_head_enabled(Index head, bool enabled) {
    EF_CHECK(head >= 0 && head < num_heads_, "head " << head << " is outside [0, " << num_heads_ << ")");
    head_enabled_[std::size_t(head)] = enabled;
  }

  /// Restating the forward per (b, h): S = q k^T * scale, P = softmax(S), Y = P v. So
  ///   dP = dY v^T,  dv = P^T dY,  dS = P * (dP - rowsum(P * dP)) * scale,
  ///   dq = dS k,    dk = dS^T q;  then undo the rotation and back through W_qkv.
  Matrix<S> backward(const Matrix<S>& x, const Matrix<S>& dy) {
    const ComposedBackward<S> scope(record_, x, name_);
    const Matrix<S> heads_grad = proj_.backward(heads_out_, dy);  // (B*T, C)
    const Index C = channels_, D = head_dim_, H = num_heads_, T = time_;
    Matrix<S> qkv_grad(batch_ * T, 3 * C);
    probabilities_grad_.resize(probabilities_.rows(), T);
    const S scale = S(1) / std::sqrt(S(D));
    EF_PARALLEL_FOR_IF(worth_parallel(batch_ * H * T * T * D * 4))
    for (Index bh = 0; bh < batch_ * H; ++bh) {
      const Index b = bh / H, h = bh % H;
      const auto q = qkv_out_.block(b * T, h * D, T, D);
      const auto k = qkv_out_.block(b * T, C + h * D, T, D);
      const auto v = qkv_out_.block(b * T, 2 * C + h * D, T, D);
      const auto p = probabilities_.middleRows(bh * T, T);
      if (!head_enabled_[std::size_t(h)]) {  // its output was a constant 0
        for (Index part = 0; part < 3; ++part) qkv_grad.block(b * T, part * C + h * D, T, D).setZero();
        continue;
      }
      fast::causal_attention_backward(q, k, v, p, heads_grad.block(b * T, h * D, T, D), scale,
                                      probabilities_grad_.middleRows(bh * T, T), qkv_grad.block(b * T, h * D, T, D),
                                      qkv_grad.block(b * T, C + h * D, T, D),
                                      qkv_grad.block(b * T, 2 * C + h * D, T, D));
    }
    for (Index b = 0; b < batch_; ++b) rotation_.rotate(qkv_grad.block(b * T, 0, T, 2 * C), 0, true);
    return qkv_.backward(x, qkv_grad);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    qkv_.parameters(visit);
    proj_.parameters(visit);
  }

  /// Attention weights of the last forward, (B*H*T, L): rows (b*H + h)*T + i hold
  /// head h's distribution over positions j of sequence b (L = T in training, the
  /// cached length + T when generating). For probes and plots.
  const Matrix<S>& probabilities() const { return probabilities_; }

 private:
  /// Where the keys and values of the T new queries' sequences are: sequence b's
  /// start at row b * rows_per_sequence of `keys` (columns from key_column) and of
  /// `values` (from value_column); the first `past` of them come before the queries.
  struct KeysAndValues {
    const Matrix<S>& keys;
    Index key_column;
    const Matrix<S>& values;
    Index value_column;
    Index rows_per_sequence;
    Index past;
  };

  void check_input(const Matrix<S>& x, Index batch, Index time, Index past) const {
    EF_CHECK(time > 0 && past + time <= block_size_,
             "sequence length T = " << past + time << " is outside [1, block_size = " << block_size_ << "]");
    EF_CHECK(batch > 0 && x.rows() == batch * time,
             "attention input has " << x.rows() << " rows, expected B*T = " << batch << "*" << time);
  }

  /// [q | k | v] = x W_qkv^T + b_qkv, (B*T, 3C); q and k rotated to their positions
  /// first_position, first_position+1, ... (RoPE; nothing for GPT-2's attention).
  Matrix<S> project_qkv(const Matrix<S>& x, Index first_position) {
    Matrix<S> qkv = qkv_.forward(x);
    if constexpr (kRotary)
      for (Index b = 0; b < batch_; ++b)
        rotation_.rotate(qkv.block(b * time_, 0, time_, 2 * channels_), first_position, false);
    return qkv;
  }

  /// For every (b, h): P = causal softmax(q k^T / sqrt(D)), Y = P v, into heads_out_.
  /// Queries are the T new rows of qkv_out_.
  void attend(const KeysAndValues& kv) {
    const Index C = channels_, D = head_dim_, H = num_heads_, T = time_, L = kv.past + time_;
    probabilities_.resize(batch_ * H * T, L);  // (B*H*T, L): one (T, L) block per (b, h)
    heads_out_.resize(batch_ * T, C);          // (B*T, C): head h in columns h*D .. h*D+D-1
    const S scale = S(1) / std::sqrt(S(D));
    EF_PARALLEL_FOR_IF(worth_parallel(batch_ * H * T * L * D * 2))
    for (Index bh = 0; bh < batch_ * H; ++bh) {
      const Index b = bh / H, h = bh % H;
      const auto q = qkv_out_.block(b * T, h * D, T, D);
      const auto k = kv.keys.block(b * kv.rows_per_sequence, kv.key_column + h * D, L, D);
      const auto v = kv.values.block(b * kv.rows_per_sequence, kv.value_column + h * D, L, D);
      auto y = heads_out_.block(b * T, h * D, T, D);
      fast::causal_attention_forward(q, k, v, kv.past, scale, probabilities_.middleRows(bh * T, T), y);
      if (!head_enabled_[std::size_t(h)]) y.setZero();  // ablated: the head contributes nothing
    }
  }

  std::string name_;
  Index channels_, num_heads_, head_dim_, block_size_;
  Linear<S> qkv_, proj_;
  Rotation rotation_;
  std::vector<bool> head_enabled_;
  // What the last forward kept for backward: its shape, [q | k | v] (B*T, 3C), the
  // attention weights P (B*H*T, L) and the heads' outputs Y (B*T, C), proj's input.
  ForwardRecord<S> record_;
  Index batch_ = 0, time_ = 0;
  Matrix<S> qkv_out_, probabilities_, heads_out_;
  Matrix<S> probabilities_grad_;  // backward's dS, (B*H*T, T), reused from step to step
};

}  // namespace eigenformer
