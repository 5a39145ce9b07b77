// Multi-head causal self-attention (Vaswani et al., 2017; GPT: Radford et al., 2018).
//
// Each position asks a question (query), offers an index (key) and a message (value):
//   [q | k | v] = x W_qkv^T + b_qkv                 x (B*T, C) -> (B*T, 3C), one fused GEMM
// Split the C channels into H heads of D = C/H. For each sequence b and head h,
// with q, k, v the (T, D) slices of that head:
//   S = q k^T / sqrt(D)                              (T, T) scores
//   P = softmax(S) over j <= i (the causal mask)     position i never sees j > i
//   Y = P v                                          (T, D), written to head h's columns
// and finally  out = Y W_proj^T + b_proj            (B*T, C).
// Dividing by sqrt(D) keeps the scores' variance near 1, so the softmax does not
// saturate. With RoPE (the Rotation parameter), q and k are rotated by position first.
// Each (b, h) pair is independent, so they run in parallel (OpenMP), each on its
// own contiguous (T, T) block of P that stays in cache.
#pragma once

#include <cmath>
#include <string>

#include "eigenformer/core/threads.hpp"
#include "eigenformer/nn/block_config.hpp"
#include "eigenformer/nn/linear.hpp"
#include "eigenformer/nn/rope.hpp"
#include "eigenformer/nn/softmax.hpp"

namespace eigenformer {

/// Softmax of each row i over its first i+1 entries; the rest (the future) become 0.
/// Same as setting scores with j > i to -infinity before a softmax.
template <class Derived>
void causal_softmax_rows(Eigen::MatrixBase<Derived>& scores) {
  for (Index i = 0; i < scores.rows(); ++i) {
    auto visible = scores.row(i).head(i + 1);
    softmax_rows(visible);
    scores.row(i).tail(scores.cols() - i - 1).setZero();
  }
}

template <class S, class Rotation = NoRotation<S>>
class CausalSelfAttention {
 public:
  using Scalar = S;

  CausalSelfAttention(const BlockConfig& config, Rng& rng, const std::string& name = "attn")
      : channels_((config.validate(), config.channels)),
        num_heads_(config.num_heads),
        head_dim_(config.head_dim()),
        block_size_(config.block_size),
        qkv_(channels_, 3 * channels_, config.bias, rng, child_name(name, "qkv"), config.init_std),
        proj_(channels_, channels_, config.bias, rng, child_name(name, "proj"), config.residual_init_std),
        rotation_(head_dim_, block_size_, config.rope_theta) {}

  Index num_heads() const { return num_heads_; }

  /// x (B*T, C) -> (B*T, C); rows b*T .. b*T+T-1 are sequence b.
  const Matrix<S>& forward(const Matrix<S>& x, Index batch, Index time) {
    EF_CHECK(time > 0 && time <= block_size_, "sequence length T = " << time << " is outside [1, block_size = "
                                                                     << block_size_ << "]");
    EF_CHECK(batch > 0 && x.rows() == batch * time,
             "attention input has " << x.rows() << " rows, expected B*T = " << batch << "*" << time);
    batch_ = batch, time_ = time;
    const Index C = channels_, D = head_dim_, H = num_heads_, T = time;
    qkv_out_ = qkv_.forward(x);  // (B*T, 3C): [q | k | v]
    for (Index b = 0; b < batch; ++b) rotation_.rotate(qkv_out_.block(b * T, 0, T, 2 * C), 0, false);

    probabilities_.resize(batch * H * T, T);  // (B*H*T, T): one (T, T) block per (b, h)
    heads_out_.resize(batch * T, C);          // (B*T, C): head h in columns h*D .. h*D+D-1
    const S scale = S(1) / std::sqrt(S(D));
    EF_PARALLEL_FOR
    for (Index bh = 0; bh < batch * H; ++bh) {
      const Index b = bh / H, h = bh % H;
      const auto q = qkv_out_.block(b * T, h * D, T, D);
      const auto k = qkv_out_.block(b * T, C + h * D, T, D);
      const auto v = qkv_out_.block(b * T, 2 * C + h * D, T, D);
      auto p = probabilities_.middleRows(bh * T, T);
      p.noalias() = q * k.transpose();
      p *= scale;
      causal_softmax_rows(p);
      heads_out_.block(b * T, h * D, T, D).noalias() = p * v;
    }
    return proj_.forward(heads_out_);
  }

  /// Restating the forward per (b, h): S = q k^T * scale, P = softmax(S), Y = P v. So
  ///   dP = dY v^T,  dv = P^T dY,  dS = P * (dP - rowsum(P * dP)) * scale,
  ///   dq = dS k,    dk = dS^T q;  then undo the rotation and back through W_qkv.
  const Matrix<S>& backward(const Matrix<S>& dy) {
    const Matrix<S>& heads_grad = proj_.backward(dy);  // (B*T, C)
    const Index C = channels_, D = head_dim_, H = num_heads_, T = time_;
    qkv_grad_.resize(batch_ * T, 3 * C);
    probabilities_grad_.resize(probabilities_.rows(), T);
    const S scale = S(1) / std::sqrt(S(D));
    EF_PARALLEL_FOR
    for (Index bh = 0; bh < batch_ * H; ++bh) {
      const Index b = bh / H, h = bh % H;
      const auto q = qkv_out_.block(b * T, h * D, T, D);
      const auto k = qkv_out_.block(b * T, C + h * D, T, D);
      const auto v = qkv_out_.block(b * T, 2 * C + h * D, T, D);
      const auto p = probabilities_.middleRows(bh * T, T);
      const auto head_grad = heads_grad.block(b * T, h * D, T, D);
      auto dp = probabilities_grad_.middleRows(bh * T, T);
      dp.noalias() = head_grad * v.transpose();
      qkv_grad_.block(b * T, 2 * C + h * D, T, D).noalias() = p.transpose() * head_grad;
      softmax_rows_backward(p, dp);  // dp becomes dS; masked entries have P = 0, so dS = 0
      dp *= scale;
      qkv_grad_.block(b * T, h * D, T, D).noalias() = dp * k;
      qkv_grad_.block(b * T, C + h * D, T, D).noalias() = dp.transpose() * q;
    }
    for (Index b = 0; b < batch_; ++b) rotation_.rotate(qkv_grad_.block(b * T, 0, T, 2 * C), 0, true);
    return qkv_.backward(qkv_grad_);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    qkv_.parameters(visit);
    proj_.parameters(visit);
  }

  /// Attention weights of the last forward, (B*H*T, T): rows (b*H + h)*T + i hold
  /// head h's distribution over positions j <= i of sequence b. For probes and plots.
  const Matrix<S>& probabilities() const { return probabilities_; }

 private:
  Index channels_, num_heads_, head_dim_, block_size_;
  Linear<S> qkv_, proj_;
  Rotation rotation_;
  Index batch_ = 0, time_ = 0;
  Matrix<S> qkv_out_, probabilities_, heads_out_;
  Matrix<S> qkv_grad_, probabilities_grad_;
};

}  // namespace eigenformer
