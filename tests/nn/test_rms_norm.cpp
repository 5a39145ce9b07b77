#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("RMSNorm: forward by hand and gradients") {
  RMSNorm<double> norm(2, "rms", 1e-12);
  Matrix<double> x(1, 2);
  x << 3, 4;  // rms = sqrt((9 + 16) / 2)
  const auto& y = norm.forward(x);
  CHECK(y(0, 0) == doctest::Approx(3 / std::sqrt(12.5)));
  CHECK(y(0, 1) == doctest::Approx(4 / std::sqrt(12.5)));

  Rng rng(2);
  RMSNorm<double> wide(12, "rms");
  testing::require_layer_gradients(wide, random_matrix(10, 12, rng, 3.0), rng);
}

TEST_CASE("Norms: a wrong width is an error") {
  LayerNorm<float> norm(8, "blocks.1.norm_2");
  testing::require_error_mentions([&] { norm.forward(Matrix<float>::Zero(2, 7)); }, {"blocks.1.norm_2", "7 columns"});
  testing::require_error_mentions([] { RMSNorm<float>(0); }, {"positive channels", "0"});
}
