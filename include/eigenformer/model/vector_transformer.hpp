// A transformer over vectors instead of tokens: the same blocks as GPT, composed with
// a linear read-in and a linear read-out (Garg et al., 2022, arXiv:2208.01066).
//
//   x (B*T, input_size) -> h = x W_in^T + b_in + wpe[0..T-1]          (B*T, C)
//   h = block_l(h) for each layer;  y = norm_f(h) W_out^T + b_out      (B*T, output_size)
// Used for in-context regression: each position holds a vector (an x, or a y padded
// with zeros), and the model predicts a number at each x position.
#pragma once

#include <string>
#include <vector>

#include "eigenformer/core/forward_record.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/model/gpt_config.hpp"
#include "eigenformer/nn/linear.hpp"
#include "eigenformer/nn/position_embedding.hpp"
#include "eigenformer/nn/transformer_block.hpp"

namespace eigenformer {

template <class S, SequenceLayer Block = GPT2Block<S>>
class VectorTransformer {
 public:
  using Scalar = S;

  /// config.vocab_size is unused: inputs are vectors of input_size numbers.
  VectorTransformer(const GPTConfig& config, Index input_size, Index output_size, std::uint64_t seed = 1337)
      : config_((config.validate(), config)),
        rng_(seed),
        read_in_(input_size, config.channels, true, rng_, "read_in", config.init_std),
        position_embedding_(config.block_size, config.channels, rng_, "wpe", config.init_std),
        final_norm_(config.channels, "norm_f", S(config.norm_eps)),
        read_out_(config.channels, output_size, true, rng_, "read_out", config.init_std),
        residual_(std::size_t(config.num_layers + 1)) {
    for (Index l = 0; l < config.num_layers; ++l) blocks_.emplace_back(config, rng_, "blocks." + std::to_string(l));
  }

  /// x (B*T, input_size) -> predictions (B*T, output_size). Keeps the residual stream
  /// (x_l is block l's input) and norm_f's input for backward; x the caller keeps.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time) {
    EF_CHECK(batch > 0 && time > 0 && x.rows() == batch * time,
             "VectorTransformer: " << x.rows() << " rows for batch " << batch << " x time " << time);
    const ComposedForward<S> scope(record_, x);
    // x_0 = x W_in^T + b_in + wpe[0..T-1]
    residual_[0] = read_in_.forward(x) + position_embedding_.forward(batch, time);
    // x_{l+1} = block_l(x_l)
    for (std::size_t l = 0; l < blocks_.size(); ++l) residual_[l + 1] = blocks_[l].forward(residual_[l], batch, time);
    // y = norm_f(x_L) W_out^T + b_out
    final_normed_ = final_norm_.forward(residual_.back());
    return read_out_.forward(final_normed_);
  }

  /// The same path in reverse: read-out, final norm, blocks, then positions and read-in.
  Matrix<S> backward(const Matrix<S>& x, const Matrix<S>& prediction_grad) {
    const ComposedBackward<S> scope(record_, x, "VectorTransformer");
    Matrix<S> grad = final_norm_.backward(residual_.back(), read_out_.backward(final_normed_, prediction_grad));
    for (std::size_t l = blocks_.size(); l-- > 0;) grad = blocks_[l].backward(residual_[l], grad);
    position_embedding_.backward(grad);
    return read_in_.backward(x, grad);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    read_in_.parameters(visit);
    position_embedding_.parameters(visit);
    for (auto& block : blocks_) block.parameters(visit);
    final_norm_.parameters(visit);
    read_out_.parameters(visit);
  }

  std::vector<Parameter<S>*> parameter_list() { return eigenformer::parameter_list(*this); }
  Index num_parameters() { return count_parameters(*this); }

  void set_training(bool training) {
    for (auto& block : blocks_) block.set_training(training);
  }

  const GPTConfig& config() const { return config_; }

 private:
  GPTConfig config_;
  Rng rng_;
  Linear<S> read_in_;
  PositionEmbedding<S> position_embedding_;
  std::vector<Block> blocks_;
  typename Block::Norm final_norm_;
  Linear<S> read_out_;
  std::vector<Matrix<S>> residual_;  // x_0 .. x_L of the last forward, each (B*T, C)
  Matrix<S> final_normed_;           // norm_f(x_L)
  ForwardRecord<S> record_;
};

}  // namespace eigenformer
