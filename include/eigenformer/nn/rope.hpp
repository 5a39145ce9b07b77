// Rotary position embedding, RoPE (Su et al., 2021, arXiv:2104.09864), as in LLaMA.
//
// Instead of adding a position vector, rotate each pair of channels (2i, 2i+1) of
// every query and key by an angle that grows with the position p:
// \[ \theta_i = \mathrm{base}^{-2i / d}, \qquad \alpha = p\, \theta_i \quad (d \text{ the head size}) \]
// \[ \begin{pmatrix} x'_{2i} \\ x'_{2i+1} \end{pmatrix} =
//     \begin{pmatrix} \cos\alpha & -\sin\alpha \\ \sin\alpha & \cos\alpha \end{pmatrix}
//     \begin{pmatrix} x_{2i} \\ x_{2i+1} \end{pmatrix} \]
// Then q'.k' depends only on the offset between the two positions: attention
// becomes relative. A rotation is orthogonal, so its backward is the inverse
// rotation (angle -> -angle) applied to the gradient. No parameters.
// Shapes: x (B*T, k * head_dim), any number k of heads side by side.
#pragma once

#include <cmath>
#include <string>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class Rope {
 public:
  using Scalar = S;

  Rope(Index head_dim, Index max_positions, double theta = 10000.0)
      : head_dim_(head_dim), cos_(max_positions, head_dim / 2), sin_(max_positions, head_dim / 2) {
    EF_CHECK(head_dim > 0 && head_dim % 2 == 0, "RoPE needs an even head_dim, got " << head_dim);
    EF_CHECK(max_positions > 0, "RoPE needs max_positions > 0, got " << max_positions);
    for (Index p = 0; p < max_positions; ++p)
      for (Index i = 0; i < head_dim / 2; ++i) {
        const double angle = double(p) * std::pow(theta, -2.0 * double(i) / double(head_dim));
        cos_(p, i) = S(std::cos(angle));
        sin_(p, i) = S(std::sin(angle));
      }
  }

  /// Rotates row t of x as position start + t (inverse: by the opposite angle).
  /// x is any writable block with a multiple of head_dim columns.
  template <class Block>
  void rotate(Block&& x, Index start, bool inverse) const {
    EF_CHECK(start >= 0 && start + x.rows() <= cos_.rows(),
             "RoPE: positions " << start << ".." << start + x.rows() - 1 << " exceed " << cos_.rows());
    const S sign = inverse ? S(-1) : S(1);
    for (Index t = 0; t < x.rows(); ++t)
      for (Index c = 0; c < x.cols(); c += 2) {
        const Index i = (c % head_dim_) / 2;
        const S cos = cos_(start + t, i), sin = sign * sin_(start + t, i);
        const S a = x(t, c), b = x(t, c + 1);
        x(t, c) = a * cos - b * sin;
        x(t, c + 1) = a * sin + b * cos;
      }
  }

  /// What backward reads as a layer: the batch shape.
  struct Saved {
    Index batch = 0, time = 0;
    BackwardTicket ticket;
    std::size_t bytes() const { return 0; }  // a shape, no numbers
  };

  /// As a layer, for lessons and tests: rotates each sequence of x (B*T, k*head_dim).
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, Saved& saved) const {
    saved.ticket.clear();
    EF_CHECK(x.rows() == batch * time && x.cols() % head_dim_ == 0,
             "RoPE: input " << x.rows() << "x" << x.cols() << " is not (" << batch << "*" << time << ", k*" << head_dim_
                            << ")");
    Matrix<S> y = x;
    for (Index b = 0; b < batch; ++b) rotate(y.middleRows(b * time, time), 0, false);
    saved.batch = batch, saved.time = time;
    saved.ticket.issue(this);
    return y;
  }

  /// Forward was y = R x with R orthogonal, so dx = R^T dy = R^{-1} dy.
  Matrix<S> backward(Saved& saved, const Matrix<S>& dy) {
    saved.ticket.spend(this, "RoPE");
    EF_CHECK(dy.rows() == saved.batch * saved.time,
             "RoPE: gradient has " << dy.rows() << " rows, expected " << saved.batch * saved.time);
    Matrix<S> dx = dy;
    for (Index b = 0; b < saved.batch; ++b) rotate(dx.middleRows(b * saved.time, saved.time), 0, true);
    return dx;
  }

  template <class Visit>
  void parameters(Visit&&) {}

 private:
  Index head_dim_;
  Matrix<S> cos_, sin_;  // (max_positions, head_dim / 2)
};

/// The rotation of GPT-2's attention: none (positions come from a learned embedding).
template <class S>
struct NoRotation {
  NoRotation(Index /*head_dim*/, Index /*max_positions*/, double /*theta*/) {}
  template <class Block>
  void rotate(Block&&, Index, bool) const {}
};

}  // namespace eigenformer
