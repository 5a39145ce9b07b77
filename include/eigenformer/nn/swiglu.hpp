// SwiGLU feed-forward network (Shazeer, 2020, arXiv:2002.05202), as in LLaMA:
//   a = x W_gate^T,  u = x W_up^T,  h = silu(a) * u,  y = h W_proj^T
//   silu(a) = a * sigmoid(a),  silu'(a) = sigmoid(a) (1 + a (1 - sigmoid(a)))
// Shapes: x (N, C) -> a, u, h (N, hidden) -> y (N, C). The gate lets each hidden
// unit decide, per position, how much of u passes. Default hidden width: 2/3 of
// 4C rounded up to a multiple of 8, so it has about the parameters of a 4C MLP.
#pragma once

#include <cmath>
#include <string>

#include "eigenformer/nn/block_config.hpp"
#include "eigenformer/nn/linear.hpp"

namespace eigenformer {

template <class S>
class SwiGLU {
 public:
  using Scalar = S;

  SwiGLU(const BlockConfig& config, Rng& rng, const std::string& name = "ffn")
      : gate_(config.channels, hidden_width(config), config.bias, rng, child_name(name, "gate"), config.init_std),
        up_(config.channels, hidden_width(config), config.bias, rng, child_name(name, "up"), config.init_std),
        proj_(hidden_width(config), config.channels, config.bias, rng, child_name(name, "proj"),
              config.residual_init_std) {}

  static Index hidden_width(const BlockConfig& config) {
    return config.ffn_hidden > 0 ? config.ffn_hidden : (8 * config.channels / 3 + 7) / 8 * 8;
  }

  const Matrix<S>& forward(const Matrix<S>& x) {
    gate_out_ = gate_.forward(x);
    up_out_ = up_.forward(x);
    hidden_ = gate_out_.unaryExpr([](S a) { return a * sigmoid(a); }).cwiseProduct(up_out_);
    return proj_.forward(hidden_);
  }
  // x must outlive backward (layer.hpp): a temporary would not
  const Matrix<S>& forward(Matrix<S>&& temporary) = delete;

  /// Forward was h = silu(a) * u, y = proj(h). So with dh = proj^T(dy):
  ///   da = dh * u * silu'(a),  du = dh * silu(a),  dx = gate^T(da) + up^T(du).
  const Matrix<S>& backward(const Matrix<S>& dy) {
    const Matrix<S>& hidden_grad = proj_.backward(dy);
    gate_grad_ = hidden_grad.cwiseProduct(up_out_).cwiseProduct(gate_out_.unaryExpr([](S a) {
      const S s = sigmoid(a);
      return s * (S(1) + a * (S(1) - s));
    }));
    up_grad_ = hidden_grad.cwiseProduct(gate_out_.unaryExpr([](S a) { return a * sigmoid(a); }));
    input_grad_ = gate_.backward(gate_grad_);
    input_grad_ += up_.backward(up_grad_);
    return input_grad_;
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    gate_.parameters(visit);
    up_.parameters(visit);
    proj_.parameters(visit);
  }

 private:
  static S sigmoid(S a) { return S(1) / (S(1) + std::exp(-a)); }

  Linear<S> gate_, up_, proj_;
  Matrix<S> gate_out_, up_out_, hidden_, gate_grad_, up_grad_, input_grad_;
};

}  // namespace eigenformer
