#include "test_helpers.hpp"

using namespace eigenformer;
using fast::gemm;
using testing::random_matrix;

namespace {

/// got must be a b to within float rounding: |error| <= k u (|a| |b|), u = 2^-24, the
/// textbook bound for k-term sums (Higham, Accuracy and Stability, 3.5).
void require_product(const Matrix<float>& got, const Matrix<float>& a, const Matrix<float>& b, double times = 1) {
  const Matrix<double> expected = times * (a.cast<double>() * b.cast<double>());
  const double bound =
      double(a.cols()) * 0x1p-24 * times * (a.cast<double>().cwiseAbs() * b.cast<double>().cwiseAbs()).maxCoeff();
  REQUIRE(got.rows() == expected.rows());
  REQUIRE(got.cols() == expected.cols());
  const double error = (got.cast<double>() - expected).cwiseAbs().maxCoeff();
  INFO("largest difference ", error, ", bound ", bound);
  CHECK(error <= bound);
}

Matrix<float> random_float(Index rows, Index cols, Rng& rng) { return random_matrix(rows, cols, rng).cast<float>(); }

}  // namespace

// Shapes that take each route of gemm.hpp where OpenBLAS's small kernels apply (one small
// call; row slabs; slices of the inner sum; one large call), and Eigen's product elsewhere.
TEST_CASE("fast::gemm: every shape, transposed operand and block matches the product in double") {
  Rng rng(1);
  struct Shape {
    Index m, k, n;
  };
  for (const Shape shape :
       {Shape{5, 7, 3}, Shape{1, 64, 48}, Shape{16, 128, 384}, Shape{17, 128, 384}, Shape{300, 64, 192},
        Shape{64, 2048, 192}, Shape{600, 600, 600}}) {  // up to 16 rows: row by row; above: a GEMM
    CAPTURE(shape.m);
    CAPTURE(shape.k);
    CAPTURE(shape.n);
    const Matrix<float> a = random_float(shape.m, shape.k, rng), b = random_float(shape.k, shape.n, rng);
    const Matrix<float> a_t = a.transpose(), b_t = b.transpose();
    Matrix<float> c(shape.m, shape.n);
    gemm(c, a, b);
    require_product(c, a, b);
    gemm(c, a_t.transpose(), b);  // a transposed view: stored column-major
    require_product(c, a, b);
    gemm(c, a, b_t.transpose());
    require_product(c, a, b);
    gemm(c, a_t.transpose(), b_t.transpose());
    require_product(c, a, b);
    gemm(c, a, b, Accumulate::kYes);  // c already holds a b: now 2 a b
    require_product(c, a, b, 2);
  }
}

TEST_CASE("fast::gemm: into and from blocks of larger matrices, and an empty inner dimension") {
  Rng rng(2);
  const Matrix<float> a = random_float(80, 70, rng), b = random_float(90, 60, rng);
  Matrix<float> c = random_float(100, 50, rng);
  const Matrix<float> untouched = c;
  gemm(c.block(10, 5, 40, 30), a.block(3, 2, 40, 20), b.block(7, 11, 20, 30));
  require_product(c.block(10, 5, 40, 30), a.block(3, 2, 40, 20), b.block(7, 11, 20, 30));
  c.block(10, 5, 40, 30) = untouched.block(10, 5, 40, 30);
  CHECK(c == untouched);                                                      // nothing outside the block was written
  gemm(c.block(10, 5, 8, 30), a.block(3, 2, 8, 20), b.block(7, 11, 20, 30));  // a few rows
  require_product(c.block(10, 5, 8, 30), a.block(3, 2, 8, 20), b.block(7, 11, 20, 30));
  c.block(10, 5, 8, 30) = untouched.block(10, 5, 8, 30);
  CHECK(c == untouched);

  Matrix<float> d = Matrix<float>::Ones(4, 3);
  gemm(d, Matrix<float>(4, 0), Matrix<float>(0, 3));
  CHECK(d.isZero());  // the sum over nothing is 0
}

TEST_CASE("fast::even_piece: consecutive pieces, sizes within one, every index once") {
  for (const Index total : {0, 1, 7, 64, 1000})
    for (const Index parts : {1, 2, 3, 7, 16}) {
      CAPTURE(total);
      CAPTURE(parts);
      Index next = 0;
      for (Index part = 0; part < parts; ++part) {
        const fast::Piece piece = fast::even_piece(total, parts, part);
        CHECK(piece.begin == next);
        CHECK(piece.count >= total / parts);
        CHECK(piece.count <= total / parts + 1);
        next = piece.begin + piece.count;
      }
      CHECK(next == total);
    }
}

TEST_CASE("A product changes no process-wide setting: only tune_process_for_speed() does, when called") {
  Rng rng(3);
  Linear<float> layer(64, 64, true, rng);
  const Matrix<float> x = Matrix<float>::Ones(256, 64);
  Eigen::setNbThreads(3);  // a program's own choice
  layer.forward(x);
  CHECK(Eigen::nbThreads() == 3);
  tune_process_for_speed();  // asked for: our programs' one call
  CHECK(Eigen::nbThreads() == 1);
}
