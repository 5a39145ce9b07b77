#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("Softmax: by hand, stable for huge logits, gradient") {
  Softmax<double> softmax;
  Matrix<double> x(3, 3);
  x << 1, 2, 3,        //
      1e4, -1e4, 1e4,  //
      7, 7, 7;
  const auto& p = softmax.forward(x);
  const double z = std::exp(1) + std::exp(2) + std::exp(3);
  CHECK(p(0, 2) == doctest::Approx(std::exp(3) / z));
  CHECK(p(1, 0) == doctest::Approx(0.5));
  CHECK(p(1, 1) < 1e-300);  // exp(-2e4) underflows (Eigen stops at a denormal)
  CHECK(p(2, 1) == doctest::Approx(1.0 / 3));
  CHECK(p.rowwise().sum().isApproxToConstant(1.0));

  Rng rng(2);
  testing::require_layer_gradients(softmax, random_matrix(4, 7, rng, 2.0), rng);
}
