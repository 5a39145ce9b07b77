#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("MeanSquaredError: by hand over selected rows, and its gradient") {
  MeanSquaredError<double> mse;
  Matrix<double> predictions(3, 2), targets(3, 2);
  predictions << 1, 2, 3, 4, 100, 100;
  targets << 0, 0, 3, 2, 0, 0;
  const std::vector<bool> selected{true, true, false};
  MeanSquaredError<double>::Saved saved;
  CHECK(mse.forward(predictions, targets, selected, saved) == doctest::Approx((1 + 4 + 0 + 4) / 4.0));
  CHECK(mse.backward(saved, 1.0).row(2).isZero());

  Rng rng(1);
  Matrix<double> p = testing::random_matrix(5, 3, rng), y = testing::random_matrix(5, 3, rng);
  const std::vector<bool> some{true, false, true, true, false};
  mse.forward(p, y, some, saved);
  const Matrix<double> analytic = mse.backward(saved, 1.0);
  CHECK(relative_error(analytic, numerical_gradient(p, [&] { return mse.forward(p, y, some); })) < 1e-6);

  testing::require_error_mentions([&] { mse.forward(p, y, {true}); }, {"1 selections", "5 rows"});
  testing::require_error_mentions([&] { mse.forward(p, y, std::vector<bool>(5, false)); }, {"no row is selected"});
}

TEST_CASE("VectorTransformer: whole-model gradients match finite differences") {
  const GPTConfig config{.block_size = 6, .num_layers = 2, .num_heads = 3, .channels = 12, .ffn_hidden = 16};
  VectorTransformer<double> model(config, 4, 1, 2);
  Rng rng(3);
  testing::randomize_parameters(model, rng, 0.3);
  const Matrix<double> x = testing::random_matrix(12, 4, rng), targets = testing::random_matrix(12, 1, rng);
  std::vector<bool> selected(12, false);
  for (std::size_t n = 0; n < 12; n += 2) selected[n] = true;
  MeanSquaredError<double> mse;
  MeanSquaredError<double>::Saved mse_saved;
  VectorTransformer<double>::Activations activations;
  const auto loss = [&] { return mse.forward(model.forward(x, 2, 6, activations), targets, selected, mse_saved); };
  model.parameters([](Parameter<double>& p) { p.zero_grad(); });
  loss();
  const Matrix<double> input_grad = model.backward(activations, mse.backward(mse_saved, 1.0));
  testing::require_gradients_match(check_parameter_gradients(model, loss));
  CHECK(model.forward(x, 2, 6).isApprox(model.forward(x, 2, 6, activations)));  // inference: the same numbers
  Matrix<double> x_copy = x;
  const auto loss_of_x = [&] { return mse.forward(model.forward(x_copy, 2, 6), targets, selected); };
  CHECK(relative_error(input_grad, numerical_gradient(x_copy, loss_of_x)) < 1e-6);
  testing::require_error_mentions([&] { model.forward(x, 2, 5); }, {"12 rows", "batch 2 x time 5"});
}
