// A GPT: a stack of transformer blocks that predicts the next token (Radford et al., 2018, 2019).
//
//   tokens (B, T) -> x = wte[tokens] + wpe[0..T-1]                (B*T, C)
//   x = block_l(x)  for l = 0 .. L-1                               (B*T, C)
//   h = norm_f(x);  logits = h wte^T (tied) or h W_head^T          (B*T, V)
//   loss = mean cross-entropy of logits against targets (-1 = not trained)
// The Block template picks the family: GPT2Block (learned positions, LayerNorm,
// GELU MLP) or LlamaBlock (RoPE, so no wpe; RMSNorm; SwiGLU). Everything else is shared.
// Parameters are visited in a fixed order with dotted names: wte.weight, wpe.weight,
// blocks.0.norm_1.weight, ..., norm_f.weight (and lm_head.weight when untied).
#pragma once

#include <optional>
#include <vector>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parallel_product.hpp"
#include "eigenformer/model/gpt_config.hpp"
#include "eigenformer/nn/cross_entropy.hpp"
#include "eigenformer/nn/position_embedding.hpp"
#include "eigenformer/nn/token_embedding.hpp"
#include "eigenformer/nn/transformer_block.hpp"

namespace eigenformer {

template <class S, SequenceLayer Block = GPT2Block<S>>
class GPT {
 public:
  using Scalar = S;
  using BlockType = Block;

  explicit GPT(const GPTConfig& config, std::uint64_t seed = 1337)
      : config_((config.validate(), config)),
        rng_(seed),
        token_embedding_(config.vocab_size, config.channels, rng_, "wte", config.init_std),
        embedding_dropout_(config.dropout, rng_.next()),
        final_norm_(config.channels, "norm_f") {
    if constexpr (!Block::kRotary)
      position_embedding_.emplace(config.block_size, config.channels, rng_, "wpe", config.init_std);
    blocks_.reserve(std::size_t(config.num_layers));
    for (Index l = 0; l < config.num_layers; ++l)
      blocks_.emplace_back(config.block_config(), rng_, "blocks." + std::to_string(l));
    if (!config.tie_embeddings) {
      head_.emplace("lm_head.weight", config.vocab_size, config.channels);
      fill_normal(head_->value, config.init_std, rng_);
    }
  }

  /// Logits (B*T, V) for tokens (B*T ids, row-major (B, T)). Keeps activations for backward.
  const Matrix<S>& forward(const Tokens& tokens, Index batch, Index time) {
    check_tokens(tokens, batch, time);
    return head_forward(run_blocks(tokens, batch, time, [&](Block& block, const Matrix<S>& x) -> const Matrix<S>& {
      return block.forward(x, batch, time);
    }));
  }

  /// Mean cross-entropy loss against targets (-1 = not trained); logits() holds the logits.
  S forward(const Tokens& tokens, const Tokens& targets, Index batch, Index time) {
    return loss_.forward(forward(tokens, batch, time), targets);
  }

  /// Backward from the loss of the last forward: adds every parameter's gradient.
  /// Restating the forward: logits = h E^T, so dh = dlogits E and dE += dlogits^T h.
  void backward() {
    const Matrix<S>& logits_grad = loss_.backward();
    const Matrix<S>& h = *final_norm_output_;
    Parameter<S>& head_weight = head_ ? *head_ : token_embedding_.weight();
    multiply(head_weight.grad, logits_grad.transpose(), h, Accumulate::kYes);
    hidden_grad_.resize(h.rows(), h.cols());
    multiply(hidden_grad_, logits_grad, head_weight.value);
    const Matrix<S>* grad = &final_norm_.backward(hidden_grad_);
    for (auto block = blocks_.rbegin(); block != blocks_.rend(); ++block) grad = &block->backward(*grad);
    const Matrix<S>& embedding_grad = embedding_dropout_.backward(*grad);
    token_embedding_.backward(embedding_grad);
    if (position_embedding_) position_embedding_->backward(embedding_grad);
  }

  /// Generation: logits for the next `time` tokens of each of `batch` sequences,
  /// continuing those already in the KV cache (start with reset_cache()).
  const Matrix<S>& forward_cached(const Tokens& tokens, Index batch, Index time) {
    check_tokens(tokens, batch, time);
    EF_CHECK(cache_length_ + time <= config_.block_size, "the KV cache holds " << cache_length_ << " positions; "
                                                                               << time << " more exceed the block size "
                                                                               << config_.block_size);
    const Matrix<S>& x = run_blocks(
        tokens, batch, time,
        [&](Block& block, const Matrix<S>& h) -> const Matrix<S>& { return block.forward_cached(h, batch, time); },
        cache_length_);
    cache_length_ += time;  // only once the tokens were accepted (an id outside the vocabulary throws above)
    return head_forward(x);
  }

  void reset_cache() {
    cache_length_ = 0;
    for (auto& block : blocks_) block.reset_cache();
  }
  Index cache_length() const { return cache_length_; }

  template <class Visit>
  void parameters(Visit&& visit) {
    token_embedding_.parameters(visit);
    if (position_embedding_) position_embedding_->parameters(visit);
    for (auto& block : blocks_) block.parameters(visit);
    final_norm_.parameters(visit);
    if (head_) visit(*head_);
  }

  /// The flat list of all parameters, in visiting order (for optimizers and checkpoints).
  std::vector<Parameter<S>*> parameter_list() { return eigenformer::parameter_list(*this); }
  Index num_parameters() { return count_parameters(*this); }

  void zero_grad() {
    parameters([](Parameter<S>& p) { p.zero_grad(); });
  }

  /// Dropout on in training, off at eval.
  void set_training(bool training) {
    embedding_dropout_.set_training(training);
    for (auto& block : blocks_) block.set_training(training);
  }

  const GPTConfig& config() const { return config_; }
  const Matrix<S>& logits() const { return logits_; }
  const CrossEntropy<S>& loss() const { return loss_; }
  Block& block(Index layer) { return blocks_.at(std::size_t(layer)); }

 private:
  void check_tokens(const Tokens& tokens, Index batch, Index time) const {
    EF_CHECK(batch > 0 && time > 0, "batch " << batch << " and time " << time << " must be positive");
    EF_CHECK(Index(tokens.size()) == batch * time, tokens.size()
                                                       << " tokens do not fill batch " << batch << " x time " << time);
    EF_CHECK(time <= config_.block_size,
             "sequence length " << time << " exceeds the block size " << config_.block_size);
  }

  /// x = wte[tokens] (+ wpe[start ..]), then every block through `step`.
  template <class Step>
  const Matrix<S>& run_blocks(const Tokens& tokens, Index batch, Index time, Step&& step, Index start = 0) {
    embedded_ = token_embedding_.forward(tokens);
    if (position_embedding_) embedded_ += position_embedding_->forward(batch, time, start);
    const Matrix<S>* x = &embedding_dropout_.forward(embedded_);
    for (auto& block : blocks_) x = &step(block, *x);
    return *x;
  }

  /// logits = norm_f(x) E^T with E the token embedding (tied) or the separate head.
  const Matrix<S>& head_forward(const Matrix<S>& x) {
    final_norm_output_ = &final_norm_.forward(x);
    const Parameter<S>& head_weight = head_ ? *head_ : token_embedding_.weight();
    logits_.resize(x.rows(), head_weight.value.rows());
    multiply(logits_, *final_norm_output_, head_weight.value.transpose());
    return logits_;
  }

  GPTConfig config_;
  Rng rng_;
  TokenEmbedding<S> token_embedding_;
  std::optional<PositionEmbedding<S>> position_embedding_;
  Dropout<S> embedding_dropout_;
  std::vector<Block> blocks_;
  typename Block::Norm final_norm_;
  std::optional<Parameter<S>> head_;  // (V, C) output layer when not tied to wte
  CrossEntropy<S> loss_;
  Index cache_length_ = 0;
  const Matrix<S>* final_norm_output_ = nullptr;  // the final norm's output, (B*T, C)
  Matrix<S> embedded_, logits_, hidden_grad_;
};

template <class S>
using LlamaGPT = GPT<S, LlamaBlock<S>>;

}  // namespace eigenformer
