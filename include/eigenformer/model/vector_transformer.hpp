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
        final_norm_(config.channels, "norm_f"),
        read_out_(config.channels, output_size, true, rng_, "read_out", config.init_std) {
    for (Index l = 0; l < config.num_layers; ++l)
      blocks_.emplace_back(config.block_config(), rng_, "blocks." + std::to_string(l));
  }

  /// x (B*T, input_size) -> predictions (B*T, output_size).
  const Matrix<S>& forward(const Matrix<S>& x, Index batch, Index time) {
    EF_CHECK(batch > 0 && time > 0 && x.rows() == batch * time,
             "VectorTransformer: " << x.rows() << " rows for batch " << batch << " x time " << time);
    hidden_ = read_in_.forward(x) + position_embedding_.forward(batch, time);
    const Matrix<S>* h = &hidden_;
    for (auto& block : blocks_) h = &block.forward(*h, batch, time);
    return read_out_.forward(final_norm_.forward(*h));
  }
  // x must outlive backward (layer.hpp): a temporary would not
  const Matrix<S>& forward(Matrix<S>&& temporary, Index batch, Index time) = delete;

  /// The same path in reverse: read-out, final norm, blocks, then read-in and positions.
  const Matrix<S>& backward(const Matrix<S>& prediction_grad) {
    const Matrix<S>* grad = &final_norm_.backward(read_out_.backward(prediction_grad));
    for (auto block = blocks_.rbegin(); block != blocks_.rend(); ++block) grad = &block->backward(*grad);
    position_embedding_.backward(*grad);
    return read_in_.backward(*grad);
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
  Matrix<S> hidden_;
};

}  // namespace eigenformer
