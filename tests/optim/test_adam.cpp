#include "test_helpers.hpp"

using namespace eigenformer;
using testing::matrix_parameter;

TEST_CASE("Adam: the first steps move each weight by lr * sign(g), bias correction counts steps, not tensors") {
  auto a = matrix_parameter("a", {1.0, -2.0, 3.0, 0.5});
  auto b = matrix_parameter("b", {1.0, 1.0, 1.0, 1.0});
  AdamOptions options;
  options.lr = 0.1;
  Adam<double> adam(std::vector<Parameter<double>*>{&a, &b}, options);
  for (int step = 1; step <= 2; ++step) {
    a.grad << 0.5, -0.1, 2.0, -3.0;
    b.grad << 1e-3, 1e-3, 1e-3, 1e-3;
    adam.step();
    // With a constant gradient, m_hat = g and v_hat = g^2 at every step: w moves by lr * g / |g|.
    CHECK(a.value(0, 0) == doctest::Approx(1.0 - 0.1 * step));
    CHECK(a.value(0, 1) == doctest::Approx(-2.0 + 0.1 * step));
    CHECK(b.value(1, 1) == doctest::Approx(1.0 - 0.1 * step));  // the second tensor sees step t too
  }
  CHECK(adam.step_count() == 2);
}

TEST_CASE("AdamW decays weights directly, Adam folds decay into the gradient, vectors are not decayed") {
  auto w = matrix_parameter("w", {1.0, 1.0, 1.0, 1.0});
  Parameter<double> bias("bias", 4);
  bias.value.setOnes();
  AdamWOptions options;
  options.lr = 0.1;
  options.weight_decay = 0.1;
  AdamW<double> adamw(std::vector<Parameter<double>*>{&w, &bias}, options);
  adamw.step();  // zero gradients: only the decay acts
  CHECK(w.value(0, 0) == doctest::Approx(1.0 * (1 - 0.1 * 0.1)));
  CHECK(bias.value(0, 0) == 1.0);

  auto v = matrix_parameter("v", {1.0, 1.0, 1.0, 1.0});
  AdamOptions l2;
  l2.lr = 0.1;
  l2.weight_decay = 0.1;
  Adam<double> adam(std::vector<Parameter<double>*>{&v}, l2);
  adam.step();  // g = 0 + 0.1 * w: Adam normalizes it to a full lr step
  CHECK(v.value(0, 0) == doctest::Approx(0.9));
}

TEST_CASE("AdamW: options are an aggregate, and a NaN or infinite learning rate is an error that names it") {
  GPT<float> model(GPTConfig::nano());
  AdamW<float> optimizer(model.parameter_list(), {.lr = 3e-3});  // as in PyTorch: AdamW(params, lr=3e-3)
  CHECK(optimizer.learning_rate() == doctest::Approx(3e-3));
  CHECK(AdamWOptions{.lr = 3e-3}.weight_decay == 0.01);  // PyTorch's AdamW default decay
  testing::require_error_mentions([&] { optimizer.set_learning_rate(std::nan("")); },
                                  {"learning rate must be finite", "nan"});
  testing::require_error_mentions([&] { optimizer.set_learning_rate(1.0 / 0.0); }, {"inf"});
  testing::require_error_mentions([&] { AdamW<float>(model.parameter_list(), {.lr = -1}); }, {"-1"});
  testing::require_error_mentions([&] { SGD<float>(model.parameter_list(), {.lr = std::nan("")}); }, {"SGD", "nan"});
  CHECK(optimizer.learning_rate() == doctest::Approx(3e-3));  // unchanged by the refused calls
}
