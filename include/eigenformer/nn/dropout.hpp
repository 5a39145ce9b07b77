// Dropout (Srivastava et al., 2014): in training, zero each entry with probability p
// and scale the survivors by 1/(1-p) so the expected value is unchanged; at inference,
// the identity.
//   y = x * mask,  mask_ij in {0, 1/(1-p)};  backward: dx = dy * mask.
// Shapes: x, y (N, C). Backward needs only the mask, kept in the caller's Saved.
// Forward takes its matrix by value and masks it in place: a temporary (a sub-layer's
// output) moves through without a copy.
// Training forward k draws its mask from an Rng seeded by (seed, k): the layer's only
// changing state is that count, so runs repeat and a const forward may draw (atomic:
// threads sharing a model draw different masks).
#pragma once

#include <atomic>
#include <cstdint>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class Dropout {
 public:
  using Scalar = S;

  struct Saved {
    Matrix<S> mask;  // (N, C), empty when p = 0 (y = x)
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(mask); }
  };

  explicit Dropout(double probability, std::uint64_t seed = 1337) : probability_(probability), seed_(seed) {
    EF_CHECK(probability >= 0.0 && probability < 1.0, "dropout probability must be in [0, 1), got " << probability);
  }
  Dropout(const Dropout& other) : probability_(other.probability_), seed_(other.seed_), draws_(other.draws_.load()) {}

  double probability() const { return probability_; }

  /// Training: y = x * mask, a fresh mask each call.
  Matrix<S> forward(Matrix<S> x, Saved& saved) const {
    saved.ticket.clear();
    saved.mask.resize(0, 0);
    if (probability_ > 0.0) {
      Rng rng(seed_ ^ (draws_.fetch_add(1) + 1) * 0x9E3779B97F4A7C15ULL);
      const S keep_scale = S(1.0 / (1.0 - probability_));
      saved.mask.resize(x.rows(), x.cols());
      for (Index i = 0; i < saved.mask.size(); ++i)
        saved.mask.data()[i] = rng.uniform() < probability_ ? S(0) : keep_scale;
      x.array() *= saved.mask.array();
    }
    saved.ticket.issue(this);
    return x;
  }

  /// Inference: the identity.
  Matrix<S> forward(const Matrix<S>& x) const { return x; }

  /// Forward was y = x * mask (or y = x for p = 0), so dx = dy * mask (or dy).
  Matrix<S> backward(Saved& saved, Matrix<S> dy) {
    saved.ticket.spend(this, "Dropout");
    if (saved.mask.size() == 0) return dy;
    check_same_shape(dy, saved.mask, "Dropout");
    dy.array() *= saved.mask.array();
    return dy;
  }

  template <class Visit>
  void parameters(Visit&&) {}

 private:
  double probability_;
  std::uint64_t seed_;
  mutable std::atomic<std::uint64_t> draws_{0};  // training forwards so far
};

}  // namespace eigenformer
