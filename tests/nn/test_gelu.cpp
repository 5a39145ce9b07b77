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
