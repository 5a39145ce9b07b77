// One matrix product on the calling thread: C = A B or C += A B, "GEMM".
//
// The layers say what they multiply (fast::multiply(y, x, W.transpose()), in
// fast/multiply.hpp); this file decides how. Two things make it fast, and one makes it
// cheap to compile:
//  - Every operand is first reduced to a view: numbers in memory, rows x cols, stored
//    row by row or column by column, with a stride. A transposed row-major block is a
//    column-major view of the same numbers, so the product itself exists for four
//    storage-order pairs per number type, not once per Eigen expression type
//    (scripts/compile_cost.sh measures what a program's compile costs).
//  - Where OpenBLAS is used (EIGENFORMER_OPENBLAS) float products call its sgemm
//    directly, cut into pieces its AVX-512 "small-matrix" kernels take whole: those
//    read A and B where they lie and write C directly, where a large call first packs
//    A and B into panels and zeroes C, passes over memory that cost a third as much as
//    the arithmetic at width 64. The kernels are used when M N K <= 100^3 (and not for
//    a transposed first operand: OpenBLAS's rule, kernel/x86_64/
//    sgemm_small_kernel_permit_skylakex.c), so a product is cut into row slabs of C,
//    or, when C itself is too large for a slab (a weight gradient dW = dy^T x, summed
//    over thousands of rows), into slices of the inner sum. At the tiny config's shapes
//    the pieces run faster than one large call (bench/bench_layers.cpp's BM_Layer_Linear
//    and bench/race.sh measure it). Wider layers do not fit in pieces of a useful size
//    and keep one call.
//  - Elsewhere Eigen multiplies the views (its own GEMM, or OpenBLAS's via EIGEN_USE_BLAS).
// BLAS is column-major (Fortran): our row-major C, read column by column, is C^T, so we
// ask for C^T = B^T A^T. A row-major view is, read that way, already the transpose we
// need ('N'); a column-major view needs 'T'.
#pragma once

#include <type_traits>

#include "eigenformer/core/types.hpp"
#include "eigenformer/fast/even_split.hpp"

#ifdef EIGENFORMER_OPENBLAS
/// The Fortran BLAS product OpenBLAS exports, C = alpha op(A) op(B) + beta C, column-major;
/// declared exactly as Eigen's Eigen/src/misc/blas.h declares it (EIGEN_USE_BLAS).
extern "C" int sgemm_(const char* trans_a, const char* trans_b, const int* m, const int* n, const int* k,
                      const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                      const float* beta, float* c, const int* ldc);
#endif

namespace eigenformer {

enum class Accumulate { kNo, kYes };

namespace fast {

/// An operand as a BLAS sees it: rows x cols numbers at `data`, row i of a row-major
/// view starting at data + i * stride (column j of a column-major one at data + j * stride).
template <class S>
struct MatrixView {
  const S* data;
  Index rows, cols, stride;
  bool row_major;

  /// Rows begin .. begin+count-1, and columns likewise: views of the same numbers.
  MatrixView middle_rows(Index begin, Index count) const {
    return {data + (row_major ? begin * stride : begin), count, cols, stride, row_major};
  }
  MatrixView middle_cols(Index begin, Index count) const {
    return {data + (row_major ? begin : begin * stride), rows, count, stride, row_major};
  }
};

/// The view of any Eigen matrix, block or transposed block whose rows (or columns) are
/// contiguous in memory: the only operands a product here takes.
template <class M>
MatrixView<typename M::Scalar> view_of(const M& m) {
  static_assert((M::Flags & Eigen::DirectAccessBit) != 0 && M::InnerStrideAtCompileTime == 1,
                "fast::gemm multiplies matrices, blocks and transposed blocks (numbers in memory), not expressions");
  return {m.data(), m.rows(), m.cols(), m.outerStride(), bool(M::IsRowMajor)};
}

/// The destination: a row-major matrix or block of one, written in place.
template <class S>
struct OutputView {
  S* data;
  Index rows, cols, stride;
  OutputView middle_rows(Index begin, Index count) const { return {data + begin * stride, count, cols, stride}; }
};

template <class D>
OutputView<typename std::remove_reference_t<D>::Scalar> output_view_of(D&& d) {
  using M = std::remove_reference_t<D>;
  static_assert(M::IsRowMajor && (M::Flags & Eigen::DirectAccessBit) != 0 && M::InnerStrideAtCompileTime == 1,
                "fast::gemm writes into a row-major matrix or a block of one");
  return {d.data(), d.rows(), d.cols(), d.outerStride()};
}

namespace detail {

// The one place the library reaches into Eigen::internal: Eigen's GEMM and GEMV drivers,
// called directly (below). An Eigen release that moves them breaks here and nowhere else.

/// C = A B (kNo) or C += A B (kYes) by Eigen, for one pair of storage orders. Eigen's
/// GEMM driver is called directly: Eigen's general product would also compile its
/// small-matrix and vector paths for every pair, most of a program's compile time.
template <class S, int LhsOrder, int RhsOrder>
void eigen_product(const OutputView<S>& c, const MatrixView<S>& a, const MatrixView<S>& b, Accumulate accumulate) {
  using Stride = Eigen::OuterStride<>;
  Eigen::Map<Matrix<S>, 0, Stride> result(c.data, c.rows, c.cols, Stride(c.stride));
  if (accumulate == Accumulate::kNo) result.setZero();
  Eigen::internal::gemm_blocking_space<Eigen::RowMajor, S, S, Eigen::Dynamic, Eigen::Dynamic, Eigen::Dynamic> blocking(
      c.rows, c.cols, a.cols, 1, true);
  Eigen::internal::general_matrix_matrix_product<Index, S, LhsOrder, false, S, RhsOrder, false, Eigen::RowMajor,
                                                 1>::run(c.rows, c.cols, a.cols, a.data, a.stride, b.data, b.stride,
                                                         c.data, 1, c.stride, S(1), blocking, nullptr);
}

/// Up to this many rows, A B (a layer's product in generation: one token per row of the
/// batch) is computed one row at a time, C[i, :] = A[i, :] B, a matrix-vector product
/// that reads B where it lies; a GEMM would first copy all of B into panels, which costs
/// more than the arithmetic when A has few rows (at width 128: 3x the time per token).
/// (Attention's 32-query chunks stay GEMMs.)
inline constexpr Index kFewRows = 16;

/// C = A B (kNo) or C += A B (kYes), one row at a time: C[i, :]^T += B^T A[i, :]^T by
/// Eigen's matrix-vector kernel, called directly as eigen_product calls its GEMM driver.
template <class S>
void few_rows_product(const OutputView<S>& c, const MatrixView<S>& a, const MatrixView<S>& b, Accumulate accumulate) {
  using Eigen::ColMajor, Eigen::RowMajor, Eigen::internal::const_blas_data_mapper,
      Eigen::internal::general_matrix_vector_product;
  if (accumulate == Accumulate::kNo)
    Eigen::Map<Matrix<S>, 0, Eigen::OuterStride<>>(c.data, c.rows, c.cols, Eigen::OuterStride<>(c.stride)).setZero();
  const Index a_step = a.row_major ? 1 : a.stride;  // between A[i, j] and A[i, j + 1]
  for (Index i = 0; i < c.rows; ++i) {
    const S* a_row = a.data + (a.row_major ? i * a.stride : i);
    S* c_row = c.data + i * c.stride;
    if (b.row_major) {  // B^T is column-major (n x k): its column j is B's row j
      using Lhs = const_blas_data_mapper<S, Index, ColMajor>;
      using Rhs = const_blas_data_mapper<S, Index, RowMajor>;
      general_matrix_vector_product<Index, S, Lhs, ColMajor, false, S, Rhs, false>::run(
          b.cols, b.rows, Lhs(b.data, b.stride), Rhs(a_row, a_step), c_row, 1, S(1));
    } else {  // B^T is row-major (n x k); this kernel reads A's row as one contiguous vector
      thread_local Vector<S> a_copy;
      if (a_step != 1) {
        a_copy = Eigen::Map<const Vector<S>, 0, Eigen::InnerStride<>>(a_row, a.cols, Eigen::InnerStride<>(a_step));
        a_row = a_copy.data();
      }
      using Lhs = const_blas_data_mapper<S, Index, RowMajor>;
      using Rhs = const_blas_data_mapper<S, Index, ColMajor>;
      general_matrix_vector_product<Index, S, Lhs, RowMajor, false, S, Rhs, false>::run(
          b.cols, b.rows, Lhs(b.data, b.stride), Rhs(a_row, 1), c_row, 1, S(1));
    }
  }
}

template <class S>
void eigen_product(const OutputView<S>& c, const MatrixView<S>& a, const MatrixView<S>& b, Accumulate accumulate) {
  constexpr int kRow = Eigen::RowMajor, kColumn = Eigen::ColMajor;
  if (a.row_major && b.row_major) return eigen_product<S, kRow, kRow>(c, a, b, accumulate);
  if (a.row_major) return eigen_product<S, kRow, kColumn>(c, a, b, accumulate);
  if (b.row_major) return eigen_product<S, kColumn, kRow>(c, a, b, accumulate);
  eigen_product<S, kColumn, kColumn>(c, a, b, accumulate);
}

#ifdef EIGENFORMER_OPENBLAS
/// C = A B + beta C by one sgemm call.
inline void sgemm(const OutputView<float>& c, const MatrixView<float>& a, const MatrixView<float>& b, float beta) {
  const int m = int(c.rows), n = int(c.cols), k = int(a.cols);
  const int lda = int(a.stride), ldb = int(b.stride), ldc = int(c.stride);
  const char trans_a = a.row_major ? 'N' : 'T', trans_b = b.row_major ? 'N' : 'T';
  const float alpha = 1;
  sgemm_(&trans_b, &trans_a, &n, &m, &k, &alpha, b.data, &ldb, a.data, &lda, &beta, c.data, &ldc);
}

#ifdef __AVX512F__
/// OpenBLAS's bound for its small-matrix kernels, M N K <= 100^3; they exist for AVX-512.
inline constexpr Index kSmallProduct = 1000000;
/// A column-major right operand is copied row-major for the small kernels only when the
/// copy is reused over this many rows of the product: attention's 32-query chunks gain
/// from it, generation's one-row products lose (a copy of every weight per token).
inline constexpr Index kMinRowsToCopy = 32;

/// The product in pieces of at most kSmallProduct multiply-adds, each one sgemm call;
/// one call when no piece of a useful size fits.
inline void blas_product(const OutputView<float>& c, const MatrixView<float>& a, const MatrixView<float>& b,
                         float beta) {
  const Index m = c.rows, n = c.cols, k = a.cols;
  const Index slab_rows = kSmallProduct / (n * k), slice_depth = kSmallProduct / (m * n);
  const bool small = m <= slab_rows, row_slabs = !small && slab_rows >= 16, inner_slices = !small && slice_depth >= 32;
  if (!small && !row_slabs && !inner_slices) return sgemm(c, a, b, beta);
  if (!b.row_major) {                                     // the small kernels want it row-major: copy it (k x n, small)
    if (m < kMinRowsToCopy) return sgemm(c, a, b, beta);  // OpenBLAS chooses its own way
    thread_local Matrix<float> b_rows;
    b_rows = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>, 0,
                        Eigen::OuterStride<>>(b.data, b.rows, b.cols, Eigen::OuterStride<>(b.stride));
    return blas_product(c, a, view_of(b_rows), beta);
  }
  if (small) return sgemm(c, a, b, beta);
  if (row_slabs) {
    const Index pieces = (m + slab_rows - 1) / slab_rows;
    for (Index piece = 0; piece < pieces; ++piece) {
      const auto [begin, count] = even_piece(m, pieces, piece);
      sgemm(c.middle_rows(begin, count), a.middle_rows(begin, count), b, beta);
    }
    return;
  }
  const Index pieces = (k + slice_depth - 1) / slice_depth;  // C = sum over slices of A[:, s] B[s, :]
  for (Index piece = 0; piece < pieces; ++piece) {
    const auto [begin, count] = even_piece(k, pieces, piece);
    sgemm(c, a.middle_cols(begin, count), b.middle_rows(begin, count), piece == 0 ? beta : 1.0f);
  }
}
#else
/// Without AVX-512 OpenBLAS has no small-matrix kernels: one call, cut as it chooses.
inline void blas_product(const OutputView<float>& c, const MatrixView<float>& a, const MatrixView<float>& b,
                         float beta) {
  sgemm(c, a, b, beta);
}
#endif  // __AVX512F__
#endif  // EIGENFORMER_OPENBLAS

}  // namespace detail

/// C = A B (kNo) or C += A B (kYes), on views; the product of every caller.
template <class S>
void gemm_views(const OutputView<S>& c, const MatrixView<S>& a, const MatrixView<S>& b,
                Accumulate accumulate = Accumulate::kNo) {
  if (c.rows == 0 || c.cols == 0) return;
  if (a.cols == 0) {  // an empty sum
    if (accumulate == Accumulate::kNo)
      Eigen::Map<Matrix<S>, 0, Eigen::OuterStride<>>(c.data, c.rows, c.cols, Eigen::OuterStride<>(c.stride)).setZero();
    return;
  }
#ifdef EIGENFORMER_OPENBLAS
  if constexpr (std::is_same_v<S, float>)
    if (c.rows > detail::kFewRows) return detail::blas_product(c, a, b, accumulate == Accumulate::kYes ? 1.0f : 0.0f);
#endif
  if (c.rows <= detail::kFewRows) return detail::few_rows_product(c, a, b, accumulate);
  detail::eigen_product(c, a, b, accumulate);
}

/// dst = lhs * rhs (kNo) or dst += lhs * rhs (kYes) on this thread, for any matrices,
/// blocks and transposed blocks; dst may be a block.
template <class Dst, class Lhs, class Rhs>
void gemm(Dst&& dst, const Lhs& lhs, const Rhs& rhs, Accumulate accumulate = Accumulate::kNo) {
  gemm_views(output_view_of(dst), view_of(lhs), view_of(rhs), accumulate);
}

}  // namespace fast
}  // namespace eigenformer
