// Linear (fully connected) layer: \( y = x W^\top + b \).
//
// Shapes: x (N, in), W (out, in), b (1, out), y (N, out).
// W is stored (out, in) as in PyTorch and llm.c, so checkpoints map one to one.
// Every projection of a transformer is one of these: the fused QKV projection,
// the attention output projection, the MLP's expansion and contraction.
#pragma once

#include <optional>
#include <string>

#include "eigenformer/core/init.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"
#include "eigenformer/fast/multiply.hpp"

namespace eigenformer {

template <class S>
class Linear {
 public:
  using Scalar = S;

  /// Weights from N(0, init_std^2) (GPT-2 uses 0.02), bias zero.
  Linear(Index in_features, Index out_features, bool bias, Rng& rng, const std::string& name = "linear",
         double init_std = 0.02)
      : weight_(child_name(name, "weight"), out_features, in_features) {
    EF_CHECK(in_features > 0 && out_features > 0,
             name << ": Linear needs positive sizes, got in " << in_features << ", out " << out_features);
    fill_normal(weight_.value, init_std, rng);
    if (bias) bias_.emplace(child_name(name, "bias"), out_features);
  }

  Index in_features() const { return weight_.value.cols(); }
  Index out_features() const { return weight_.value.rows(); }

  /// What backward reads: the input x (N, in), for dW += dy^T x.
  using Saved = SavedInput<S>;

  /// y = x W^T + b, (N, in) -> (N, out): every row starts as b, then the product is added
  /// (one pass, where zeroing y and adding b afterwards would be two).
  Matrix<S> forward(const Matrix<S>& x) const {
    check_columns(x, in_features(), weight_.name);
    Matrix<S> y(x.rows(), out_features());
    if (bias_)
      y.rowwise() = bias_->value.row(0);
    else
      y.setZero();
    fast::multiply(y, x, weight_.value.transpose(), Accumulate::kYes);
    return y;
  }

  /// The same, keeping x in `saved` (moved in when it is a temporary).
  Matrix<S> forward(Matrix<S> x, Saved& saved) const { return forward_keeping_input(*this, std::move(x), saved); }

  /// Forward was y = x W^T + b, so dx = dy W, dW += dy^T x, db += sum over rows of dy.
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, weight_.name);
    const Matrix<S>& x = saved.input;
    EF_CHECK(dy.rows() == x.rows() && dy.cols() == out_features(), weight_.name << ": gradient is " << dy.rows() << "x"
                                                                                << dy.cols() << ", expected "
                                                                                << x.rows() << "x" << out_features());
    fast::multiply(weight_.grad, dy.transpose(), x, Accumulate::kYes);
    if (bias_) bias_->grad.row(0) += dy.colwise().sum();
    Matrix<S> dx(dy.rows(), in_features());
    fast::multiply(dx, dy, weight_.value);
    return dx;
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    visit(weight_);
    if (bias_) visit(*bias_);
  }

  Parameter<S>& weight() { return weight_; }
  Parameter<S>* bias() { return bias_ ? &*bias_ : nullptr; }

 private:
  Parameter<S> weight_;
  std::optional<Parameter<S>> bias_;
};

}  // namespace eigenformer
