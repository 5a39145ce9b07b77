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
// What a training forward leaves for backward is the caller's GPT::Activations (llm.c's
// ActivationTensors): every layer's saved state, the logits and the loss's. Inference
// (a KV cache, also the caller's) reads the weights only: a const model serves any
// number of caches and activations at once.
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

#include "eigenformer/core/layer.hpp"
#include "eigenformer/fast/multiply.hpp"
#include "eigenformer/nn/cross_entropy.hpp"
#include "eigenformer/nn/gpt_config.hpp"
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
        final_norm_(config.channels, "norm_f", S(config.norm_eps)) {
    if constexpr (!Block::kRotary)
      position_embedding_.emplace(config.block_size, config.channels, rng_, "wpe", config.init_std);
    blocks_.reserve(std::size_t(config.num_layers));
    for (Index l = 0; l < config.num_layers; ++l) blocks_.emplace_back(config, rng_, "blocks." + std::to_string(l));
    if (!config.tie_embeddings) {
      head_.emplace("lm_head.weight", config.vocab_size, config.channels);
      fill_normal(head_->value, config.init_std, rng_);
    }
  }

  /// What one training forward keeps for backward: a value the caller holds, reused from
  /// step to step (its buffers keep their size). Its fields are the forward's steps.
  struct Activations {
    typename TokenEmbedding<S>::Saved token_embedding;
    typename PositionEmbedding<S>::Saved position_embedding;  // unused by RoPE models
    typename Dropout<S>::Saved embedding_dropout;
    std::vector<typename Block::Saved> blocks;  // one per layer
    typename Block::Norm::Saved final_norm;
    Matrix<S> final_normed;                // h = norm_f(x_L), (B*T, C): the head's input
    typename CrossEntropy<S>::Saved loss;  // softmax(logits) (B*T, V) among it
    BackwardTicket ticket;
    std::size_t bytes() const {
      return bytes_of(token_embedding, embedding_dropout, blocks, final_norm, final_normed, loss);
    }
  };

  /// Training: the mean cross-entropy loss of tokens (B*T ids, row-major (B, T)) against
  /// targets (-1 = not trained), with dropout; `activations` keeps what backward needs.
  S forward(const Tokens& tokens, const Tokens& targets, Index batch, Index time, Activations& activations) const {
    activations.ticket.clear();
    check_tokens(tokens, batch, time);
    activations.blocks.resize(std::size_t(config_.num_layers));
    // x_0 = Dropout(wte[tokens] + wpe[0..T-1])
    Matrix<S> x = token_embedding_.forward(tokens, activations.token_embedding);
    if (position_embedding_) x += position_embedding_->forward(batch, time, activations.position_embedding);
    x = embedding_dropout_.forward(std::move(x), activations.embedding_dropout);
    // x_{l+1} = block_l(x_l)
    for (Index l = 0; l < config_.num_layers; ++l)
      x = blocks_[std::size_t(l)].forward(x, batch, time, activations.blocks[std::size_t(l)]);
    // logits = norm_f(x_L) E^T
    activations.final_normed = final_norm_.forward(x, activations.final_norm);
    Matrix<S> logits = std::move(activations.loss.probabilities);  // last step's (B*T, V) buffer, reused
    logits.resize(x.rows(), config_.vocab_size);
    fast::multiply(logits, activations.final_normed, head_weight().value.transpose());
    const S loss = loss_.forward(std::move(logits), targets, activations.loss);
    activations.ticket.issue(this);
    return loss;
  }

  /// Backward from the loss of that forward: adds every parameter's gradient. The
  /// forward's steps in reverse, each layer reading its own saved state.
  void backward(Activations& activations) {
    activations.ticket.spend(this, "GPT");
    // dL/dloss = 1; logits = h E^T, so dh = dlogits E and dE += dlogits^T h
    Matrix<S> logits_grad = loss_.backward(activations.loss, S(1));
    Parameter<S>& head = head_weight();
    fast::multiply(head.grad, logits_grad.transpose(), activations.final_normed, Accumulate::kYes);
    Matrix<S> grad(logits_grad.rows(), config_.channels);
    fast::multiply(grad, logits_grad, head.value);
    // h = norm_f(x_L), x_{l+1} = block_l(x_l)
    grad = final_norm_.backward(activations.final_norm, grad);
    for (Index l = config_.num_layers - 1; l >= 0; --l)
      grad = blocks_[std::size_t(l)].backward(activations.blocks[std::size_t(l)], grad);
    // x_0 = Dropout(wte[tokens] + wpe[0..T-1])
    grad = embedding_dropout_.backward(activations.embedding_dropout, std::move(grad));
    token_embedding_.backward(activations.token_embedding, grad);
    if (position_embedding_) position_embedding_->backward(activations.position_embedding, grad);
    // The (B*T, V) buffer goes back for the next forward to write its logits into: at a
    // large vocabulary, allocating it anew every step costs more than the softmax.
    activations.loss.probabilities = std::move(logits_grad);
  }

  /// Inference: logits (B*T, V) for the next T tokens of B sequences, continuing the
  /// cache.length() positions already in `cache` (a new or cleared cache starts new
  /// sequences). The same steps as training without dropout, each block's attention
  /// reading and extending its part of the cache.
  Matrix<S> forward(const Tokens& tokens, Index batch, Index time, KVCache<S>& cache) const {
    check_tokens(tokens, batch, time);
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
    Matrix<S> x = token_embedding_.forward(tokens);
    if (position_embedding_) x += position_embedding_->forward(batch, time, cache.length());
    // x = block_l(x), each attention continuing its part of the cache
    for (Index l = 0; l < config_.num_layers; ++l) x = blocks_[std::size_t(l)].forward(x, batch, time, cache.layer(l));
    cache.advance(time);  // one position count for every layer, moved once all have appended
    // logits = norm_f(x) E^T
    Matrix<S> logits(x.rows(), config_.vocab_size);
    fast::multiply(logits, final_norm_.forward(x), head_weight().value.transpose());
    return logits;
  }

  /// Inference on whole sequences: logits (B*T, V), as above from an empty cache.
  Matrix<S> forward(const Tokens& tokens, Index batch, Index time) const {
    KVCache<S> cache(config_, batch);
    return forward(tokens, batch, time, cache);
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

  const GPTConfig& config() const { return config_; }
  Block& block(Index layer) { return blocks_.at(std::size_t(layer)); }
  const Block& block(Index layer) const { return blocks_.at(std::size_t(layer)); }

 private:
  void check_tokens(const Tokens& tokens, Index batch, Index time) const {
    EF_CHECK(batch > 0 && time > 0, "batch " << batch << " and time " << time << " must be positive");
    EF_CHECK(Index(tokens.size()) == batch * time, tokens.size()
                                                       << " tokens do not fill batch " << batch << " x time " << time);
    EF_CHECK(time <= config_.block_size,
             "sequence length " << time << " exceeds the block size " << config_.block_size);
  }

  /// E: the token embedding (tied) or the separate output layer, (V, C).
  Parameter<S>& head_weight() { return head_ ? *head_ : token_embedding_.weight(); }
  const Parameter<S>& head_weight() const { return head_ ? *head_ : token_embedding_.weight(); }

  GPTConfig config_;
  Rng rng_;
  TokenEmbedding<S> token_embedding_;
  std::optional<PositionEmbedding<S>> position_embedding_;
  Dropout<S> embedding_dropout_;
  std::vector<Block> blocks_;
  typename Block::Norm final_norm_;
  std::optional<Parameter<S>> head_;  // (V, C) output layer when not tied to wte
  CrossEntropy<S> loss_;
};

template <class S>
using LlamaGPT = GPT<S, LlamaBlock<S>>;

}  // namespace eigenformer
