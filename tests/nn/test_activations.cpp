#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("GELU: tanh form at known points") {
  GELU<double> gelu;
  Matrix<double> x(1, 4);
  x << 0, 1, -1, 3;
  const auto& y = gelu.forward(x);
  const auto reference = [](double v) {  // 0.5 v (1 + tanh(sqrt(2/pi)(v + 0.044715 v^3)))
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
  };
  CHECK(y(0, 0) == 0.0);
  CHECK(y(0, 1) == doctest::Approx(0.8411919906).epsilon(1e-9));
  for (Index c = 0; c < 4; ++c) CHECK(y(0, c) == doctest::Approx(reference(x(0, c))));
}

TEST_CASE("GELU: gradient matches finite differences") {
  Rng rng(1);
  GELU<double> gelu;
  testing::require_layer_gradients(gelu, random_matrix(6, 9, rng, 2.0), rng);
}

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
