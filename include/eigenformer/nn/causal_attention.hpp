// Causal attention for one (sequence, head), exactly as the equations say: the reference.
//
// With q (T, D) the queries of T positions, and k, v (past + T, D) the keys and values of
// every position they may see (the first `past` came before: a KV cache; 0 in training):
// \[ S = \frac{q k^\top}{\sqrt{D}} \ (T, L), \qquad P = \mathrm{softmax}(S) \text{ over }
//     j \le \mathrm{past} + i, \qquad Y = P v \ (T, D) \]
// and backward, from dY = dL/dY:
// \[ dP = dY\, v^\top, \quad dS = P \odot (dP - \mathrm{rowsum}(P \odot dP)) / \sqrt{D}, \quad
//     dq = dS\, k, \quad dk = dS^\top q, \quad dv = P^\top dY \]
// CausalSelfAttention runs this for every (sequence, head) pair through the kernel in
// fast/causal_attention.hpp, which computes the same numbers without the masked future;
// tests/fast/ checks the kernel against these functions.
#pragma once

#include <cmath>

#include "eigenformer/core/softmax.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

template <class S>
struct CausalAttention {
  Matrix<S> probabilities;  // P (T, L)
  Matrix<S> output;         // Y (T, D)
};

/// P and Y for queries q (T, D) over keys and values k, v (past + T, D).
template <class S>
CausalAttention<S> causal_attention(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v, Index past = 0) {
  Matrix<S> scores = q * k.transpose();                              // S (T, L), before the scale
  causal_softmax_rows(scores, S(1) / std::sqrt(S(q.cols())), past);  // P: the scale folded into the softmax
  Matrix<S> output = scores * v;
  return {std::move(scores), std::move(output)};
}

template <class S>
struct CausalAttentionGradients {
  Matrix<S> dq, dk, dv;
};

/// The gradients of q, k, v in training (past = 0), from P of the forward and dY.
template <class S>
CausalAttentionGradients<S> causal_attention_backward(const Matrix<S>& q, const Matrix<S>& k, const Matrix<S>& v,
                                                      const Matrix<S>& probabilities, const Matrix<S>& output_grad) {
  Matrix<S> scores_grad = output_grad * v.transpose();  // dP, then dS in place
  softmax_rows_backward(probabilities, scores_grad, S(1) / std::sqrt(S(q.cols())));
  return {scores_grad * k, scores_grad.transpose() * q, probabilities.transpose() * output_grad};
}

}  // namespace eigenformer
