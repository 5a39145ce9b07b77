// The position-wise feed-forward network of GPT-2:
//   h = GELU(x W_fc^T + b_fc),  y = h W_proj^T + b_proj
// Shapes: x (N, C) -> h (N, 4C) -> y (N, C). Each position is transformed on its
// own; attention moves information between positions, the MLP computes on it.
#pragma once

#include <string>

#include "eigenformer/nn/block_config.hpp"
#include "eigenformer/nn/gelu.hpp"
#include "eigenformer/nn/linear.hpp"

namespace eigenformer {

template <class S>
class MLP {
 public:
  using Scalar = S;

  /// Inner width config.ffn_hidden, or 4C when it is 0 (as in GPT-2).
  MLP(const BlockConfig& config, Rng& rng, const std::string& name = "mlp")
      : fc_(config.channels, hidden_width(config), config.bias, rng, child_name(name, "fc"), config.init_std),
        proj_(hidden_width(config), config.channels, config.bias, rng, child_name(name, "proj"),
              config.residual_init_std) {}

  static Index hidden_width(const BlockConfig& config) {
    return config.ffn_hidden > 0 ? config.ffn_hidden : 4 * config.channels;
  }

  const Matrix<S>& forward(const Matrix<S>& x) { return proj_.forward(gelu_.forward(fc_.forward(x))); }
  // x must outlive backward (layer.hpp): a temporary would not
  const Matrix<S>& forward(Matrix<S>&& temporary) = delete;

  /// Forward was y = proj(gelu(fc(x))): the chain rule backwards through the three.
  const Matrix<S>& backward(const Matrix<S>& dy) { return fc_.backward(gelu_.backward(proj_.backward(dy))); }

  template <class Visit>
  void parameters(Visit&& visit) {
    fc_.parameters(visit);
    proj_.parameters(visit);
  }

 private:
  Linear<S> fc_;
  GELU<S> gelu_;
  Linear<S> proj_;
};

}  // namespace eigenformer
