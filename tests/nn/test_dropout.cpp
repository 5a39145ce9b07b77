#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("Dropout: identity at eval, in both directions") {
  Rng rng(1);
  Dropout<double> dropout(0.5, 7);
  dropout.set_training(false);
  const Matrix<double> x = random_matrix(4, 5, rng);
  CHECK(dropout.forward(x) == x);
  CHECK(dropout.backward(x) == x);
}

TEST_CASE("Dropout: in training, drops about p and rescales the rest by 1/(1-p)") {
  Dropout<double> dropout(0.25, 7);
  const Matrix<double> x = Matrix<double>::Ones(100, 100);
  const Matrix<double> y = dropout.forward(x);
  const auto dropped = (y.array() == 0.0).count();
  CHECK(double(dropped) / 10000 == doctest::Approx(0.25).epsilon(0.05));
  CHECK(((y.array() == 0.0) || (y.array() == 1.0 / 0.75)).all());
  CHECK(y.mean() == doctest::Approx(1.0).epsilon(0.03));
}

TEST_CASE("Dropout: backward applies the forward's mask, the same seed gives the same mask") {
  Rng rng(2);
  Dropout<double> a(0.5, 9), b(0.5, 9);
  const Matrix<double> x = random_matrix(6, 6, rng);
  const Matrix<double> y = a.forward(x);
  CHECK(b.forward(x) == y);
  const Matrix<double> dy = random_matrix(6, 6, rng);
  const Matrix<double> dx = a.backward(dy);
  // y = x * mask, so dx = dy * mask = dy * y / x entry by entry.
  CHECK(dx.isApprox(dy.cwiseProduct(y).cwiseQuotient(x)));
}

TEST_CASE("Dropout: a probability outside 0 <= p < 1 is an error") {
  testing::require_error_mentions([] { Dropout<float>(1.0); }, {"[0, 1)", "1"});
  testing::require_error_mentions([] { Dropout<float>(-0.1); }, {"-0.1"});
}
