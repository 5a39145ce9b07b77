#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("LayerNorm: forward by hand") {
  LayerNorm<double> norm(4, "ln", 1e-12);
  Matrix<double> x(1, 4);
  x << 1, 2, 3, 4;  // mean 2.5, variance 1.25
  const auto& y = norm.forward(x);
  const double rstd = 1.0 / std::sqrt(1.25);
  for (Index c = 0; c < 4; ++c) CHECK(y(0, c) == doctest::Approx((x(0, c) - 2.5) * rstd));
}

TEST_CASE("LayerNorm: gradients match finite differences") {
  Rng rng(1);
  LayerNorm<double> norm(12, "ln");
  testing::require_layer_gradients(norm, random_matrix(10, 12, rng, 3.0), rng);
}

TEST_CASE("LayerNorm: stable for huge and for constant rows") {
  LayerNorm<float> norm(4);
  Matrix<float> x(3, 4);
  x << 1e4f, -1e4f, 1e4f, -1e4f,  //
      5, 5, 5, 5,                 //
      -1e4f, -1e4f, -1e4f, 1e4f;
  LayerNorm<float>::Saved saved;
  const Matrix<float> y = norm.forward(x, saved);
  CHECK(y.allFinite());
  CHECK(y(0, 0) == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(y.row(1).isZero());  // a constant row normalizes to 0, not NaN
  CHECK(norm.backward(saved, Matrix<float>::Ones(3, 4)).allFinite());
}
