// SwiGLU feed-forward network (Shazeer, 2020, arXiv:2002.05202), as in LLaMA:
// \[ a = x W_{gate}^\top, \quad u = x W_{up}^\top, \quad h = \mathrm{silu}(a) \odot u, \quad y = h W_{proj}^\top \]
// \[ \mathrm{silu}(a) = a\, \sigma(a), \qquad \mathrm{silu}'(a) = \sigma(a)\, \big(1 + a\, (1 - \sigma(a))\big) \]
// Shapes: x (N, C) -> a, u, h (N, hidden) -> y (N, C). The gate lets each hidden
// unit decide, per position, how much of u passes. Default hidden width: 2/3 of
// 4C rounded up to a multiple of 8, so it has about the parameters of a 4C MLP.
#pragma once

#include <cmath>
#include <string>

#include "eigenformer/model/gpt_config.hpp"
#include "eigenformer/nn/linear.hpp"

namespace eigenformer {

template <class S>
class SwiGLU {
 public:
  using Scalar = S;

  SwiGLU(const GPTConfig& config, Rng& rng, const std::string& name = "ffn")
      : name_(name),
        gate_(config.channels, hidden_width(config), config.bias, rng, child_name(name, "gate"), config.init_std),
        up_(config.channels, hidden_width(config), config.bias, rng, child_name(name, "up"), config.init_std),
        proj_(hidden_width(config), config.channels, config.bias, rng, child_name(name, "proj"),
              config.residual_init_std()) {}

  static Index hidden_width(const GPTConfig& config) {
    return config.ffn_hidden > 0 ? config.ffn_hidden : (8 * config.channels / 3 + 7) / 8 * 8;
  }

  /// Keeps a, u and h for backward; x the caller keeps and hands back.
  Matrix<S> forward(const Matrix<S>& x) {
    const ComposedForward<S> scope(record_, x);
    gate_out_ = gate_.forward(x);  // a = x W_gate^T  (N, hidden)
    up_out_ = up_.forward(x);      // u = x W_up^T    (N, hidden)
    hidden_ = gate_out_.unaryExpr([](S a) { return a * sigmoid(a); }).cwiseProduct(up_out_);  // h = silu(a) * u
    return proj_.forward(hidden_);                                                            // y = h W_proj^T  (N, C)
  }

  /// Forward was h = silu(a) * u, y = proj(h). So with dh = proj^T(dy):
  ///   da = dh * u * silu'(a),  du = dh * silu(a),  dx = gate^T(da) + up^T(du).
  Matrix<S> backward(const Matrix<S>& x, const Matrix<S>& dy) {
    const ComposedBackward<S> scope(record_, x, name_);
    const Matrix<S> dh = proj_.backward(hidden_, dy);
    const Matrix<S> da = dh.cwiseProduct(up_out_).cwiseProduct(gate_out_.unaryExpr([](S a) {
      const S s = sigmoid(a);
      return s * (S(1) + a * (S(1) - s));
    }));
    const Matrix<S> du = dh.cwiseProduct(gate_out_.unaryExpr([](S a) { return a * sigmoid(a); }));
    return gate_.backward(x, da) + up_.backward(x, du);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    gate_.parameters(visit);
    up_.parameters(visit);
    proj_.parameters(visit);
  }

 private:
  static S sigmoid(S a) { return S(1) / (S(1) + std::exp(-a)); }

  std::string name_;
  Linear<S> gate_, up_, proj_;
  ForwardRecord<S> record_;
  Matrix<S> gate_out_, up_out_, hidden_;  // a, u and h of the last forward
};

}  // namespace eigenformer
