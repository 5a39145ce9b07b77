#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("TokenEmbedding: forward looks up rows, backward adds into the rows it used") {
  Rng rng(1);
  TokenEmbedding<double> embedding(5, 3, rng);
  const Tokens tokens{4, 0, 4};
  TokenEmbedding<double>::Saved saved;
  const Matrix<double> x = embedding.forward(tokens, saved);
  CHECK(x.row(0) == embedding.weight().value.row(4));
  CHECK(x.row(1) == embedding.weight().value.row(0));
  CHECK(x.row(2) == embedding.weight().value.row(4));

  const Matrix<double> dx = random_matrix(3, 3, rng);
  embedding.backward(saved, dx);
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
  TokenEmbedding<double>::Saved saved;
  embedding.forward(tokens, saved);
  embedding.backward(saved, weights);
  testing::require_gradients_match(check_parameter_gradients(embedding, loss));
}

TEST_CASE("TokenEmbedding: an id outside the vocabulary is an error naming the id and the vocabulary") {
  Rng rng(3);
  TokenEmbedding<float> embedding(64, 8, rng);
  testing::require_error_mentions([&] { embedding.forward({1, 70}); }, {"token id 70", "position 1", "[0, 64)"});
  testing::require_error_mentions([&] { embedding.forward({-2}); }, {"token id -2"});
}
