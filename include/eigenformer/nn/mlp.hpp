// The position-wise feed-forward network of GPT-2:
// \[ h = \mathrm{GELU}(x W_{fc}^\top + b_{fc}), \qquad y = h W_{proj}^\top + b_{proj} \]
// Shapes: x (N, C) -> h (N, 4C) -> y (N, C). Each position is transformed on its
// own; attention moves information between positions, the MLP computes on it.
#pragma once

#include <string>

#include "eigenformer/model/gpt_config.hpp"
#include "eigenformer/nn/gelu.hpp"
#include "eigenformer/nn/linear.hpp"

namespace eigenformer {

template <class S>
class MLP {
 public:
  using Scalar = S;

  /// Inner width config.ffn_hidden, or 4C when it is 0 (as in GPT-2).
  MLP(const GPTConfig& config, Rng& rng, const std::string& name = "mlp")
      : name_(name),
        fc_(config.channels, hidden_width(config), config.bias, rng, child_name(name, "fc"), config.init_std),
        proj_(hidden_width(config), config.channels, config.bias, rng, child_name(name, "proj"),
              config.residual_init_std()) {}

  static Index hidden_width(const GPTConfig& config) {
    return config.ffn_hidden > 0 ? config.ffn_hidden : 4 * config.channels;
  }

  /// Keeps a and h for backward; x the caller keeps and hands back.
  Matrix<S> forward(const Matrix<S>& x) {
    const ComposedForward<S> scope(record_, x);
    pre_activation_ = fc_.forward(x);              // a = x W_fc^T + b_fc      (N, 4C)
    activation_ = gelu_.forward(pre_activation_);  // h = GELU(a)              (N, 4C)
    return proj_.forward(activation_);             // y = h W_proj^T + b_proj  (N, C)
  }

  /// Forward was y = proj(gelu(fc(x))): the chain rule backwards through the three,
  /// each handed the input its forward saw.
  Matrix<S> backward(const Matrix<S>& x, const Matrix<S>& dy) {
    const ComposedBackward<S> scope(record_, x, name_);
    const Matrix<S> dh = proj_.backward(activation_, dy);
    const Matrix<S> da = gelu_.backward(pre_activation_, dh);
    return fc_.backward(x, da);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    fc_.parameters(visit);
    proj_.parameters(visit);
  }

 private:
  std::string name_;
  Linear<S> fc_;
  GELU<S> gelu_;
  Linear<S> proj_;
  ForwardRecord<S> record_;
  Matrix<S> pre_activation_, activation_;  // a and h of the last forward
};

}  // namespace eigenformer
