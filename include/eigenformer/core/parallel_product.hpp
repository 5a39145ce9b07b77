// Matrix products split over threads by rows of the result.
//
//   C = A B  (or C += A B):  rows r0..r1 of C need only rows r0..r1 of A,
// so with n threads each computes one horizontal slab of C with a single-threaded
// GEMM, and no two threads write the same entry.
// Why not let the GEMM library thread itself: then a step would run on two thread
// pools (OpenMP for attention's (batch, head) loop, the BLAS's own for products) that
// fight for the cores; on 2 cores the step was no faster with 2 threads than with 1
// (measured, bench/race.py). One pool, OpenMP, runs everything.
#pragma once

#include <algorithm>

#include "eigenformer/core/even_split.hpp"
#include "eigenformer/core/gemm.hpp"
#include "eigenformer/core/threads.hpp"

namespace eigenformer {

/// dst = lhs * rhs (kNo) or dst += lhs * rhs (kYes). dst may be a block of a matrix.
template <class Dst, class Lhs, class Rhs>
void multiply(Dst&& dst, const Lhs& lhs, const Rhs& rhs, Accumulate accumulate = Accumulate::kNo) {
  configure_process_once();
  const Index rows = dst.rows();
  const int parts = worth_parallel(rows * lhs.cols() * rhs.cols()) ? std::min<int>(num_threads(), int(rows)) : 1;
  EF_PARALLEL_FOR_IF(parts > 1)
  for (int part = 0; part < parts; ++part) {
    const auto [begin, count] = even_piece(rows, parts, part);
    gemm(dst.middleRows(begin, count), lhs.middleRows(begin, count), rhs, accumulate);
  }
}

}  // namespace eigenformer
