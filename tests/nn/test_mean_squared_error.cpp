#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("MeanSquaredError: by hand over selected rows, and its gradient") {
  MeanSquaredError<double> mse;
  Matrix<double> predictions(3, 2), targets(3, 2);
  predictions << 1, 2, 3, 4, 100, 100;
  targets << 0, 0, 3, 2, 0, 0;
  const std::vector<bool> selected{true, true, false};
  CHECK(mse.forward(predictions, targets, selected) == doctest::Approx((1 + 4 + 0 + 4) / 4.0));
  CHECK(mse.backward().row(2).isZero());

  Rng rng(1);
  Matrix<double> p = testing::random_matrix(5, 3, rng), y = testing::random_matrix(5, 3, rng);
  const std::vector<bool> some{true, false, true, true, false};
  mse.forward(p, y, some);
  const Matrix<double> analytic = mse.backward();
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
  const auto loss = [&] { return mse.forward(model.forward(x, 2, 6), targets, selected); };
  model.parameters([](Parameter<double>& p) { p.zero_grad(); });
  loss();
  const Matrix<double> input_grad = model.backward(mse.backward());
  testing::require_gradients_match(check_parameter_gradients(model, loss));
  Matrix<double> x_copy = x;
  const auto loss_of_x = [&] { return mse.forward(model.forward(x_copy, 2, 6), targets, selected); };
  CHECK(relative_error(input_grad, numerical_gradient(x_copy, loss_of_x)) < 1e-6);
  testing::require_error_mentions([&] { model.forward(x, 2, 5); }, {"12 rows", "batch 2 x time 5"});
}

TEST_CASE("LinearRegressionTask: interleaved x and y, least squares exact once it has d examples") {
  const LinearRegressionTask task{3, 6};
  Rng rng(4);
  const RegressionBatch batch = task.batch(2, rng);
  CHECK(batch.inputs.rows() == 24);
  CHECK(batch.inputs.cols() == 4);
  for (Index i = 0; i < 6; ++i) {
    CHECK(batch.selected[std::size_t(2 * i)]);
    CHECK_FALSE(batch.selected[std::size_t(2 * i + 1)]);
    CHECK(batch.inputs(2 * i + 1, 3) == doctest::Approx(batch.ys[0](i)));
    CHECK(batch.inputs.row(2 * i + 1).head(3).isZero());
    CHECK(batch.inputs(2 * i, 3) == 0.0f);
    CHECK(batch.targets(2 * i, 0) == doctest::Approx(batch.ys[0](i)));
  }
  const auto& x = batch.xs[0];
  const auto& y = batch.ys[0];
  CHECK(LinearRegressionTask::least_squares_prediction(x, y, 0) == 0.0);
  CHECK(LinearRegressionTask::least_squares_prediction(x, y, 3) == doctest::Approx(y(3)));
  CHECK(std::abs(LinearRegressionTask::least_squares_prediction(x, y, 2) - y(2)) > 1e-6);  // underdetermined

  Rng same(5), again(5);
  const RegressionBatch plain = task.batch(1, same), shuffled = task.batch(1, again, true);
  CHECK(plain.xs[0] == shuffled.xs[0]);
  CHECK(shuffled.ys[0](5) == plain.ys[0](5));  // the last y is never moved
  CHECK(std::is_permutation(plain.ys[0].data(), plain.ys[0].data() + 5, shuffled.ys[0].data()));
}

TEST_CASE("LinearRegressionTask: the curriculum varies only the first active dimensions") {
  LinearRegressionTask task{4, 5};
  task.active_dimensions = 2;
  Rng rng(8);
  const RegressionBatch batch = task.batch(3, rng);
  for (Index b = 0; b < 3; ++b) {
    const auto& x = batch.xs[std::size_t(b)];
    CHECK(x.rightCols(2).isZero());
    CHECK_FALSE(x.leftCols(2).isZero());
    for (Index i = 0; i < 5; ++i)
      CHECK(batch.inputs.row(b * 10 + 2 * i).head(4).cast<double>().isApprox(x.row(i), 1e-6));
  }
  // Two varying dimensions: least squares is exact from 2 examples on.
  CHECK(LinearRegressionTask::least_squares_prediction(batch.xs[0], batch.ys[0], 2) ==
        doctest::Approx(batch.ys[0](2)).epsilon(1e-9));
}
