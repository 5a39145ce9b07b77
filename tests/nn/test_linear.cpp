#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("Linear: forward is x W^T + b, by hand") {
  Rng rng(1);
  Linear<double> linear(2, 3, true, rng);
  linear.weight().value << 1, 2,  //
      3, 4,                       //
      5, 6;
  linear.bias()->value << 0.5, -1, 2;
  Matrix<double> x(1, 2);
  x << 1, -1;
  const auto& y = linear.forward(x);
  CHECK(y(0, 0) == doctest::Approx(1 - 2 + 0.5));
  CHECK(y(0, 1) == doctest::Approx(3 - 4 - 1));
  CHECK(y(0, 2) == doctest::Approx(5 - 6 + 2));
}

TEST_CASE("Linear: gradients match finite differences, with and without bias") {
  Rng rng(2);
  for (bool bias : {true, false}) {
    Linear<double> linear(5, 7, bias, rng, "proj");
    CHECK(parameter_list(linear).size() == (bias ? 2u : 1u));
    testing::require_layer_gradients(linear, random_matrix(4, 5, rng), rng);
  }
}

TEST_CASE("Linear: a wrong input width is an error that names both widths") {
  Rng rng(3);
  Linear<float> linear(5, 7, true, rng, "blocks.0.attn.qkv");
  Matrix<float> x(2, 6);
  testing::require_error_mentions([&] { linear.forward(x); }, {"blocks.0.attn.qkv", "6 columns", "expected 5"});
  testing::require_error_mentions([&] { Linear<float>(0, 3, true, rng); }, {"positive", "in 0"});
}

TEST_CASE("Layer concepts accept our layers and reject a class that breaks the contract") {
  struct NotALayer {
    using Scalar = float;
    Matrix<float> forward(const Matrix<float>& x) { return x; }  // no backward, no parameters
  };
  static_assert(Layer<Linear<float>>);
  static_assert(Layer<LayerNorm<double>>);
  static_assert(Layer<MLP<float>>);
  static_assert(Layer<SwiGLU<float>>);
  static_assert(Layer<GELU<float>>);
  static_assert(Layer<Softmax<float>>);
  static_assert(SequenceLayer<CausalSelfAttention<float>>);
  static_assert(AttentionLayer<CausalSelfAttention<float>>);
  static_assert(AttentionLayer<CausalSelfAttention<double, Rope<double>>>);
  static_assert(SequenceLayer<GPT2Block<float>>);
  static_assert(SequenceLayer<LlamaBlock<double>>);
  static_assert(SequenceLayer<Rope<float>>);
  static_assert(!Layer<NotALayer>);
  static_assert(!SequenceLayer<Linear<float>>);
  static_assert(!AttentionLayer<Rope<float>>);  // a sequence layer, but not built from a config, no KV cache
}
