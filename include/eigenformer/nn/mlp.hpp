// The position-wise feed-forward network of GPT-2:
// \[ h = \mathrm{GELU}(x W_{fc}^\top + b_{fc}), \qquad y = h W_{proj}^\top + b_{proj} \]
// Shapes: x (N, C) -> h (N, 4C) -> y (N, C). Each position is transformed on its
// own; attention moves information between positions, the MLP computes on it.
#pragma once

#include <string>

#include "eigenformer/nn/gelu.hpp"
#include "eigenformer/nn/gpt_config.hpp"
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

  /// What backward reads: each sub-layer's saved state, which holds x, a and h.
  struct Saved {
    typename Linear<S>::Saved fc;
    typename GELU<S>::Saved gelu;
    typename Linear<S>::Saved proj;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(fc, gelu, proj); }
  };

  /// Each line's output moves into the next line's saved state, and x (taken by value)
  /// into fc's: a temporary input is never copied.
  Matrix<S> forward(Matrix<S> x, Saved& saved) const {
    saved.ticket.clear();
    Matrix<S> a = fc_.forward(std::move(x), saved.fc);      // a = x W_fc^T + b_fc      (N, 4C)
    Matrix<S> h = gelu_.forward(std::move(a), saved.gelu);  // h = GELU(a)              (N, 4C)
    Matrix<S> y = proj_.forward(std::move(h), saved.proj);  // y = h W_proj^T + b_proj  (N, C)
    saved.ticket.issue(this);
    return y;
  }

  /// Inference: the same three steps, keeping nothing.
  Matrix<S> forward(const Matrix<S>& x) const { return proj_.forward(gelu_.forward(fc_.forward(x))); }

  /// Forward was y = proj(gelu(fc(x))): the chain rule backwards through the three.
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, name_);
    const Matrix<S> dh = proj_.backward(saved.proj, dy);
    const Matrix<S> da = gelu_.backward(saved.gelu, dh);
    return fc_.backward(saved.fc, da);
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
};

}  // namespace eigenformer
