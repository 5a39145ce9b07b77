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
// The model keeps the residual stream between blocks (block l's input is
// residual_[l]) and hands each block its own input back in backward.
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

#include "eigenformer/core/forward_record.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/fast/multiply.hpp"
#include "eigenformer/model/gpt_config.hpp"
#include "eigenformer/nn/cross_entropy.hpp"
#include "eigenformer/nn/kv_cache.hpp"
#include "eigenformer/nn/position_embedding.hpp"
#include "eigenformer/nn/token_embedding.hpp"
#include "eigenformer/nn/transformer_block.hpp"

namespace eigenformer {

template <class S, SequenceLayer Block = GPT2Block<S>>
class GPT {
  static_assert(std::is_same_v<typename Block::Scalar, S>,
                "GPT<S, Block>: the block must use the model's number type (GPT<float, GPT2Block<float>>)");

 public:
  using Scalar = S;

  explicit GPT(const GPTConfig& config, std::uint64_t seed = 1337)
      : config_((config.validate(), config.check_fits_in_memory(sizeof(S)), config)),
        rng_(seed),
        token_embedding_(config.vocab_size, config.channels, rng_, "wte", config.init_std),
        embedding_dropout_(config.dropout, rng_.next()),
        final_norm_(config.channels, "norm_f", S(config.norm_eps)),
        residual_(std::size_t(config.num_layers + 1)) {
    if constexpr (!Block::kRotary)
      position_embedding_.emplace(config.block_size, config.channels, rng_, "wpe", config.init_std);
    blocks_.reserve(std::size_t(config.num_layers));
    for (Index l = 0; l < config.num_layers; ++l) blocks_.emplace_back(config, rng_, "blocks." + std::to_string(l));
    if (!config.tie_embeddings) {
      head_.emplace("lm_head.weight", config.vocab_size, config.channels);
      fill_normal(head_->value, config.init_std, rng_);
    }
  }

  /// Logits (B*T, V) for tokens (B*T ids, row-major (B, T)): the prediction at every position.
  Matrix<S> forward(const Tokens& tokens, Index batch, Index time) {
    compute_logits(tokens, batch, time);
    state_ = State::kLogits;
    return logits_;
  }

  /// Mean cross-entropy loss against targets (-1 = not trained); logits() holds the
  /// logits. Keeps what backward() needs.
  S forward(const Tokens& tokens, const Tokens& targets, Index batch, Index time) {
    compute_logits(tokens, batch, time);
    const S loss = loss_.forward(logits_, targets);
    state_ = State::kLoss;
    return loss;
  }

  /// Backward from the loss of the last forward: adds every parameter's gradient. The
  /// forward's steps in reverse, each layer handed the input its forward saw.
  void backward() {
    check_backward_allowed();
    const CompositeScope scope;  // the activations below are the model's own
    // logits = h E^T, so dh = dlogits E and dE += dlogits^T h
    const Matrix<S>& logits_grad = loss_.backward();
    Parameter<S>& head = head_weight();
    fast::multiply(head.grad, logits_grad.transpose(), final_normed_, Accumulate::kYes);
    Matrix<S> grad(final_normed_.rows(), final_normed_.cols());
    fast::multiply(grad, logits_grad, head.value);
    // h = norm_f(x_L), x_{l+1} = block_l(x_l)
    grad = final_norm_.backward(residual_.back(), grad);
    for (Index l = config_.num_layers - 1; l >= 0; --l)
      grad = blocks_[std::size_t(l)].backward(residual_[std::size_t(l)], grad);
    // x_0 = Dropout(wte[tokens] + wpe[0..T-1])
    grad = embedding_dropout_.backward(std::move(grad));
    token_embedding_.backward(grad);
    if (position_embedding_) position_embedding_->backward(grad);
    state_ = State::kBackwardDone;
  }

  /// Generation: logits (B*T, V) for the next T tokens of B sequences, continuing the
  /// cache.length() positions already in `cache` (a new or cleared cache starts new
  /// sequences). The same steps as training, each block's attention reading and
  /// extending its part of the cache; no backward may follow.
  Matrix<S> forward(const Tokens& tokens, Index batch, Index time, KVCache<S>& cache) {
    check_tokens(tokens, batch, time);
    const CompositeScope scope;  // the activations below are the model's own
    EF_CHECK(
        cache.num_layers() == config_.num_layers && cache.block_size() == config_.block_size && cache.batch() == batch,
        "the KV cache has " << cache.num_layers() << " layers, block size " << cache.block_size() << " and batch "
                            << cache.batch() << "; the model " << config_.num_layers << ", " << config_.block_size
                            << " and the call " << batch);
    EF_CHECK(cache.length() + time <= config_.block_size, "the KV cache holds "
                                                              << cache.length() << " positions; " << time
                                                              << " more exceed the block size " << config_.block_size);
    cache.claim_for(this);
    // x = wte[tokens] + wpe[length .. length+T-1]
    Matrix<S> x = embed(tokens, batch, time, cache.length());
    // x = block_l(x), each attention continuing its part of the cache
    for (Index l = 0; l < config_.num_layers; ++l) x = blocks_[std::size_t(l)].forward(x, batch, time, cache.layer(l));
    cache.advance(time);  // one position count for every layer, moved once all have appended
    state_ = State::kGenerated;
    // logits = norm_f(x) E^T
    Matrix<S> logits(x.rows(), config_.vocab_size);
    fast::multiply(logits, final_norm_.forward(x), head_weight().value.transpose());
    return logits;
  }

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
    for (Parameter<S>* p : parameter_list()) p->zero_grad();
  }

  /// Dropout on in training, off at eval.
  void set_training(bool training) {
    embedding_dropout_.set_training(training);
    for (auto& block : blocks_) block.set_training(training);
  }

  const GPTConfig& config() const { return config_; }
  /// The logits of the last training-style forward, (B*T, V).
  const Matrix<S>& logits() const { return logits_; }
  const CrossEntropy<S>& loss() const { return loss_; }
  Block& block(Index layer) { return blocks_.at(std::size_t(layer)); }

 private:
  /// What the last forward leaves for backward: only a loss can be differentiated, once.
  enum class State { kNone, kLogits, kLoss, kBackwardDone, kGenerated };

  void check_tokens(const Tokens& tokens, Index batch, Index time) const {
    EF_CHECK(batch > 0 && time > 0, "batch " << batch << " and time " << time << " must be positive");
    EF_CHECK(Index(tokens.size()) == batch * time, tokens.size()
                                                       << " tokens do not fill batch " << batch << " x time " << time);
    EF_CHECK(time <= config_.block_size,
             "sequence length " << time << " exceeds the block size " << config_.block_size);
  }

  void check_backward_allowed() const {
    EF_CHECK(state_ != State::kNone, "GPT: backward before any forward");
    EF_CHECK(
        state_ != State::kLogits,
        "GPT: backward needs a loss: call forward(tokens, targets, batch, time), not forward(tokens, batch, time)");
    EF_CHECK(state_ != State::kGenerated,
             "GPT: backward after a forward with a KV cache (generation keeps nothing for backward)");
    EF_CHECK(state_ != State::kBackwardDone,
             "GPT: backward twice after one forward (the gradients would be added twice); run forward again first");
  }

  /// x_0 = wte[tokens] + wpe[start .. start+T-1]  (B*T, C); RoPE models have no wpe.
  Matrix<S> embed(const Tokens& tokens, Index batch, Index time, Index start) {
    Matrix<S> x = token_embedding_.forward(tokens);
    if (position_embedding_) x += position_embedding_->forward(batch, time, start);
    return x;
  }

  /// The forward pass of training and evaluation, keeping every block's input for backward:
  ///   x_0 = Dropout(wte[tokens] + wpe[0..T-1]);  x_{l+1} = block_l(x_l);  logits = norm_f(x_L) E^T
  void compute_logits(const Tokens& tokens, Index batch, Index time) {
    check_tokens(tokens, batch, time);
    const CompositeScope scope;  // the activations below are the model's own
    residual_[0] = embedding_dropout_.forward(embed(tokens, batch, time, 0));
    for (Index l = 0; l < config_.num_layers; ++l)
      residual_[std::size_t(l + 1)] = blocks_[std::size_t(l)].forward(residual_[std::size_t(l)], batch, time);
    final_normed_ = final_norm_.forward(residual_.back());
    logits_.resize(final_normed_.rows(), config_.vocab_size);
    fast::multiply(logits_, final_normed_, head_weight().value.transpose());
  }

  /// E: the token embedding (tied) or the separate output layer, (V, C).
  Parameter<S>& head_weight() { return head_ ? *head_ : token_embedding_.weight(); }

  GPTConfig config_;
  Rng rng_;
  TokenEmbedding<S> token_embedding_;
  std::optional<PositionEmbedding<S>> position_embedding_;
  Dropout<S> embedding_dropout_;
  std::vector<Block> blocks_;
  typename Block::Norm final_norm_;
  std::optional<Parameter<S>> head_;  // (V, C) output layer when not tied to wte
  CrossEntropy<S> loss_;
  // The activations of the last forward: the residual stream x_0 .. x_L (each (B*T, C);
  // x_l is block l's input), h = norm_f(x_L) and the logits (B*T, V).
  std::vector<Matrix<S>> residual_;
  Matrix<S> final_normed_, logits_;
  State state_ = State::kNone;
};

template <class S>
using LlamaGPT = GPT<S, LlamaBlock<S>>;

}  // namespace eigenformer
