// Every way a caller can misuse forward and backward gives the right gradient or a
// named error (core/layer.hpp, core/backward_ticket.hpp). The issue's misuse table:
//   reassigned input, changed input, temporary input   -> the right gradient (Saved holds a copy)
//   a student's composite that reassigns its hidden h  -> the right gradient
//   backward before forward, twice, after a throw      -> named errors, in every layer and loss
//   another layer's saved state                        -> a named error
//   two saved states of one const model, interleaved   -> each its own right gradient
#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

namespace {

/// dW of y = x W^T + b for dy, computed by hand: the right answer.
Matrix<double> linear_weight_gradient(const Matrix<double>& x, const Matrix<double>& dy) { return dy.transpose() * x; }

const GPTConfig kConfig{.vocab_size = 7, .block_size = 4, .num_layers = 1, .num_heads = 2, .channels = 4};

}  // namespace

TEST_CASE("Misuse: reassigning the input (x = layer.forward(x, saved)) still gives the right gradient") {
  Rng rng(1);
  Linear<double> layer(4, 4, true, rng, "a");
  Linear<double>::Saved saved;
  const Matrix<double> x0 = random_matrix(3, 4, rng), dy = random_matrix(3, 4, rng);
  Matrix<double> x = x0;
  x = layer.forward(x, saved);  // the nanoGPT/PyTorch habit: x now holds the output
  const Matrix<double> dx = layer.backward(saved, dy);
  CHECK(layer.weight().grad.isApprox(linear_weight_gradient(x0, dy)));
  CHECK(dx.isApprox(dy * layer.weight().value));
}

TEST_CASE("Misuse: changing the input between forward and backward changes nothing backward reads") {
  Rng rng(2);
  const GPTConfig config{.num_heads = 2, .channels = 4};
  MLP<double> changed(config, rng, "mlp"), kept = changed;
  MLP<double>::Saved changed_saved, kept_saved;
  Matrix<double> x = random_matrix(3, 4, rng);
  const Matrix<double> dy = random_matrix(3, 4, rng);
  kept.forward(x, kept_saved);
  changed.forward(x, changed_saved);
  x(2, 1) += 1.0;
  x.row(0).swap(x.row(1));
  CHECK(changed.backward(changed_saved, dy) == kept.backward(kept_saved, dy));
  const auto changed_parameters = parameter_list(changed), kept_parameters = parameter_list(kept);
  for (std::size_t i = 0; i < kept_parameters.size(); ++i)
    CHECK(changed_parameters[i]->grad == kept_parameters[i]->grad);
}

TEST_CASE("Misuse: a temporary input is fine: the saved state owns what it keeps") {
  Rng rng(3);
  Linear<double> layer(4, 2, true, rng, "a");
  Linear<double>::Saved saved;
  const Matrix<double> x = random_matrix(5, 4, rng), dy = random_matrix(5, 2, rng);
  const Matrix<double> y = layer.forward(Matrix<double>(x), saved);  // moved in, destroyed after the call
  CHECK(y.isApprox(x * layer.weight().value.transpose() + Matrix<double>::Ones(5, 1) * layer.bias()->value));
  CHECK(layer.backward(saved, dy).isApprox(dy * layer.weight().value));
  CHECK(layer.weight().grad.isApprox(linear_weight_gradient(x, dy)));
}

namespace {

/// A composite layer as a student writes it from the docs: two Linears, its hidden h
/// reassigned in place (`h = a(x); h = b(h);`), the sub-layers' states in its own Saved.
struct TwoLinears {
  using Scalar = double;
  Linear<double> a, b;
  struct Saved {
    Linear<double>::Saved a, b;
    BackwardTicket ticket;
  };
  explicit TwoLinears(Rng& rng) : a(4, 4, false, rng, "a"), b(4, 4, false, rng, "b") {}
  Matrix<double> forward(const Matrix<double>& x, Saved& saved) const {
    Matrix<double> h = a.forward(x, saved.a);
    h = b.forward(h, saved.b);  // h reassigned: b's saved state keeps its own input
    saved.ticket.issue(this);
    return h;
  }
  Matrix<double> forward(const Matrix<double>& x) const { return b.forward(a.forward(x)); }
  Matrix<double> backward(Saved& saved, const Matrix<double>& dy) {
    saved.ticket.spend(this, "two_linears");
    return a.backward(saved.a, b.backward(saved.b, dy));
  }
  template <class Visit>
  void parameters(Visit&& visit) {
    a.parameters(visit);
    b.parameters(visit);
  }
};

}  // namespace

TEST_CASE("Misuse: a student's composite that reassigns its hidden activation gets the right gradient") {
  static_assert(Layer<TwoLinears>);
  Rng rng(4);
  TwoLinears layer(rng);
  testing::require_gradients_match(check_layer_gradients(layer, random_matrix(3, 4, rng), rng));
  // And by hand: dW_b = dy^T h with h = x W_a^T, the input b saw (not b's own output).
  layer.a.weight().zero_grad(), layer.b.weight().zero_grad();
  TwoLinears::Saved saved;
  const Matrix<double> x = random_matrix(3, 4, rng), dy = random_matrix(3, 4, rng);
  layer.forward(x, saved);
  layer.backward(saved, dy);
  CHECK(layer.b.weight().grad.isApprox(linear_weight_gradient(x * layer.a.weight().value.transpose(), dy)));
}

TEST_CASE("Misuse: backward twice for one forward is a named error, and the gradients are not doubled") {
  Rng rng(5);
  Linear<double> layer(4, 2, true, rng, "blocks.1.attn.proj");
  Linear<double>::Saved saved;
  const Matrix<double> x = random_matrix(5, 4, rng), dy = random_matrix(5, 2, rng);
  layer.forward(x, saved);
  layer.backward(saved, dy);
  const Matrix<double> once = layer.weight().grad;
  testing::require_error_mentions([&] { layer.backward(saved, dy); }, {"blocks.1.attn.proj", "backward twice"});
  CHECK(layer.weight().grad == once);
  layer.forward(x, saved);  // a new forward allows a new backward, which adds (gradient accumulation)
  layer.backward(saved, dy);
  CHECK(layer.weight().grad.isApprox(2 * once));

  GPT<double> model(kConfig);
  GPT<double>::Activations activations;
  model.forward(Tokens{1, 2, 3}, Tokens{2, 3, 4}, 1, 3, activations);
  model.backward(activations);
  testing::require_error_mentions([&] { model.backward(activations); }, {"GPT", "backward twice"});
}

TEST_CASE("Misuse: backward before any forward is a named error in every layer, loss and the model") {
  Rng rng(6);
  const Matrix<double> x = Matrix<double>::Zero(2, 4);
  const std::string kBefore = "backward before a forward";
  Linear<double> linear(4, 4, true, rng, "blocks.0.ffn.fc");
  GELU<double> gelu;
  LayerNorm<double> norm(4, "norm_f");
  RMSNorm<double> rms(4, "rms");
  Softmax<double> softmax;
  Dropout<double> dropout(0.5);
  MLP<double> mlp(kConfig, rng, "blocks.0.mlp");
  SwiGLU<double> swiglu(kConfig, rng, "blocks.0.swiglu");
  CausalSelfAttention<double> attention(kConfig, rng, "blocks.0.attn");
  GPT2Block<double> block(kConfig, rng, "blocks.0");
  TokenEmbedding<double> token_embedding(7, 4, rng);
  PositionEmbedding<double> position_embedding(4, 4, rng);
  CrossEntropy<double> cross_entropy;
  MeanSquaredError<double> squared_error;
  GPT<double> model(kConfig);
  const auto require_before = [&](auto& layer, const std::string& name) {
    typename std::remove_reference_t<decltype(layer)>::Saved saved;
    testing::require_error_mentions([&] { layer.backward(saved, x); }, {name, kBefore});
  };
  require_before(linear, "blocks.0.ffn.fc");
  require_before(gelu, "GELU");
  require_before(norm, "norm_f");
  require_before(rms, "rms");
  require_before(softmax, "Softmax");
  require_before(dropout, "Dropout");
  require_before(mlp, "blocks.0.mlp");
  require_before(swiglu, "blocks.0.swiglu");
  require_before(attention, "blocks.0.attn");
  require_before(block, "blocks.0");
  require_before(token_embedding, "wte.weight");
  require_before(position_embedding, "wpe.weight");
  CrossEntropy<double>::Saved cross_entropy_saved;
  testing::require_error_mentions([&] { cross_entropy.backward(cross_entropy_saved, 1.0); }, {"CrossEntropy", kBefore});
  MeanSquaredError<double>::Saved squared_error_saved;
  testing::require_error_mentions([&] { squared_error.backward(squared_error_saved, 1.0); },
                                  {"MeanSquaredError", kBefore});
  GPT<double>::Activations activations;
  testing::require_error_mentions([&] { model.backward(activations); }, {"GPT", kBefore});
}

TEST_CASE("Misuse: backward with another layer's saved state is a named error") {
  Rng rng(7);
  Linear<double> first(4, 4, true, rng, "first"), second(4, 4, true, rng, "second");
  Linear<double>::Saved saved;
  first.forward(random_matrix(2, 4, rng), saved);
  testing::require_error_mentions([&] { second.backward(saved, random_matrix(2, 4, rng)); },
                                  {"second", "another layer"});
  CHECK(second.weight().grad.isZero());
  GPT<double> model(kConfig), other(kConfig, 2);
  GPT<double>::Activations activations;
  model.forward(Tokens{1, 2}, Tokens{2, 3}, 1, 2, activations);
  testing::require_error_mentions([&] { other.backward(activations); }, {"GPT", "another layer"});
}

TEST_CASE("Misuse: a forward that threw leaves no state to differentiate") {
  Rng rng(8);
  MLP<double> mlp(kConfig, rng, "blocks.0.mlp");
  MLP<double>::Saved saved;
  const Matrix<double> x = random_matrix(2, 4, rng);
  mlp.forward(x, saved);
  testing::require_error_mentions([&] { mlp.forward(random_matrix(2, 5, rng), saved); }, {"5 columns"});
  testing::require_error_mentions([&] { mlp.backward(saved, x); }, {"blocks.0.mlp", "backward before a forward"});
  GPT<double> model(kConfig);
  GPT<double>::Activations activations;
  model.forward(Tokens{1, 2}, Tokens{2, 3}, 1, 2, activations);
  testing::require_error_mentions(
      [&] {
        model.forward(Tokens{1, 9}, Tokens{2, 3}, 1, 2, activations);
      },
      {"token id 9"});
  testing::require_error_mentions([&] { model.backward(activations); }, {"GPT", "backward before a forward"});
}

TEST_CASE("A saved state cannot be copied (two backwards) and a moved-from one holds no forward") {
  static_assert(!std::is_copy_constructible_v<Linear<double>::Saved>);
  static_assert(!std::is_copy_constructible_v<GPT<double>::Activations>);
  Rng rng(9);
  Linear<double> layer(4, 4, true, rng, "a");
  Linear<double>::Saved saved;
  layer.forward(random_matrix(2, 4, rng), saved);
  Linear<double>::Saved moved = std::move(saved);
  const Matrix<double> dy = random_matrix(2, 4, rng);
  testing::require_error_mentions([&] { layer.backward(saved, dy); }, {"a.weight", "backward before a forward"});
  layer.backward(moved, dy);
}

TEST_CASE("Several saved states share one const model: interleaved forwards give each its own gradient") {
  const GPTConfig config{.vocab_size = 11, .block_size = 6, .num_layers = 2, .num_heads = 2, .channels = 8};
  GPT<double> model(config);
  const Tokens tokens_1{1, 2, 3, 4, 5, 6}, targets_1{2, 3, 4, 5, 6, 7};
  const Tokens tokens_2{9, 8, 7, 6, 5, 4}, targets_2{8, 7, 6, 5, 4, 3};
  const auto gradients_of = [&](const auto& run) {
    model.zero_grad();
    run();
    std::vector<Matrix<double>> grads;
    for (auto* p : model.parameter_list()) grads.push_back(p->grad);
    return grads;
  };
  const auto alone = gradients_of([&] {
    GPT<double>::Activations activations;
    model.forward(tokens_1, targets_1, 1, 6, activations);
    model.backward(activations);
  });
  const auto interleaved = gradients_of([&] {
    GPT<double>::Activations first, second;
    const GPT<double>& weights = model;  // forwards read the weights only
    weights.forward(tokens_1, targets_1, 1, 6, first);
    weights.forward(tokens_2, targets_2, 1, 6, second);
    KVCache<double> cache(config, 1);
    weights.forward(Tokens{3, 1}, 1, 2, cache);  // generation in between reads the weights only, too
    model.backward(first);
  });
  REQUIRE(alone.size() == interleaved.size());
  for (std::size_t i = 0; i < alone.size(); ++i) CHECK(alone[i] == interleaved[i]);
}

TEST_CASE("Outputs are values: the next forward does not change what an earlier one returned") {
  Rng rng(10);
  Linear<double> layer(3, 3, false, rng);
  GPT2Block<double> block(GPTConfig{.block_size = 4, .num_heads = 1, .channels = 3}, rng);
  Linear<double>::Saved layer_saved;
  GPT2Block<double>::Saved block_saved;
  const Matrix<double> x1 = random_matrix(2, 3, rng), x2 = random_matrix(2, 3, rng);
  const Matrix<double> y1 = layer.forward(x1, layer_saved);
  const Matrix<double> expected = x1 * layer.weight().value.transpose();
  layer.forward(x2, layer_saved);
  CHECK(y1.isApprox(expected));
  const Matrix<double> h1 = block.forward(x1, 1, 2, block_saved);
  const Matrix<double> h1_copy = h1;
  block.forward(x2, 1, 2, block_saved);
  CHECK(h1 == h1_copy);

  Dropout<double> dropout(0.5, 1);
  Dropout<double>::Saved dropout_saved;
  const Matrix<double> ones = Matrix<double>::Ones(4, 4);
  const Matrix<double> masked = dropout.forward(ones, dropout_saved);  // an lvalue is copied, never changed
  CHECK(ones == Matrix<double>::Ones(4, 4));
  CHECK(((masked.array() == 0) || (masked.array() == 2)).all());
  CHECK(dropout.backward(dropout_saved, ones) == masked);  // the mask of that forward
}

namespace {

/// A layer as a student writes it: y = s * x with a learned scalar s.
struct Scale {
  using Scalar = double;
  Parameter<double> s{"scale.s", 1, 1};
  struct Saved {
    Matrix<double> input;
    BackwardTicket ticket;
  };
  Matrix<double> forward(const Matrix<double>& x) const { return s.value(0, 0) * x; }
  Matrix<double> forward(const Matrix<double>& x, Saved& saved) const {
    saved.input = x;
    saved.ticket.issue(this);
    return forward(x);
  }
  Matrix<double> backward(Saved& saved, const Matrix<double>& dy) {
    saved.ticket.spend(this, "scale");
    s.grad(0, 0) += (saved.input.array() * dy.array()).sum();
    return s.value(0, 0) * dy;
  }
  template <class Visit>
  void parameters(Visit&& visit) {
    visit(s);
  }
};

}  // namespace

TEST_CASE("A student's own layer meets the contract and passes the gradient check") {
  static_assert(Layer<Scale>);
  Rng rng(11);
  Scale scale;
  scale.s.value(0, 0) = 1.7;
  testing::require_gradients_match(check_layer_gradients(scale, random_matrix(3, 4, rng), rng));
}
