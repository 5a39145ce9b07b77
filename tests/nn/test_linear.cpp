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
  static_assert(Layer<Dropout<float>>);
  static_assert(SequenceLayer<CausalSelfAttention<float>>);
  static_assert(SequenceLayer<GPT2Block<float>>);
  static_assert(SequenceLayer<LlamaBlock<double>>);
  static_assert(SequenceLayer<Rope<float>>);
  static_assert(!Layer<NotALayer>);
  static_assert(!SequenceLayer<Linear<float>>);
}

TEST_CASE("Layers that keep a reference to their input refuse a temporary, at compile time") {
  // backward reads the x forward saw; a temporary would be destroyed before then.
  const auto accepts_temporary = [](auto& layer) {
    return requires { layer.forward(Matrix<float>(2, 4)); };
  };
  const auto accepts_temporary_sequence = [](auto& layer) {
    return requires { layer.forward(Matrix<float>(2, 4), Index(1), Index(2)); };
  };
  const auto accepts_lvalue = [](auto& layer, const Matrix<float>& x) {
    return requires { layer.forward(x); };
  };
  Rng rng(4);
  Linear<float> linear(4, 3, true, rng);
  GELU<float> gelu;
  MLP<float> mlp(BlockConfig{.channels = 4, .num_heads = 2, .block_size = 2}, rng);
  CausalSelfAttention<float> attention(BlockConfig{.channels = 4, .num_heads = 2, .block_size = 2}, rng);
  LayerNorm<float> norm(4);  // keeps only its own normalized copy: a temporary is fine
  const Matrix<float> x(2, 4);
  CHECK(accepts_lvalue(linear, x));
  CHECK_FALSE(accepts_temporary(linear));
  CHECK_FALSE(accepts_temporary(gelu));
  CHECK_FALSE(accepts_temporary(mlp));
  CHECK_FALSE(accepts_temporary_sequence(attention));
  CHECK(accepts_temporary(norm));
}

TEST_CASE("Backward before any forward is an error that says so, not a crash") {
  Rng rng(5);
  Linear<float> linear(4, 3, true, rng, "blocks.0.mlp.fc");
  GELU<float> gelu;
  CausalSelfAttention<float> attention(BlockConfig{.channels = 4, .num_heads = 2, .block_size = 2}, rng);
  const Matrix<float> dy = Matrix<float>::Zero(2, 3);
  testing::require_error_mentions([&] { linear.backward(dy); }, {"blocks.0.mlp.fc", "backward before any forward"});
  testing::require_error_mentions([&] { gelu.backward(dy); }, {"GELU", "backward before any forward"});
  testing::require_error_mentions([&] { attention.backward(Matrix<float>::Zero(2, 4)); },
                                  {"backward needs a forward first"});
  const Matrix<float> token = Matrix<float>::Zero(1, 4);
  attention.forward_cached(token, 1, 1);  // generation keeps nothing for backward
  testing::require_error_mentions([&] { attention.backward(Matrix<float>::Zero(1, 4)); },
                                  {"backward needs a forward first"});
}
