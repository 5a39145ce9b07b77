#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("TokenEmbedding: forward looks up rows, backward adds into the rows it used") {
  Rng rng(1);
  TokenEmbedding<double> embedding(5, 3, rng);
  const Tokens tokens{4, 0, 4};
  const Matrix<double> x = embedding.forward(tokens);
  CHECK(x.row(0) == embedding.weight().value.row(4));
  CHECK(x.row(1) == embedding.weight().value.row(0));
  CHECK(x.row(2) == embedding.weight().value.row(4));

  const Matrix<double> dx = random_matrix(3, 3, rng);
  embedding.backward(dx);
  const auto& grad = embedding.weight().grad;
  CHECK(grad.row(4).isApprox(dx.row(0) + dx.row(2)));  // token 4 was used twice
  CHECK(grad.row(0) == dx.row(1));
  CHECK(grad.row(1).isZero());
}

TEST_CASE("TokenEmbedding: gradient matches finite differences") {
  Rng rng(2);
  TokenEmbedding<double> embedding(6, 4, rng);
  const Tokens tokens{1, 5, 1, 2, 0};
  const Matrix<double> weights = random_matrix(5, 4, rng);
  const auto loss = [&] { return embedding.forward(tokens).cwiseProduct(weights).sum(); };
  embedding.forward(tokens);
  embedding.backward(weights);
  testing::require_gradients_match(check_parameter_gradients(embedding, loss));
}

TEST_CASE("TokenEmbedding: an id outside the vocabulary is an error naming the id and the vocabulary") {
  Rng rng(3);
  TokenEmbedding<float> embedding(64, 8, rng);
  testing::require_error_mentions([&] { embedding.forward({1, 70}); }, {"token id 70", "position 1", "[0, 64)"});
  testing::require_error_mentions([&] { embedding.forward({-2}); }, {"token id -2"});
}

TEST_CASE("PositionEmbedding: every sequence gets rows start..start+T-1, gradients sum over the batch") {
  Rng rng(4);
  PositionEmbedding<double> embedding(6, 3, rng);
  const Matrix<double> p = embedding.forward(2, 3, 1);
  for (Index b = 0; b < 2; ++b)
    for (Index t = 0; t < 3; ++t) CHECK(p.row(b * 3 + t) == embedding.weight().value.row(1 + t));

  const Matrix<double> weights = random_matrix(6, 3, rng);
  const auto loss = [&] { return embedding.forward(2, 3, 1).cwiseProduct(weights).sum(); };
  embedding.forward(2, 3, 1);
  embedding.backward(weights);
  CHECK(embedding.weight().grad.row(0).isZero());  // position 0 was not used
  testing::require_gradients_match(check_parameter_gradients(embedding, loss));
}

TEST_CASE("PositionEmbedding: positions beyond the block size are an error naming both") {
  Rng rng(5);
  PositionEmbedding<float> embedding(8, 4, rng);
  testing::require_error_mentions([&] { embedding.forward(1, 9); }, {"0..8", "block size 8"});
  testing::require_error_mentions([&] { embedding.forward(1, 2, 7); }, {"7..8", "block size 8"});
}
