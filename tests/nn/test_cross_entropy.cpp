#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("CrossEntropy: uniform logits cost log V, a hand case, -1 rows are ignored") {
  CrossEntropy<double> loss;
  CHECK(loss.forward(Matrix<double>::Zero(3, 8), {1, 2, 3}) == doctest::Approx(std::log(8.0)));

  Matrix<double> logits(2, 3);
  logits << 1, 2, 3,  //
      100, 0, 0;      // a garbage row that is ignored
  const double expected = std::log(std::exp(1) + std::exp(2) + std::exp(3)) - 2;
  CrossEntropy<double>::Saved saved;
  CHECK(loss.forward(logits, {1, -1}, saved) == doctest::Approx(expected));
  CHECK(saved.count == 1);
  CHECK(std::isnan(saved.row_losses(1)));
  CHECK(loss.backward(saved, 1.0).row(1).isZero());
}

TEST_CASE("CrossEntropy: stable for extreme logits") {
  CrossEntropy<float> loss;
  Matrix<float> logits(3, 3);
  logits << 1e4f, -1e4f, 0,  //
      -1e4f, -1e4f, -1e4f,   //
      0, 0, 1e4f;
  CrossEntropy<float>::Saved saved;
  const float value = loss.forward(logits, {0, 1, 0}, saved);
  CHECK(std::isfinite(value));
  CHECK(saved.row_losses(0) == doctest::Approx(0.0));
  CHECK(saved.row_losses(1) == doctest::Approx(std::log(3.0f)));
  CHECK(saved.row_losses(2) == doctest::Approx(1e4f));
  CHECK(loss.backward(saved, 1.0f).allFinite());
}

TEST_CASE("CrossEntropy: gradient matches finite differences, ignored rows included") {
  Rng rng(1);
  CrossEntropy<double> loss;
  Matrix<double> logits = random_matrix(6, 5, rng, 2.0);
  const Tokens targets{0, -1, 4, 2, -1, 2};
  CrossEntropy<double>::Saved saved;
  loss.forward(logits, targets, saved);
  const double loss_grad = 0.7;  // dL/dloss of a loss scaled by 0.7
  const Matrix<double> analytic = loss.backward(saved, loss_grad);
  const Matrix<double> numeric = numerical_gradient(logits, [&] { return loss_grad * loss.forward(logits, targets); });
  CHECK(relative_error(analytic, numeric) < 1e-6);
}

TEST_CASE("CrossEntropy: bad targets are errors that name them") {
  CrossEntropy<float> loss;
  const Matrix<float> logits = Matrix<float>::Zero(2, 4);
  testing::require_error_mentions([&] { loss.forward(logits, {0, 4}); }, {"target 4", "row 1", "[0, 4)"});
  testing::require_error_mentions([&] { loss.forward(logits, {0, -2}); }, {"target -2"});
  testing::require_error_mentions([&] { loss.forward(logits, {0}); }, {"1 targets", "2 rows"});
  testing::require_error_mentions([&] { loss.forward(logits, {-1, -1}); }, {"nothing to learn"});
}
