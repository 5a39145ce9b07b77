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
#include "eigenformer/nn/gpt_config.hpp"
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
        read_out_(config.channels, output_size, true, rng_, "read_out", config.init_std) {
    for (Index l = 0; l < config.num_layers; ++l) blocks_.emplace_back(config, rng_, "blocks." + std::to_string(l));
  }

  /// What a training forward keeps for backward, held by the caller.
  struct Activations {
    typename Linear<S>::Saved read_in;
    typename PositionEmbedding<S>::Saved position_embedding;
    std::vector<typename Block::Saved> blocks;
    typename Block::Norm::Saved final_norm;
    typename Linear<S>::Saved read_out;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(read_in, blocks, final_norm, read_out); }
  };

  /// Training: x (B*T, input_size) -> predictions (B*T, output_size).
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time, Activations& activations) const {
    activations.ticket.clear();
    check_input(x, batch, time);
    activations.blocks.resize(blocks_.size());
    // x_0 = x W_in^T + b_in + wpe[0..T-1]
    Matrix<S> h = read_in_.forward(x, activations.read_in) +
                  position_embedding_.forward(batch, time, activations.position_embedding);
    // x_{l+1} = block_l(x_l)
    for (std::size_t l = 0; l < blocks_.size(); ++l) h = blocks_[l].forward(h, batch, time, activations.blocks[l]);
    // y = norm_f(x_L) W_out^T + b_out
    Matrix<S> y = read_out_.forward(final_norm_.forward(h, activations.final_norm), activations.read_out);
    activations.ticket.issue(this);
    return y;
  }

  /// Inference: the same path without dropout, keeping nothing.
  Matrix<S> forward(const Matrix<S>& x, Index batch, Index time) const {
    check_input(x, batch, time);
    KVCache<S> cache(config_, batch);
    Matrix<S> h = read_in_.forward(x) + position_embedding_.forward(batch, time);
    for (std::size_t l = 0; l < blocks_.size(); ++l) h = blocks_[l].forward(h, batch, time, cache.layer(Index(l)));
    return read_out_.forward(final_norm_.forward(h));
  }

  /// The same path in reverse: read-out, final norm, blocks, then positions and read-in.
  Matrix<S> backward(Activations& activations, const Matrix<S>& prediction_grad) {
    activations.ticket.spend(this, "VectorTransformer");
    Matrix<S> grad =
        final_norm_.backward(activations.final_norm, read_out_.backward(activations.read_out, prediction_grad));
    for (std::size_t l = blocks_.size(); l-- > 0;) grad = blocks_[l].backward(activations.blocks[l], grad);
    position_embedding_.backward(activations.position_embedding, grad);
    return read_in_.backward(activations.read_in, grad);
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

  const GPTConfig& config() const { return config_; }

 private:
  void check_input(const Matrix<S>& x, Index batch, Index time) const {
    EF_CHECK(batch > 0 && time > 0 && x.rows() == batch * time,
             "VectorTransformer: " << x.rows() << " rows for batch " << batch << " x time " << time);
  }

  GPTConfig config_;
  Rng rng_;
  Linear<S> read_in_;
  PositionEmbedding<S> position_embedding_;
  std::vector<Block> blocks_;
  typename Block::Norm final_norm_;
  Linear<S> read_out_;
};

}  // namespace eigenformer
