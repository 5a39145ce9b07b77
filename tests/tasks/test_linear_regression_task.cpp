#include <eigenformer/tasks/linear_regression_task.hpp>

#include "test_helpers.hpp"

using namespace eigenformer;

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
