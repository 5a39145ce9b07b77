// Causal attention for one (sequence, head), made fast: the same numbers as the plain
// equations of nn/causal_attention.hpp (the reference tests/fast/ checks it against):
//   P = softmax(q k^T * scale) over keys j <= past + i,   Y = P v
// and its backward, dP = dY v^T, dS = P * (dP - rowsum(P * dP)) * scale,
// dq = dS k, dk = dS^T q, dv = P^T dY.
// What makes it fast: queries go in chunks of kQueryChunk rows, and a chunk multiplies
// only the keys it may see, so most of the masked future is never computed (62% of the
// T^2 work at T = 128); each product is one gemm (fast/gemm.hpp) on blocks that stay in
// cache. Shapes: q (T, D); k, v (past + T, D); P (T, past + T); Y (T, D).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "eigenformer/core/softmax.hpp"
#include "eigenformer/fast/gemm.hpp"

namespace eigenformer {

namespace fast {

/// Queries are processed in chunks of this many rows (16, 32 and 64 run alike at T = 64
/// and 128 in bench/bench_layers.cpp's BM_Layer_Attention; 32 keeps the saving at long T).
inline constexpr Index kQueryChunk = 32;

/// P = causal softmax(q k^T * scale), Y = P v for one (sequence, head). The first `past`
/// keys come before the first query; P's entries past what a query may see are 0.
template <class Q, class K, class V, class P, class Y>
void causal_attention_forward(const Q& q, const K& k, const V& v, Index past, typename Q::Scalar scale, P&& p, Y&& y) {
  const Index T = q.rows(), L = past + T;
  for (Index r0 = 0; r0 < T; r0 += kQueryChunk) {  // rows r0 .. r0+n-1 see keys 0 .. visible-1
    const Index n = std::min(kQueryChunk, T - r0), visible = past + r0 + n;
    auto scores = p.block(r0, 0, n, visible);
    gemm(scores, q.middleRows(r0, n), k.topRows(visible).transpose());
    causal_softmax_rows(scores, scale, past + r0);
    p.block(r0, visible, n, L - visible).setZero();
    gemm(y.middleRows(r0, n), scores, v.topRows(visible));
  }
}

/// The backward of causal_attention_forward in training (past = 0): dq, dk, dv from dY
/// and the kept P. `ds` is (T, T) scratch for dP and dS.
template <class Q, class K, class V, class P, class DY, class DS, class DQ, class DK, class DV>
void causal_attention_backward(const Q& q, const K& k, const V& v, const P& p, const DY& dy, typename Q::Scalar scale,
                               DS&& ds, DQ&& dq, DK&& dk, DV&& dv) {
  const Index T = q.rows();
  for (Index r0 = 0; r0 < T; r0 += kQueryChunk) {  // by query rows: dP, dS, dq
    const Index n = std::min(kQueryChunk, T - r0), visible = r0 + n;
    auto ds_rows = ds.block(r0, 0, n, visible);
    gemm(ds_rows, dy.middleRows(r0, n), v.topRows(visible).transpose());  // dP
    softmax_rows_backward(p.block(r0, 0, n, visible), ds_rows, scale);    // masked: P = 0, so dS = 0
    gemm(dq.middleRows(r0, n), ds_rows, k.topRows(visible));
  }
  for (Index j0 = 0; j0 < T; j0 += kQueryChunk) {  // by key rows: only queries i >= j0 saw key j0
    const Index n = std::min(kQueryChunk, T - j0), seen_by = T - j0;
    gemm(dv.middleRows(j0, n), p.block(j0, j0, seen_by, n).transpose(), dy.bottomRows(seen_by));
    gemm(dk.middleRows(j0, n), ds.block(j0, j0, seen_by, n).transpose(), q.bottomRows(seen_by));
  }
}

}  // namespace fast
}  // namespace eigenformer
