// Every way a caller can misuse forward and backward gives the right gradient or a
// named error (core/forward_record.hpp, core/layer.hpp).
#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

namespace {

/// The weight gradient of y = x W^T + b from a fresh layer with the same weights: the right answer.
Matrix<double> weight_gradient(const Linear<double>& layer, const Matrix<double>& x, const Matrix<double>& dy) {
  Linear<double> fresh = layer;
  fresh.weight().zero_grad();
  fresh.forward(x);
  fresh.backward(x, dy);
  return fresh.weight().grad;
}

const std::string kReassigned = "differs from the one its forward saw";

}  // namespace

TEST_CASE("Misuse: reassigning the input (x = layer.forward(x)) is a named error, not a wrong gradient") {
  Rng rng(1);
  Linear<double> layer(4, 4, true, rng, "a");
  Matrix<double> x = random_matrix(3, 4, rng);
  const Matrix<double> dy = random_matrix(3, 4, rng);
  x = layer.forward(x);  // the nanoGPT/PyTorch habit: x now holds the output
  testing::require_error_mentions([&] { layer.backward(x, dy); }, {"a.weight", kReassigned, "x = layer.forward(x)"});
  CHECK(layer.weight().grad.isZero());  // nothing was added
}

TEST_CASE("Misuse: changing one number of the input between forward and backward is a named error") {
  Rng rng(2);
  GELU<double> gelu;
  LayerNorm<double> norm(4, "blocks.0.norm_1");
  MLP<double> mlp(GPTConfig{.num_heads = 2, .channels = 4}, rng, "blocks.0.mlp");
  for (const double change : {1.0, 1e-12}) {
    Matrix<double> x = random_matrix(3, 4, rng);
    const Matrix<double> dy = random_matrix(3, 4, rng);
    gelu.forward(x), norm.forward(x), mlp.forward(x);
    x(2, 1) += change;
    testing::require_error_mentions([&] { gelu.backward(x, dy); }, {"GELU", kReassigned});
    testing::require_error_mentions([&] { norm.backward(x, dy); }, {"blocks.0.norm_1", kReassigned});
    testing::require_error_mentions([&] { mlp.backward(x, dy); }, {"blocks.0.mlp", kReassigned});
  }
  // Swapping two rows keeps every sum but not the fingerprint.
  Matrix<double> x = random_matrix(3, 4, rng);
  gelu.forward(x);
  x.row(0).swap(x.row(1));
  testing::require_error_mentions([&] { gelu.backward(x, random_matrix(3, 4, rng)); }, {kReassigned});
  // The MLP checks its x before anything else: the failed call added no gradient.
  mlp.parameters([](Parameter<double>& p) { CHECK(p.grad.isZero()); });
}

TEST_CASE("Misuse: a temporary input is fine, and backward handed an equal matrix gives the right gradient") {
  Rng rng(3);
  Linear<double> layer(4, 2, true, rng, "a");
  const Matrix<double> x = random_matrix(5, 4, rng), dy = random_matrix(5, 2, rng);
  const Matrix<double> y = layer.forward(Matrix<double>(x));  // a temporary: nothing points into it
  CHECK(y.isApprox(x * layer.weight().value.transpose() + Matrix<double>::Ones(5, 1) * layer.bias()->value));
  const Matrix<double> dx = layer.backward(Matrix<double>(x), dy);
  CHECK(dx.isApprox(dy * layer.weight().value));
  CHECK(layer.weight().grad.isApprox(dy.transpose() * x));
  CHECK(layer.weight().grad.isApprox(weight_gradient(layer, x, dy)));
}

TEST_CASE("Misuse: backward twice for one forward is a named error, and the gradients are not doubled") {
  Rng rng(4);
  Linear<double> layer(4, 2, true, rng, "blocks.1.attn.proj");
  const Matrix<double> x = random_matrix(5, 4, rng), dy = random_matrix(5, 2, rng);
  layer.forward(x);
  layer.backward(x, dy);
  const Matrix<double> once = layer.weight().grad;
  testing::require_error_mentions([&] { layer.backward(x, dy); }, {"blocks.1.attn.proj", "backward twice"});
  CHECK(layer.weight().grad == once);
  layer.forward(x);  // a new forward allows a new backward, which adds (gradient accumulation)
  layer.backward(x, dy);
  CHECK(layer.weight().grad.isApprox(2 * once));

  GPTConfig config{.vocab_size = 7, .block_size = 4, .num_layers = 1, .num_heads = 2, .channels = 4};
  GPT<double> model(config);
  model.forward(Tokens{1, 2, 3}, Tokens{2, 3, 4}, 1, 3);
  model.backward();
  testing::require_error_mentions([&] { model.backward(); }, {"GPT", "backward twice"});
}

TEST_CASE("Misuse: backward before any forward is a named error in every layer and the model, not a crash") {
  Rng rng(5);
  const GPTConfig config{.vocab_size = 7, .block_size = 4, .num_layers = 1, .num_heads = 2, .channels = 4};
  const Matrix<double> x = Matrix<double>::Zero(2, 4);
  Linear<double> linear(4, 4, true, rng, "blocks.0.ffn.fc");
  GELU<double> gelu;
  LayerNorm<double> norm(4, "norm_f");
  CausalSelfAttention<double> attention(config, rng, "blocks.0.attn");
  GPT2Block<double> block(config, rng, "blocks.0");
  TokenEmbedding<double> embedding(7, 4, rng);
  GPT<double> model(config);
  testing::require_error_mentions([&] { linear.backward(x, x); }, {"blocks.0.ffn.fc", "backward before any forward"});
  testing::require_error_mentions([&] { gelu.backward(x, x); }, {"GELU", "backward before any forward"});
  testing::require_error_mentions([&] { norm.backward(x, x); }, {"norm_f", "backward before any forward"});
  testing::require_error_mentions([&] { attention.backward(x, x); }, {"blocks.0.attn", "before any forward"});
  testing::require_error_mentions([&] { block.backward(x, x); }, {"blocks.0", "before any forward"});
  testing::require_error_mentions([&] { embedding.backward(x); }, {"wte.weight", "before any forward"});
  testing::require_error_mentions([&] { model.backward(); }, {"GPT: backward before any forward"});
  model.forward(Tokens{1, 2}, 1, 2);  // logits only: no loss to differentiate
  testing::require_error_mentions([&] { model.backward(); }, {"backward needs a loss", "targets"});
}

TEST_CASE("Misuse: backward after generation (a forward with a KV cache) is a named error") {
  const GPTConfig config{.vocab_size = 7, .block_size = 4, .num_layers = 1, .num_heads = 2, .channels = 4};
  Rng rng(6);
  CausalSelfAttention<double> attention(config, rng, "blocks.0.attn");
  KVCache<double> cache(config, 1);
  const Matrix<double> token = random_matrix(1, 4, rng);
  attention.forward(token, 1, 1, cache.layer(0));
  testing::require_error_mentions([&] { attention.backward(token, token); }, {"blocks.0.attn", "KV cache"});

  GPT<double> model(config);
  model.forward(Tokens{1, 2}, Tokens{2, 3}, 1, 2);
  KVCache<double> model_cache(config, 1);
  model.forward(Tokens{1}, 1, 1, model_cache);  // generation after a training forward
  testing::require_error_mentions([&] { model.backward(); }, {"GPT", "KV cache"});
}

TEST_CASE("Outputs are values: the next forward does not change what an earlier one returned") {
  Rng rng(7);
  Linear<double> layer(3, 3, false, rng);
  GPT2Block<double> block(GPTConfig{.block_size = 4, .num_heads = 1, .channels = 3}, rng);
  const Matrix<double> x1 = random_matrix(2, 3, rng), x2 = random_matrix(2, 3, rng);
  const auto& y1 = layer.forward(x1);  // binds a value, whose lifetime the reference extends
  const Matrix<double> expected = x1 * layer.weight().value.transpose();
  layer.forward(x2);
  CHECK(y1.isApprox(expected));
  const auto& h1 = block.forward(x1, 1, 2);
  const Matrix<double> h1_copy = h1;
  block.forward(x2, 1, 2);
  CHECK(h1 == h1_copy);

  Dropout<double> dropout(0.5, 1);
  const Matrix<double> ones = Matrix<double>::Ones(4, 4);
  const Matrix<double> masked = dropout.forward(ones);  // an lvalue is copied, never changed
  CHECK(ones == Matrix<double>::Ones(4, 4));
  CHECK(((masked.array() == 0) || (masked.array() == 2)).all());
  dropout.set_training(false);  // backward uses forward's mask even if training is switched off in between
  CHECK(dropout.backward(ones) == masked);
}

namespace {

/// A layer as a student writes it: y = s * x with a learned scalar s, returning by value.
struct Scale {
  using Scalar = double;
  Parameter<double> s{"scale.s", 1, 1};
  Matrix<double> forward(const Matrix<double>& x) { return s.value(0, 0) * x; }
  Matrix<double> backward(const Matrix<double>& x, const Matrix<double>& dy) {
    s.grad(0, 0) += (x.array() * dy.array()).sum();
    return s.value(0, 0) * dy;
  }
  template <class Visit>
  void parameters(Visit&& visit) {
    visit(s);
  }
};

}  // namespace

TEST_CASE("A student's own layer that returns by value meets the contract and passes the gradient check") {
  static_assert(Layer<Scale>);
  Rng rng(8);
  Scale scale;
  scale.s.value(0, 0) = 1.7;
  testing::require_gradients_match(check_layer_gradients(scale, random_matrix(3, 4, rng), rng));
}

TEST_CASE("Misuse: a sub-layer's backward on its own after its composite's forward, or after a forward that threw") {
  Rng rng(9);
  const GPTConfig config{.block_size = 4, .num_heads = 2, .channels = 4};
  GPT2Block<double> block(config, rng, "blocks.0");
  const Matrix<double> x = random_matrix(2, 4, rng);
  block.forward(x, 1, 2);
  testing::require_error_mentions([&] { block.attention().backward(x, x); },
                                  {"blocks.0.attn", "forward ran inside a composite", "call the composite's backward"});

  MLP<double> mlp(config, rng, "blocks.0.mlp");
  mlp.forward(x);
  testing::require_error_mentions([&] { mlp.forward(random_matrix(2, 5, rng)); }, {"5 columns"});
  testing::require_error_mentions([&] { mlp.backward(x, x); }, {"blocks.0.mlp", "forward that did not finish"});
}
