#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("RoPE: position 0 is the identity, position p rotates pair i by p * theta^(-2i/D)") {
  Rope<double> rope(4, 8, 100.0);
  Matrix<double> x(2, 4);
  x << 1, 2, 3, 4,  //
      1, 0, 0, 1;
  const Matrix<double> y = testing::forward_once(rope, x, 1, 2);
  CHECK(y.row(0) == x.row(0));
  const double angle0 = 1.0, angle1 = std::pow(100.0, -0.5);  // position 1, pairs 0 and 1
  CHECK(y(1, 0) == doctest::Approx(std::cos(angle0)));
  CHECK(y(1, 1) == doctest::Approx(std::sin(angle0)));
  CHECK(y(1, 2) == doctest::Approx(-std::sin(angle1)));
  CHECK(y(1, 3) == doctest::Approx(std::cos(angle1)));
}

TEST_CASE("RoPE: a query-key dot product depends only on the offset between positions") {
  Rng rng(1);
  Rope<double> rope(6, 16);
  const Matrix<double> q = random_matrix(1, 6, rng), k = random_matrix(1, 6, rng);
  const auto rotated_dot = [&](Index q_position, Index k_position) {
    Matrix<double> q_rotated = q, k_rotated = k;
    rope.rotate(q_rotated, q_position, false);
    rope.rotate(k_rotated, k_position, false);
    return q_rotated.row(0).dot(k_rotated.row(0));
  };
  CHECK(rotated_dot(5, 2) == doctest::Approx(rotated_dot(13, 10)));
  CHECK(rotated_dot(3, 3) == doctest::Approx(q.row(0).dot(k.row(0))));
}

TEST_CASE("RoPE: gradient matches finite differences (two heads side by side)") {
  Rng rng(2);
  Rope<double> rope(4, 8);
  testing::require_sequence_gradients(rope, 2, 5, random_matrix(10, 8, rng), rng);
}

TEST_CASE("RoPE: an odd head size is an error") {
  testing::require_error_mentions([] { Rope<float>(5, 8); }, {"even head_dim", "5"});
}
