// One matrix product on the calling thread: C = A B (or C += A B), "GEMM".
//
// Written `dst.noalias() = lhs * rhs`, Eigen does the product itself, or hands it to
// OpenBLAS when EIGENFORMER_OPENBLAS is on. For float operands laid out in memory
// (matrices, blocks, transposed views) we call OpenBLAS's sgemm ourselves instead,
// because of how a BLAS spends its time on small shapes like the tiny config's:
//  - A large product first packs A and B into cache-sized panels, and for
//    C = A B first zeroes C (Eigen's `=` does so too): passes over memory that, at a
//    width of 64, cost a third as much as the arithmetic.
//  - On AVX-512 CPUs OpenBLAS also has "small-matrix" kernels that read A and B where
//    they lie and write C directly, used when M N K <= 100^3 (and not for a
//    transposed first operand, which we avoid by copying it; OpenBLAS's rule is in
//    kernel/x86_64/sgemm_small_kernel_permit_skylakex.c).
// So we cut a product into pieces that small: row slabs of C, or, when C itself is
// too large for a slab (a weight gradient dW = dy^T x, summed over thousands of rows),
// slices of the inner sum. At the tiny config's shapes the pieces run at ~114 GFLOP/s
// against ~99 for one large call, and a training step went from 96K to 109K tokens/s.
// Wider layers do not fit in pieces of a useful size and keep one large call.
// BLAS is column-major (Fortran): our row-major C, read column by column, is C^T,
// so we ask for C^T = B^T A^T. An operand stored row-major is, read that way,
// already the transpose we need ('N'); a transposed view of ours needs 'T'.
#pragma once

#include <type_traits>

#include "eigenformer/core/even_split.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

enum class Accumulate { kNo, kYes };

#ifdef EIGENFORMER_OPENBLAS
namespace detail {

/// A float operand sgemm can read in place: rows or columns contiguous in memory.
template <class M>
constexpr bool kBlasReadable = std::is_same_v<typename M::Scalar, float> &&
                               ((M::Flags & Eigen::DirectAccessBit) != 0) && (M::InnerStrideAtCompileTime == 1);

/// OpenBLAS's bound for its small-matrix kernels, M N K <= 100^3; they exist for AVX-512.
#ifdef __AVX512F__
constexpr Index kSmallProduct = 1000000;
#else
constexpr Index kSmallProduct = 0;
#endif
/// A transposed right operand is copied row-major for the small kernels only when the
/// copy is reused over this many rows of the product: attention's 32-query chunks gain
/// from it, generation's one-row products lose (a copy of every weight per token).
constexpr Index kMinRowsToCopy = 32;

/// dst = lhs rhs + beta dst by one sgemm call: row-major dst, any readable lhs and rhs.
template <class Dst, class Lhs, class Rhs>
void sgemm(Dst&& dst, const Lhs& lhs, const Rhs& rhs, float beta) {
  const int m = int(dst.rows()), n = int(dst.cols()), k = int(lhs.cols());
  const int lda = int(lhs.outerStride()), ldb = int(rhs.outerStride()), ldc = int(dst.outerStride());
  const char trans_a = Lhs::IsRowMajor ? 'N' : 'T', trans_b = Rhs::IsRowMajor ? 'N' : 'T';
  const float alpha = 1;
  sgemm_(&trans_b, &trans_a, &n, &m, &k, &alpha, rhs.data(), &ldb, lhs.data(), &lda, &beta, dst.data(), &ldc);
}

/// The product in pieces of at most kSmallProduct multiply-adds, each one sgemm call;
/// one call when no piece of a useful size fits.
template <class Dst, class Lhs, class Rhs>
void blas_product(Dst&& dst, const Lhs& lhs, const Rhs& rhs, float beta) {
  const Index m = dst.rows(), n = dst.cols(), k = lhs.cols();
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum
    if (beta == 0) dst.setZero();
    return;
  }
  const Index slab_rows = kSmallProduct / (n * k), slice_depth = kSmallProduct / (m * n);
  const bool small = m <= slab_rows, row_slabs = !small && slab_rows >= 16, inner_slices = !small && slice_depth >= 32;
  if (!small && !row_slabs && !inner_slices) return sgemm(dst, lhs, rhs, beta);
  if constexpr (!Rhs::IsRowMajor) {  // the small kernels want it row-major: copy it (k x n, small)
    if (m < kMinRowsToCopy) return sgemm(dst, lhs, rhs, beta);  // OpenBLAS chooses its own way
    thread_local Matrix<float> rhs_rows;
    rhs_rows = rhs;
    return blas_product(dst, lhs, rhs_rows, beta);
  }
  if (small) return sgemm(dst, lhs, rhs, beta);
  if (row_slabs) {
    const Index pieces = (m + slab_rows - 1) / slab_rows;
    for (Index piece = 0; piece < pieces; ++piece) {
      const auto [begin, count] = even_piece(m, pieces, piece);
      sgemm(dst.middleRows(begin, count), lhs.middleRows(begin, count), rhs, beta);
    }
    return;
  }
  const Index pieces = (k + slice_depth - 1) / slice_depth;  // C = sum over slices of A[:, s] B[s, :]
  for (Index piece = 0; piece < pieces; ++piece) {
    const auto [begin, count] = even_piece(k, pieces, piece);
    sgemm(dst, lhs.middleCols(begin, count), rhs.middleRows(begin, count), piece == 0 ? beta : 1.0f);
  }
}

}  // namespace detail
#endif

/// dst = lhs * rhs (kNo) or dst += lhs * rhs (kYes) on this thread. dst may be a block.
template <class Dst, class Lhs, class Rhs>
void gemm(Dst&& dst, const Lhs& lhs, const Rhs& rhs, Accumulate accumulate = Accumulate::kNo) {
#ifdef EIGENFORMER_OPENBLAS
  using D = std::remove_reference_t<Dst>;
  if constexpr (detail::kBlasReadable<D> && D::IsRowMajor && detail::kBlasReadable<Lhs> && detail::kBlasReadable<Rhs>) {
    detail::blas_product(dst, lhs, rhs, accumulate == Accumulate::kYes ? 1.0f : 0.0f);
    return;
  }
#endif
  if (accumulate == Accumulate::kYes)
    dst.noalias() += lhs * rhs;
  else
    dst.noalias() = lhs * rhs;
}

}  // namespace eigenformer
