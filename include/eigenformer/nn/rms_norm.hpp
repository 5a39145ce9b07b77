// RMS normalization (Zhang & Sennrich, 2019), used by LLaMA in place of LayerNorm.
//
// \[ r = \frac{1}{\sqrt{\frac1C \sum_c x_c^2 + \epsilon}}, \qquad \hat x = x\, r, \qquad y = \hat x \odot w \]
// No mean is subtracted and there is no bias: cheaper, and it works as well.
// Shapes: x, y (N, C); weight (1, C); rrms per row (N,).
#pragma once

#include <string>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class RMSNorm {
 public:
  using Scalar = S;

  explicit RMSNorm(Index channels, const std::string& name = "rms_norm", S eps = S(1e-5))
      : weight_(child_name(name, "weight"), channels), eps_(eps) {
    EF_CHECK(channels > 0, name << ": RMSNorm needs positive channels, got " << channels);
    weight_.value.setOnes();
  }

  Index channels() const { return weight_.value.cols(); }

  /// What backward reads: xhat (N, C) and 1/rms (N,).
  struct Saved {
    Matrix<S> normalized;
    Vector<S> rrms;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(normalized, rrms); }
  };

  /// Normalizes each row, keeping xhat and 1/rms in `saved`.
  Matrix<S> forward(const Matrix<S>& x, Saved& saved) const {
    saved.ticket.clear();
    check_columns(x, channels(), weight_.name);
    saved.normalized.resize(x.rows(), x.cols());
    saved.rrms.resize(x.rows());
    Matrix<S> y = normalize(x, [&](Index n, const auto& xhat, S rrms) {
      saved.normalized.row(n) = xhat;
      saved.rrms(n) = rrms;
    });
    saved.ticket.issue(this);
    return y;
  }

  /// Inference: the same numbers, nothing kept.
  Matrix<S> forward(const Matrix<S>& x) const {
    check_columns(x, channels(), weight_.name);
    return normalize(x, [](Index, const auto&, S) {});
  }

  /// Forward was y = xhat * w with xhat = x * rrms, so with dxhat = dy * w:
  ///   dw += sum_n dy * xhat,  dx = rrms * (dxhat - xhat * mean_c(dxhat * xhat)).
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, weight_.name);
    check_same_shape(dy, saved.normalized, weight_.name);
    Matrix<S> dx(dy.rows(), dy.cols());
    const auto weight = weight_.value.row(0).array();
    auto weight_grad = weight_.grad.row(0).array();
    for (Index n = 0; n < dy.rows(); ++n) {
      const auto dyn = dy.row(n).array();
      const auto xhat = saved.normalized.row(n).array();
      weight_grad += dyn * xhat;
      const auto dxhat = dyn * weight;
      const S dxhat_xhat_mean = (dxhat * xhat).mean();
      dx.row(n) = saved.rrms(n) * (dxhat - xhat * dxhat_xhat_mean);
    }
    return dx;
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    visit(weight_);
  }

 private:
  /// y = xhat * w row by row, handing keep(n, xhat_n, rrms_n) what backward would need;
  /// one row at a time, as LayerNorm.
  template <class Keep>
  Matrix<S> normalize(const Matrix<S>& x, Keep&& keep) const {
    Matrix<S> y(x.rows(), x.cols());
    const auto weight = weight_.value.row(0).array();
    for (Index n = 0; n < x.rows(); ++n) {
      const S rrms = S(1) / std::sqrt(x.row(n).squaredNorm() / S(x.cols()) + eps_);
      y.row(n) = x.row(n) * rrms;  // xhat, then scaled in place
      keep(n, y.row(n), rrms);
      y.row(n).array() *= weight;
    }
    return y;
  }

  Parameter<S> weight_;
  S eps_;
};

}  // namespace eigenformer
