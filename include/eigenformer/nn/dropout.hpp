// Dropout (Srivastava et al., 2014): in training, zero each entry with probability p
// and scale the survivors by 1/(1-p) so the expected value is unchanged; at eval,
// the identity. The mask comes from the layer's own seeded Rng, so runs repeat.
//   y = x * mask,  mask_ij in {0, 1/(1-p)};  backward: dx = dy * mask.
// Shapes: x, y (N, C). Backward needs only the mask, not x, so it takes dy alone.
// Both take their matrix by value and mask it in place: a temporary (a sub-layer's
// output) moves through without a copy, and the result is always the caller's own.
#pragma once

#include <string>

#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class Dropout {
 public:
  using Scalar = S;

  explicit Dropout(double probability, std::uint64_t seed = 1337) : probability_(probability), rng_(seed) {
    EF_CHECK(probability >= 0.0 && probability < 1.0, "dropout probability must be in [0, 1), got " << probability);
  }

  void set_training(bool training) { training_ = training; }
  bool active() const { return training_ && probability_ > 0.0; }

  Matrix<S> forward(Matrix<S> x) {
    masked_ = active();
    if (!masked_) return x;  // the identity
    const S keep_scale = S(1.0 / (1.0 - probability_));
    mask_.resize(x.rows(), x.cols());
    for (Index i = 0; i < mask_.size(); ++i) mask_.data()[i] = rng_.uniform() < probability_ ? S(0) : keep_scale;
    x.array() *= mask_.array();
    return x;
  }

  /// Forward was y = x * mask (or y = x at eval), so dx = dy * mask (or dy).
  Matrix<S> backward(Matrix<S> dy) {
    if (!masked_) return dy;
    check_same_shape(dy, mask_, "Dropout");
    dy.array() *= mask_.array();
    return dy;
  }

  template <class Visit>
  void parameters(Visit&&) {}

 private:
  double probability_;
  Rng rng_;
  bool training_ = true;
  bool masked_ = false;  // whether the last forward applied a mask (training may be switched in between)
  Matrix<S> mask_;       // of the last forward
};

}  // namespace eigenformer
