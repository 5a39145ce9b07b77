// Learned absolute position embedding (GPT-2): a learned row per position 0..block_size-1.
//
//   p[b*T + t] = W[start + t]     W (block_size, C), output (B*T, C)
// Every sequence of the batch gets the same rows, so the backward sums over the batch:
//   dW[start + t] += sum_b dp[b*T + t]
// `start` is the position of the first row: 0 in training, the cache length when
// generating one token at a time.
#pragma once

#include <string>

#include "eigenformer/core/init.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class PositionEmbedding {
 public:
  using Scalar = S;

  PositionEmbedding(Index block_size, Index channels, Rng& rng, const std::string& name = "wpe", double init_std = 0.02)
      : weight_(child_name(name, "weight"), block_size, channels) {
    EF_CHECK(block_size > 0 && channels > 0, name << ": PositionEmbedding needs positive sizes, got block size "
                                                  << block_size << ", channels " << channels);
    fill_normal(weight_.value, init_std, rng);
  }

  Index block_size() const { return weight_.value.rows(); }
  Index channels() const { return weight_.value.cols(); }

  /// What backward reads: the batch shape of the forward (training starts at position 0).
  struct Saved {
    Index batch = 0, time = 0;
    BackwardTicket ticket;
    std::size_t bytes() const { return 0; }  // a shape, no numbers
  };

  /// Rows for positions start .. start+time-1, repeated for each of `batch` sequences: (B*T, C).
  Matrix<S> forward(Index batch, Index time, Index start = 0) const {
    EF_CHECK(batch > 0 && time > 0, weight_.name << ": batch " << batch << " and time " << time << " must be positive");
    EF_CHECK(start >= 0 && start + time <= block_size(),
             "positions " << start << ".." << start + time - 1 << " exceed the block size " << block_size());
    Matrix<S> p(batch * time, channels());
    for (Index b = 0; b < batch; ++b) p.middleRows(b * time, time) = weight_.value.middleRows(start, time);
    return p;
  }

  /// Training: positions 0 .. time-1, keeping the shape.
  Matrix<S> forward(Index batch, Index time, Saved& saved) const {
    saved.ticket.clear();
    Matrix<S> p = forward(batch, time);
    saved.batch = batch, saved.time = time;
    saved.ticket.issue(this);
    return p;
  }

  /// Forward copied W[t] into each sequence, so dW[t] += sum over b of dp[b*T + t].
  void backward(Saved& saved, const Matrix<S>& dp) {
    saved.ticket.spend(this, weight_.name);
    const Index B = saved.batch, T = saved.time;
    EF_CHECK(dp.rows() == B * T && dp.cols() == channels(), weight_.name << ": gradient is " << dp.rows() << "x"
                                                                         << dp.cols() << ", expected " << B * T << "x"
                                                                         << channels());
    for (Index b = 0; b < B; ++b) weight_.grad.topRows(T) += dp.middleRows(b * T, T);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    visit(weight_);
  }

  Parameter<S>& weight() { return weight_; }

 private:
  Parameter<S> weight_;
};

}  // namespace eigenformer
