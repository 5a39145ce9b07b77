#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("PositionEmbedding: every sequence gets rows start..start+T-1, gradients sum over the batch") {
  Rng rng(4);
  PositionEmbedding<double> embedding(6, 3, rng);
  const Matrix<double> p = embedding.forward(2, 3, 1);
  for (Index b = 0; b < 2; ++b)
    for (Index t = 0; t < 3; ++t) CHECK(p.row(b * 3 + t) == embedding.weight().value.row(1 + t));

  const Matrix<double> weights = random_matrix(6, 3, rng);
  PositionEmbedding<double>::Saved saved;  // training starts at position 0
  const auto loss = [&] { return embedding.forward(2, 3).cwiseProduct(weights).sum(); };
  embedding.forward(2, 3, saved);
  embedding.backward(saved, weights);
  CHECK(embedding.weight().grad.bottomRows(3).isZero());  // positions 3..5 were not used
  testing::require_gradients_match(check_parameter_gradients(embedding, loss));
}

TEST_CASE("PositionEmbedding: positions beyond the block size are an error naming both") {
  Rng rng(5);
  PositionEmbedding<float> embedding(8, 4, rng);
  testing::require_error_mentions([&] { embedding.forward(1, 9); }, {"0..8", "block size 8"});
  testing::require_error_mentions([&] { embedding.forward(1, 2, 7); }, {"7..8", "block size 8"});
}
