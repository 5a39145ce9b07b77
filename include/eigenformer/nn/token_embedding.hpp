// Token embedding: a learned row of C numbers per token id.
//
//   x[n] = W[token[n]]          W (vocab_size, C), tokens (N,), x (N, C)
// It is a lookup, i.e. a one-hot row times W, so its backward adds each
// position's gradient into the row of the token that was looked up:
//   dW[token[n]] += dx[n]
// In a GPT the same W is the output layer (tied weights, Press & Wolf 2017):
// logits = h W^T scores every token by its dot product with h.
#pragma once

#include <string>

#include "eigenformer/core/init.hpp"
#include "eigenformer/core/layer.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/shape_check.hpp"

namespace eigenformer {

template <class S>
class TokenEmbedding {
 public:
  using Scalar = S;

  TokenEmbedding(Index vocab_size, Index channels, Rng& rng, const std::string& name = "wte", double init_std = 0.02)
      : weight_(child_name(name, "weight"), vocab_size, channels) {
    EF_CHECK(vocab_size > 0 && channels > 0,
             name << ": TokenEmbedding needs positive sizes, got vocab " << vocab_size << ", channels " << channels);
    fill_normal(weight_.value, init_std, rng);
  }

  Index vocab_size() const { return weight_.value.rows(); }
  Index channels() const { return weight_.value.cols(); }

  /// What backward reads: the ids looked up (a few ints), to add into their rows.
  struct Saved {
    Tokens tokens;
    BackwardTicket ticket;
    std::size_t bytes() const { return bytes_of(tokens); }
  };

  /// (N,) token ids -> (N, C) rows of W. Throws on an id outside [0, vocab_size).
  Matrix<S> forward(const Tokens& tokens) const {
    for (std::size_t n = 0; n < tokens.size(); ++n)
      EF_CHECK(tokens[n] >= 0 && tokens[n] < vocab_size(), "token id " << tokens[n] << " at position " << n
                                                                       << " is outside the vocabulary [0, "
                                                                       << vocab_size() << ")");
    Matrix<S> x(static_cast<Index>(tokens.size()), channels());
    for (Index n = 0; n < x.rows(); ++n) x.row(n) = weight_.value.row(tokens[n]);
    return x;
  }

  /// The same, keeping the ids.
  Matrix<S> forward(const Tokens& tokens, Saved& saved) const {
    saved.ticket.clear();
    Matrix<S> x = forward(tokens);
    saved.tokens = tokens;
    saved.ticket.issue(this);
    return x;
  }

  /// Forward was x[n] = W[token[n]], so dW[token[n]] += dx[n] (a token seen twice gets both).
  /// Token ids have no gradient: nothing is returned.
  void backward(Saved& saved, const Matrix<S>& dx) {
    saved.ticket.spend(this, weight_.name);
    EF_CHECK(dx.rows() == static_cast<Index>(saved.tokens.size()) && dx.cols() == channels(),
             weight_.name << ": gradient is " << dx.rows() << "x" << dx.cols() << ", expected " << saved.tokens.size()
                          << "x" << channels());
    for (Index n = 0; n < dx.rows(); ++n) weight_.grad.row(saved.tokens[n]) += dx.row(n);
  }

  template <class Visit>
  void parameters(Visit&& visit) {
    visit(weight_);
  }

  Parameter<S>& weight() { return weight_; }
  const Parameter<S>& weight() const { return weight_; }

 private:
  Parameter<S> weight_;
};

}  // namespace eigenformer
