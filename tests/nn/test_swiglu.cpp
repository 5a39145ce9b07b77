#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;
using testing::small_ffn_config;

TEST_CASE("SwiGLU: forward is proj(silu(gate x) * up x), gradients match finite differences") {
  Rng rng(3);
  GPTConfig config = small_ffn_config();
  config.bias = false;
  SwiGLU<double> swiglu(config, rng);
  testing::randomize_parameters(swiglu, rng);
  const auto p = parameter_list(swiglu);  // gate, up, proj
  REQUIRE(p.size() == 3);
  const Matrix<double> x = random_matrix(3, 6, rng);
  const Matrix<double> a = x * p[0]->value.transpose(), u = x * p[1]->value.transpose();
  const Matrix<double> h = a.unaryExpr([](double v) { return v / (1 + std::exp(-v)); }).cwiseProduct(u);
  CHECK(swiglu.forward(x).isApprox(h * p[2]->value.transpose()));

  testing::require_layer_gradients(swiglu, random_matrix(5, 6, rng), rng);
  CHECK(SwiGLU<float>::hidden_width(GPTConfig{}) == 176);  // 2/3 of 4*64, rounded up to 8
}
