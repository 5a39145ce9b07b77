// Layer normalization over the channels of each position (Ba, Kiros & Hinton, 2016).
//
// \[ \mu = \frac1C \sum_c x_c, \quad \sigma^2 = \frac1C \sum_c (x_c - \mu)^2, \quad
//     r = \frac{1}{\sqrt{\sigma^2 + \epsilon}}, \quad \hat x = (x - \mu)\, r, \quad y = \hat x \odot w + b \]
// (in the code: mean, var, rstd, xhat, weight, bias)
// Shapes: x, y (N, C); weight, bias (1, C); statistics per row (N,).
// GPT-2 normalizes before each sub-layer ("pre-norm") and once more before the head.
#pragma once

#include <string>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class LayerNorm {
 public:
  using Scalar = S;

  explicit LayerNorm(Index channels, const std::string& name = "ln", S eps = S(1e-5))
      : weight_(child_name(name, "weight"), channels), bias_(child_name(name, "bias"), channels), eps_(eps) {
    EF_CHECK(channels > 0, name << ": LayerNorm needs positive channels, got " << channels);
    weight_.value.setOnes();
  }

  Index channels() const { return weight_.value.cols(); }

  /// What backward reads: xhat (N, C) and 1/std (N,).
  struct Saved {
    Matrix<S> normalized;
    Vector<S> rstd;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(normalized, rstd); }
  };

  /// Normalizes each row, keeping xhat and 1/std in `saved`.
  Matrix<S> forward(const Matrix<S>& x, Saved& saved) const {
    saved.ticket.clear();
    check_columns(x, channels(), weight_.name);
    saved.normalized.resize(x.rows(), x.cols());
    saved.rstd.resize(x.rows());
    Matrix<S> y = normalize(x, [&](Index n, const auto& xhat, S rstd) {
      saved.normalized.row(n) = xhat;
      saved.rstd(n) = rstd;
    });
    saved.ticket.issue(this);
    return y;
  }

  /// Inference: the same numbers, nothing kept.
  Matrix<S> forward(const Matrix<S>& x) const {
    check_columns(x, channels(), weight_.name);
    return normalize(x, [](Index, const auto&, S) {});
  }

  /// Forward was y = xhat * w + b with xhat = (x - mean) * rstd, so with dxhat = dy * w:
  ///   dw += sum_n dy * xhat,  db += sum_n dy,
  ///   dx = rstd * (dxhat - mean_c(dxhat) - xhat * mean_c(dxhat * xhat)).
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, weight_.name);
    check_same_shape(dy, saved.normalized, weight_.name);
    Matrix<S> dx(dy.rows(), dy.cols());
    const auto weight = weight_.value.row(0).array();
    auto weight_grad = weight_.grad.row(0).array(), bias_grad = bias_.grad.row(0).array();
    for (Index n = 0; n < dy.rows(); ++n) {
      const auto dyn = dy.row(n).array();
      const auto xhat = saved.normalized.row(n).array();
      weight_grad += dyn * xhat;
      bias_grad += dyn;
      const auto dxhat = dyn * weight;
      const S dxhat_mean = dxhat.mean(), dxhat_xhat_mean = (dxhat * xhat).mean();
      dx.row(n) = saved.rstd(n) * (dxhat - dxhat_mean - xhat * dxhat_xhat_mean);
    }
    return dx;
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    visit(weight_);
    visit(bias_);
  }

 private:
  /// y = xhat * w + b row by row, handing keep(n, xhat_n, rstd_n) what backward would
  /// need. One row at a time: each row is read from memory once, and its statistics and
  /// outputs come from cache.
  template <class Keep>
  Matrix<S> normalize(const Matrix<S>& x, Keep&& keep) const {
    Matrix<S> y(x.rows(), x.cols());
    const auto weight = weight_.value.row(0).array(), bias = bias_.value.row(0).array();
    for (Index n = 0; n < x.rows(); ++n) {
      const S mean = x.row(n).mean();
      const S var = (x.row(n).array() - mean).square().mean();
      const S rstd = S(1) / std::sqrt(var + eps_);
      y.row(n) = (x.row(n).array() - mean) * rstd;  // xhat, then scaled and shifted in place
      keep(n, y.row(n), rstd);
      y.row(n).array() = y.row(n).array() * weight + bias;
    }
    return y;
  }

  Parameter<S> weight_, bias_;
  S eps_;
};

}  // namespace eigenformer
