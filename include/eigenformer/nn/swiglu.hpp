// SwiGLU feed-forward network (Shazeer, 2020, arXiv:2002.05202), as in LLaMA:
// \[ a = x W_{gate}^\top, \quad u = x W_{up}^\top, \quad h = \mathrm{silu}(a) \odot u, \quad y = h W_{proj}^\top \]
// \[ \mathrm{silu}(a) = a\, \sigma(a), \qquad \mathrm{silu}'(a) = \sigma(a)\, \big(1 + a\, (1 - \sigma(a))\big) \]
// Shapes: x (N, C) -> a, u, h (N, hidden) -> y (N, C). The gate lets each hidden
// unit decide, per position, how much of u passes. Default hidden width: 2/3 of
// 4C rounded up to a multiple of 8, so it has about the parameters of a 4C MLP.
#pragma once

#include <cmath>
#include <string>

#include "eigenformer/nn/gpt_config.hpp"
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

  /// What backward reads: a and u, and the three projections' saved states (x, h).
  struct Saved {
    Matrix<S> gate_out, up_out;
    typename Linear<S>::Saved gate, up, proj;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(gate_out, up_out, gate, up, proj); }
  };

  /// x is taken by value: a temporary moves into up's saved state (gate keeps a copy).
  Matrix<S> forward(Matrix<S> x, Saved& saved) const {
    saved.ticket.clear();
    saved.gate_out = gate_.forward(x, saved.gate);                  // a = x W_gate^T  (N, hidden)
    saved.up_out = up_.forward(std::move(x), saved.up);             // u = x W_up^T    (N, hidden)
    Matrix<S> h = silu(saved.gate_out).cwiseProduct(saved.up_out);  // h = silu(a) * u
    Matrix<S> y = proj_.forward(std::move(h), saved.proj);          // y = h W_proj^T  (N, C)
    saved.ticket.issue(this);
    return y;
  }

  /// Inference: the same steps, keeping nothing.
  Matrix<S> forward(const Matrix<S>& x) const {
    return proj_.forward(Matrix<S>(silu(gate_.forward(x)).cwiseProduct(up_.forward(x))));
  }

  /// Forward was h = silu(a) * u, y = proj(h). So with dh = proj^T(dy):
  ///   da = dh * u * silu'(a),  du = dh * silu(a),  dx = gate^T(da) + up^T(du).
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, name_);
    const Matrix<S> dh = proj_.backward(saved.proj, dy);
    const Matrix<S> da = dh.cwiseProduct(saved.up_out).cwiseProduct(saved.gate_out.unaryExpr([](S a) {
      const S s = sigmoid(a);
      return s * (S(1) + a * (S(1) - s));
    }));
    const Matrix<S> du = dh.cwiseProduct(silu(saved.gate_out));
    return gate_.backward(saved.gate, da) + up_.backward(saved.up, du);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    gate_.parameters(visit);
    up_.parameters(visit);
    proj_.parameters(visit);
  }

 private:
  static S sigmoid(S a) { return S(1) / (S(1) + std::exp(-a)); }
  static Matrix<S> silu(const Matrix<S>& a) {
    return a.unaryExpr([](S value) { return value * sigmoid(value); });
  }

  std::string name_;
  Linear<S> gate_, up_, proj_;
};

}  // namespace eigenformer
