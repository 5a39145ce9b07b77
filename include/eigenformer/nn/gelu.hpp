// GELU activation, tanh approximation as in GPT-2 (Hendrycks & Gimpel, 2016).
//
// \[ y = \tfrac12\, x\, (1 + \tanh u), \qquad u = \sqrt{2/\pi}\, (x + 0.044715\, x^3) \]
// \[ \frac{dy}{dx} = \tfrac12 (1 + \tanh u)
//     + \tfrac12\, x\, (1 - \tanh^2 u) \sqrt{2/\pi}\, (1 + 3 \cdot 0.044715\, x^2) \]
// Element-wise: x, y (N, C). No parameters.
#pragma once

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class GELU {
 public:
  using Scalar = S;

  /// What backward reads: the input x (N, C).
  using Saved = SavedInput<S>;

  /// Array expressions, so Eigen vectorizes the tanh (for float, a fast rational
  /// approximation; std::tanh per element was ~30% of a step).
  Matrix<S> forward(const Matrix<S>& x) const {
    Matrix<S> y(x.rows(), x.cols());
    y.array() = S(0.5) * x.array() * (S(1) + tanh_u(x));
    return y;
  }

  /// The same, keeping x (moved in when it is a temporary). Backward computes tanh(u)
  /// again rather than keeping a copy: arithmetic is cheaper than memory.
  Matrix<S> forward(Matrix<S> x, Saved& saved) const { return forward_keeping_input(*this, std::move(x), saved); }

  /// Forward was y = 0.5 x (1 + tanh u(x)); dx = dy * dy/dx from the header's formula.
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, "GELU");
    const Matrix<S>& x = saved.input;
    check_same_shape(dy, x, "GELU");
    const auto v = x.array();
    const auto t = tanh_u(x);
    const auto du = kSqrt2OverPi * (S(1) + S(3) * kCubic * v.square());
    Matrix<S> dx(dy.rows(), dy.cols());
    dx.array() = dy.array() * (S(0.5) * (S(1) + t) + S(0.5) * v * (S(1) - t.square()) * du);
    return dx;
  }

  template <class Visit>
  void parameters(Visit&&) {}

 private:
  static constexpr S kSqrt2OverPi = S(0.7978845608028654);  // sqrt(2/pi)
  static constexpr S kCubic = S(0.044715);

  /// tanh(u), u = sqrt(2/pi) (x + 0.044715 x^3), element-wise: an expression, evaluated where it is used.
  static auto tanh_u(const Matrix<S>& x) {
    const auto v = x.array();
    return (kSqrt2OverPi * (v + kCubic * v.cube())).tanh();
  }
};

}  // namespace eigenformer
