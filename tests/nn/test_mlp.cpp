#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;
using testing::small_ffn_config;

TEST_CASE("MLP: forward is proj(gelu(fc(x))) from its own weights, default width 4C") {
  Rng rng(1);
  MLP<double> mlp(small_ffn_config(), rng);
  testing::randomize_parameters(mlp, rng);
  const auto p = parameter_list(mlp);  // fc.weight, fc.bias, proj.weight, proj.bias
  const Matrix<double> x = random_matrix(3, 6, rng);
  const Matrix<double> a = (x * p[0]->value.transpose()).rowwise() + p[1]->value.row(0);
  const Matrix<double> h = a.unaryExpr(
      [](double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v))); });
  const Matrix<double> expected = (h * p[2]->value.transpose()).rowwise() + p[3]->value.row(0);
  CHECK(mlp.forward(x).isApprox(expected));
  CHECK(MLP<float>::hidden_width(GPTConfig{}) == 4 * GPTConfig{}.channels);
}

TEST_CASE("MLP: gradients match finite differences") {
  Rng rng(2);
  MLP<double> mlp(small_ffn_config(), rng);
  testing::require_layer_gradients(mlp, random_matrix(5, 6, rng), rng);
}
