// Matrix products split over threads by rows of the result: what every layer calls.
//
//   C = A B  (or C += A B):  rows r0..r1 of C need only rows r0..r1 of A,
// so with n threads each computes one horizontal slab of C with a single-threaded
// GEMM (fast/gemm.hpp), and no two threads write the same entry.
// Why not let the GEMM library thread itself: then a step would run on two thread
// pools (OpenMP for attention's (batch, head) loop, the BLAS's own for products) that
// fight for the cores; on 2 cores the step was no faster with 2 threads than with 1
// (measured, bench/race.py). One pool, OpenMP, runs everything.
#pragma once

#include <algorithm>

#include "eigenformer/core/threads.hpp"
#include "eigenformer/fast/even_split.hpp"
#include "eigenformer/fast/gemm.hpp"

namespace eigenformer::fast {

/// dst = lhs * rhs (kNo) or dst += lhs * rhs (kYes), for matrices, blocks and transposed
/// blocks. dst may be a block of a matrix.
template <class Dst, class Lhs, class Rhs>
void multiply(Dst&& dst, const Lhs& lhs, const Rhs& rhs, Accumulate accumulate = Accumulate::kNo) {
  const auto c = output_view_of(dst);
  const auto a = view_of(lhs), b = view_of(rhs);
  const int parts = worth_parallel(c.rows * a.cols * b.cols) ? std::min<int>(num_threads(), int(c.rows)) : 1;
  EF_PARALLEL_FOR_IF(parts > 1)
  for (int part = 0; part < parts; ++part) {
    const auto [begin, count] = even_piece(c.rows, parts, part);
    gemm_views(c.middle_rows(begin, count), a.middle_rows(begin, count), b, accumulate);
  }
}

}  // namespace eigenformer::fast
