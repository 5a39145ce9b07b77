// GELU activation, tanh approximation as in GPT-2 (Hendrycks & Gimpel, 2016).
//
//   y = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
//   dy/dx = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
// Element-wise: x, y (N, C). No parameters.
#pragma once

#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class GELU {
 public:
  using Scalar = S;

  /// Array expressions, so Eigen vectorizes the tanh (for float, a fast rational
  /// approximation; std::tanh per element was ~30% of a step). Backward needs x: it is
  /// referred to, not copied (it must outlive backward, layer.hpp), and backward computes
  /// tanh(u) again rather than reading a stored copy: arithmetic is cheaper than memory.
  const Matrix<S>& forward(const Matrix<S>& x) {
    input_ = &x;
    output_.resize(x.rows(), x.cols());
    output_.array() = S(0.5) * x.array() * (S(1) + tanh_u(x));
    return output_;
  }
  // x must outlive backward (layer.hpp): a temporary would not
  const Matrix<S>& forward(Matrix<S>&& temporary) = delete;

  /// Forward was y = 0.5 x (1 + tanh u(x)); dx = dy * dy/dx from the header's formula.
  const Matrix<S>& backward(const Matrix<S>& dy) {
    EF_CHECK(input_ != nullptr, "GELU: backward before any forward");
    check_same_shape(dy, *input_, "GELU");
    const auto v = input_->array();
    const auto t = tanh_u(*input_);
    const auto du = kSqrt2OverPi * (S(1) + S(3) * kCubic * v.square());
    input_grad_.resize(dy.rows(), dy.cols());
    input_grad_.array() = dy.array() * (S(0.5) * (S(1) + t) + S(0.5) * v * (S(1) - t.square()) * du);
    return input_grad_;
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

  const Matrix<S>* input_ = nullptr;  // the last forward's x
  Matrix<S> output_, input_grad_;
};

}  // namespace eigenformer
