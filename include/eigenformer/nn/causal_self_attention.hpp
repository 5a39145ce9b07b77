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
// own contiguous (T, T) block of P that stays in cache. The per-pair equations, plainly,
// are nn/causal_attention.hpp; the layer runs the same numbers through the kernel in
// fast/causal_attention.hpp, which skips the masked future.
// Generating, forward with a KVCache (kv_cache.hpp) appends each new position's k and v
// to the cache the caller owns, so a new token computes only its own q, k, v and
// attends over the cache: O(T) per token instead of re-running the whole sequence.
#pragma once

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/threads.hpp"
#include "eigenformer/fast/causal_attention.hpp"
#include "eigenformer/nn/gpt_config.hpp"
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

  /// What backward reads: the batch shape, [q | k | v] (B*T, 3C) after rotation, the
  /// attention weights P (B*H*T, T) and the projections' saved states (x; the heads'
  /// outputs Y). P is also what probes and plots read.
  struct Saved {
    Index batch = 0, time = 0;
    typename Linear<S>::Saved qkv;
    Matrix<S> qkv_out, probabilities;
    typename Linear<S>::Saved proj;
    Matrix<S> probabilities_grad;  // backward's dS scratch, (B*H*T, T), reused from step to step
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(qkv, qkv_out, probabilities, proj); }
  };

  /// Training: x (B*T, C) -> (B*T, C); rows b*T .. b*T+T-1 are sequence b.
  /// x is taken by value: a temporary (the norm's output) moves into the saved state.
  Matrix<S> forward(Matrix<S> x, Index batch, Index time, Saved& saved) const {
    saved.ticket.clear();
    check_input(x, batch, time, 0);
    saved.batch = batch, saved.time = time;
    saved.qkv_out = project_qkv(qkv_.forward(std::move(x), saved.qkv), batch, time, 0);  // (B*T, 3C): [q | k | v]
    Matrix<S> heads_out;
    attend(saved.qkv_out, batch, time,
           {.keys = saved.qkv_out,
            .key_column = channels_,
            .values = saved.qkv_out,
            .value_column = 2 * channels_,
            .rows_per_sequence = time,
            .past = 0},
           saved.probabilities, heads_out);
    Matrix<S> y = proj_.forward(std::move(heads_out), saved.proj);
    saved.ticket.issue(this);
    return y;
  }

  /// Generation: x (B*T, C) holds the next T positions of B sequences, which continue
  /// the `cache.length` positions already in the cache. Their keys and values join the
  /// cache; queries attend over everything cached so far. Keeps nothing for backward.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, typename KVCache<S>::Layer cache) const {
    EF_CHECK(cache.batch == batch && cache.block_size == block_size_,
             name_ << ": the KV cache is for batch " << cache.batch << " and block size " << cache.block_size
                   << ", the call has batch " << batch << " and the layer block size " << block_size_);
    check_input(x, batch, time, cache.length);
    const Index C = channels_, past = cache.length;
    if (past == 0) {  // (B * block_size, C): row b * block_size + position
      cache.keys.resize(batch * block_size_, C);
      cache.values.resize(batch * block_size_, C);
    }
    const Matrix<S> qkv = project_qkv(qkv_.forward(x), batch, time, past);
    for (Index b = 0; b < batch; ++b) {
      cache.keys.block(b * block_size_ + past, 0, time, C) = qkv.block(b * time, C, time, C);
      cache.values.block(b * block_size_ + past, 0, time, C) = qkv.block(b * time, 2 * C, time, C);
    }
    Matrix<S> probabilities, heads_out;
    attend(qkv, batch, time,
           {.keys = cache.keys,
            .key_column = 0,
            .values = cache.values,
            .value_column = 0,
            .rows_per_sequence = block_size_,
            .past = past},
           probabilities, heads_out);
    return proj_.forward(heads_out);
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
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, name_);
    const Matrix<S> heads_grad = proj_.backward(saved.proj, dy);  // (B*T, C)
    const Index B = saved.batch, C = channels_, D = head_dim_, H = num_heads_, T = saved.time;
    Matrix<S> qkv_grad(B * T, 3 * C);
    saved.probabilities_grad.resize(saved.probabilities.rows(), T);
    const S scale = S(1) / std::sqrt(S(D));
    EF_PARALLEL_FOR_IF(worth_parallel(B * H * T * T * D * 4))
    for (Index bh = 0; bh < B * H; ++bh) {
      const Index b = bh / H, h = bh % H;
      const auto q = saved.qkv_out.block(b * T, h * D, T, D);
      const auto k = saved.qkv_out.block(b * T, C + h * D, T, D);
      const auto v = saved.qkv_out.block(b * T, 2 * C + h * D, T, D);
      const auto p = saved.probabilities.middleRows(bh * T, T);
      if (!head_enabled_[std::size_t(h)]) {  // its output was a constant 0
        for (Index part = 0; part < 3; ++part) qkv_grad.block(b * T, part * C + h * D, T, D).setZero();
        continue;
      }
      fast::causal_attention_backward(q, k, v, p, heads_grad.block(b * T, h * D, T, D), scale,
                                      saved.probabilities_grad.middleRows(bh * T, T),
                                      qkv_grad.block(b * T, h * D, T, D), qkv_grad.block(b * T, C + h * D, T, D),
                                      qkv_grad.block(b * T, 2 * C + h * D, T, D));
    }
    for (Index b = 0; b < B; ++b) rotation_.rotate(qkv_grad.block(b * T, 0, T, 2 * C), 0, true);
    return qkv_.backward(saved.qkv, qkv_grad);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    qkv_.parameters(visit);
    proj_.parameters(visit);
  }

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

  /// q and k of [q | k | v] (B*T, 3C) rotated to positions first_position, first_position+1, ...
  /// (RoPE; nothing for GPT-2's attention).
  Matrix<S> project_qkv(Matrix<S> qkv, Index batch, Index time, Index first_position) const {
    if constexpr (kRotary)
      for (Index b = 0; b < batch; ++b)
        rotation_.rotate(qkv.block(b * time, 0, time, 2 * channels_), first_position, false);
    return qkv;
  }

  /// For every (b, h): P = causal softmax(q k^T / sqrt(D)) (B*H*T, L), Y = P v (B*T, C, head h
  /// in columns h*D .. h*D+D-1). The queries are the T rows of each sequence of `queries`.
  void attend(const Matrix<S>& queries, Index batch, Index time, const KeysAndValues& kv, Matrix<S>& probabilities,
              Matrix<S>& heads_out) const {
    const Index C = channels_, D = head_dim_, H = num_heads_, T = time, L = kv.past + time;
    probabilities.resize(batch * H * T, L);  // one (T, L) block per (b, h)
    heads_out.resize(batch * T, C);
    const S scale = S(1) / std::sqrt(S(D));
    EF_PARALLEL_FOR_IF(worth_parallel(batch * H * T * L * D * 2))
    for (Index bh = 0; bh < batch * H; ++bh) {
      const Index b = bh / H, h = bh % H;
      const auto q = queries.block(b * T, h * D, T, D);
      const auto k = kv.keys.block(b * kv.rows_per_sequence, kv.key_column + h * D, L, D);
      const auto v = kv.values.block(b * kv.rows_per_sequence, kv.value_column + h * D, L, D);
      auto y = heads_out.block(b * T, h * D, T, D);
      fast::causal_attention_forward(q, k, v, kv.past, scale, probabilities.middleRows(bh * T, T), y);
      if (!head_enabled_[std::size_t(h)]) y.setZero();  // ablated: the head contributes nothing
    }
  }

  std::string name_;
  Index channels_, num_heads_, head_dim_, block_size_;
  Linear<S> qkv_, proj_;
  Rotation rotation_;
  std::vector<bool> head_enabled_;
};

}  // namespace eigenformer
