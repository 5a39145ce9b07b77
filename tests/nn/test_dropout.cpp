#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("Dropout: the identity at inference, and in both directions when p = 0") {
  Rng rng(1);
  Dropout<double> dropout(0.5, 7), none(0.0, 7);
  const Matrix<double> x = random_matrix(4, 5, rng);
  CHECK(dropout.forward(x) == x);
  Dropout<double>::Saved saved;
  CHECK(none.forward(x, saved) == x);
  CHECK(none.backward(saved, x) == x);
}

TEST_CASE("Dropout: in training, drops about p and rescales the rest by 1/(1-p)") {
  Dropout<double> dropout(0.25, 7);
  const Matrix<double> x = Matrix<double>::Ones(100, 100);
  Dropout<double>::Saved saved;
  const Matrix<double> y = dropout.forward(x, saved);
  const auto dropped = (y.array() == 0.0).count();
  CHECK(double(dropped) / 10000 == doctest::Approx(0.25).epsilon(0.05));
  CHECK(((y.array() == 0.0) || (y.array() == 1.0 / 0.75)).all());
  CHECK(y.mean() == doctest::Approx(1.0).epsilon(0.03));
}

TEST_CASE("Dropout: backward applies the forward's mask, the same seed gives the same masks, each call a new one") {
  Rng rng(2);
  Dropout<double> a(0.5, 9), b(0.5, 9);
  Dropout<double>::Saved saved_a, saved_b;
  const Matrix<double> x = random_matrix(6, 6, rng);
  const Matrix<double> y = a.forward(x, saved_a);
  CHECK(b.forward(x, saved_b) == y);
  CHECK(b.forward(x, saved_b) != y);  // the second training forward draws a new mask
  const Matrix<double> dy = random_matrix(6, 6, rng);
  const Matrix<double> dx = a.backward(saved_a, dy);
  // y = x * mask, so dx = dy * mask = dy * y / x entry by entry.
  CHECK(dx.isApprox(dy.cwiseProduct(y).cwiseQuotient(x)));
}

TEST_CASE("Dropout: a probability outside 0 <= p < 1 is an error") {
  testing::require_error_mentions([] { Dropout<float>(1.0); }, {"[0, 1)", "1"});
  testing::require_error_mentions([] { Dropout<float>(-0.1); }, {"-0.1"});
}
