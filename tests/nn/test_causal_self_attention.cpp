#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

namespace {

GPTConfig odd_attention_config() { return {.block_size = 7, .num_heads = 3, .channels = 12}; }

/// Attention written as its definition, one loop per index, from the layer's own weights.
Matrix<double> naive_attention(CausalSelfAttention<double>& attention, const Matrix<double>& x, Index batch,
                               Index time) {
  const auto parameters = parameter_list(attention);  // qkv.weight, qkv.bias, proj.weight, proj.bias
  const Matrix<double> qkv = (x * parameters[0]->value.transpose()).rowwise() + parameters[1]->value.row(0);
  const Index C = x.cols(), H = attention.num_heads(), D = C / H;
  Matrix<double> heads = Matrix<double>::Zero(x.rows(), C);
  for (Index b = 0; b < batch; ++b)
    for (Index h = 0; h < H; ++h)
      for (Index i = 0; i < time; ++i) {
        std::vector<double> weights;
        double total = 0;
        for (Index j = 0; j <= i; ++j) {
          double score = 0;
          for (Index d = 0; d < D; ++d) score += qkv(b * time + i, h * D + d) * qkv(b * time + j, C + h * D + d);
          weights.push_back(std::exp(score / std::sqrt(double(D))));
          total += weights.back();
        }
        for (Index j = 0; j <= i; ++j)
          for (Index d = 0; d < D; ++d)
            heads(b * time + i, h * D + d) += weights[std::size_t(j)] / total * qkv(b * time + j, 2 * C + h * D + d);
      }
  return (heads * parameters[2]->value.transpose()).rowwise() + parameters[3]->value.row(0);
}

}  // namespace

TEST_CASE("Attention: forward equals the definition written as loops") {
  Rng rng(1);
  CausalSelfAttention<double> attention(odd_attention_config(), rng);
  testing::randomize_parameters(attention, rng);
  const Matrix<double> x = random_matrix(10, 12, rng);
  const Matrix<double> y = testing::forward_once(attention, x, 2, 5);
  CHECK(y.isApprox(naive_attention(attention, x, 2, 5), 1e-12));
}

TEST_CASE("Attention: with one position, the output is proj(v), with zero queries, the mean of earlier values") {
  Rng rng(2);
  CausalSelfAttention<double> attention(odd_attention_config(), rng);
  testing::randomize_parameters(attention, rng);
  auto parameters = parameter_list(attention);
  const Matrix<double> x = random_matrix(4, 12, rng);
  const Matrix<double> value_weight = parameters[0]->value.bottomRows(12);
  const RowVector<double> value_bias = parameters[1]->value.row(0).tail(12);
  const Matrix<double> v = (x * value_weight.transpose()).rowwise() + value_bias;
  const auto project = [&](const Matrix<double>& heads) {
    return Matrix<double>((heads * parameters[2]->value.transpose()).rowwise() + parameters[3]->value.row(0));
  };

  CHECK(testing::forward_once(attention, x, 4, 1).isApprox(project(v)));  // 4 sequences of length 1

  parameters[0]->value.topRows(12).setZero();  // W_q = 0, b_q = 0: every score is 0, so P is uniform
  parameters[1]->value.leftCols(12).setZero();
  Matrix<double> running_mean(4, 12);
  for (Index i = 0; i < 4; ++i) running_mean.row(i) = v.topRows(i + 1).colwise().mean();
  CHECK(testing::forward_once(attention, x, 1, 4).isApprox(project(running_mean)));
}

TEST_CASE("Attention: gradients match finite differences (B=2, T=5, C=12, 3 heads), learned and rotary") {
  Rng rng(3);
  CausalSelfAttention<double> attention(odd_attention_config(), rng);
  testing::require_sequence_gradients(attention, 2, 5, random_matrix(10, 12, rng), rng);
  CausalSelfAttention<double, Rope<double>> rotary(odd_attention_config(), rng);
  testing::require_sequence_gradients(rotary, 2, 5, random_matrix(10, 12, rng), rng);
}

TEST_CASE("Attention: past one query chunk (T = 70: chunks of 32, 32 and 6), forward and gradients still exact") {
  // The layer works on chunks of 32 query rows that skip the masked keys; T = 70 has
  // chunks of every kind: full, full, and a short last one.
  const GPTConfig config{.block_size = 70, .num_heads = 2, .channels = 4};
  Rng rng(9);
  CausalSelfAttention<double> attention(config, rng);
  testing::randomize_parameters(attention, rng);
  const Matrix<double> x = random_matrix(70, 4, rng);
  const Matrix<double> full = testing::forward_once(attention, x, 1, 70);
  CHECK(full.isApprox(naive_attention(attention, x, 1, 70), 1e-12));
  KVCache<double> cache(config, 1);  // the KV cache: 40 positions (two chunks), then 30 more after them
  CHECK(attention.forward(x.topRows(40), 1, 40, cache.layer(0)).isApprox(full.topRows(40), 1e-12));
  cache.advance(40);
  CHECK(attention.forward(x.bottomRows(30), 1, 30, cache.layer(0)).isApprox(full.bottomRows(30), 1e-12));
  testing::require_sequence_gradients(attention, 1, 70, x, rng);
}

TEST_CASE("Attention: any T up to the block size at any call") {
  Rng rng(4);
  CausalSelfAttention<double> attention(odd_attention_config(), rng);
  const Matrix<double> two_of_seven = random_matrix(14, 12, rng), one_of_five = random_matrix(5, 12, rng);
  CHECK(testing::forward_once(attention, two_of_seven, 2, 7).rows() == 14);
  testing::require_sequence_gradients(attention, 3, 2, random_matrix(6, 12, rng), rng);
  CHECK(testing::forward_once(attention, one_of_five, 1, 5).rows() == 5);
}

TEST_CASE("Attention: causal, changing a later position never changes an earlier output") {
  Rng rng(5);
  CausalSelfAttention<double, Rope<double>> attention(odd_attention_config(), rng);
  testing::randomize_parameters(attention, rng);
  Matrix<double> x = random_matrix(10, 12, rng);
  const Matrix<double> before = testing::forward_once(attention, x, 2, 5);
  x.row(3) = random_matrix(1, 12, rng);  // sequence 0, position 3
  const Matrix<double> after = testing::forward_once(attention, x, 2, 5);
  CHECK(after.topRows(3) == before.topRows(3));        // positions 0..2: bit for bit
  CHECK_FALSE(after.row(3).isApprox(before.row(3)));   // the changed position sees it
  CHECK_FALSE(after.row(4).isApprox(before.row(4)));   // and so does the one after
  CHECK(after.bottomRows(5) == before.bottomRows(5));  // the other sequence is untouched
}

TEST_CASE("Attention: bad configs and shapes are errors that name the values") {
  Rng rng(6);
  GPTConfig config = odd_attention_config();
  config.num_heads = 5;
  testing::require_error_mentions([&] { CausalSelfAttention<float>(config, rng); },
                                  {"channels 12", "not divisible", "num_heads 5"});
  CausalSelfAttention<float> attention(odd_attention_config(), rng);
  const Matrix<float> eight = Matrix<float>::Zero(8, 12), nine = Matrix<float>::Zero(9, 12),
                      narrow = Matrix<float>::Zero(10, 11);
  testing::require_error_mentions([&] { testing::forward_once(attention, eight, 1, 8); }, {"T = 8", "block_size = 7"});
  testing::require_error_mentions([&] { testing::forward_once(attention, nine, 2, 5); }, {"9 rows", "2*5"});
  testing::require_error_mentions([&] { testing::forward_once(attention, narrow, 2, 5); },
                                  {"11 columns", "expected 12"});
}

// The mask is applied as scores of -infinity, whose exp must be exactly 0, in Eigen's
// vectorized float exp as in double; and huge scores must not overflow the softmax.
TEST_CASE_TEMPLATE("Attention: each probability row is a distribution over the past, the future exactly 0", S, float,
                   double) {
  Rng rng(7);
  const Index batch = 2, time = 70;  // three query chunks
  CausalSelfAttention<S> attention(GPTConfig{.block_size = time, .num_heads = 3, .channels = 12}, rng);
  for (const double weight_std : {0.5, 30.0}) {  // ordinary scores, then scores in the thousands
    CAPTURE(weight_std);
    testing::randomize_parameters(attention, rng, weight_std);
    const Matrix<S> x = random_matrix(batch * time, 12, rng).cast<S>();
    typename CausalSelfAttention<S>::Saved saved;
    attention.forward(x, batch, time, saved);
    const Matrix<S>& p = saved.probabilities;  // (B*H*T, T)
    REQUIRE(p.rows() == batch * 3 * time);
    REQUIRE(p.allFinite());
    for (Index row = 0; row < p.rows(); ++row) {
      const Index i = row % time;
      CAPTURE(row);
      CHECK(p.row(row).tail(time - i - 1).isZero(0));  // exactly: isZero(0) allows no difference
      CHECK((p.row(row).head(i + 1).array() >= 0).all());
      CHECK(double(p.row(row).sum()) == doctest::Approx(1.0).epsilon(1e-5));
    }
  }
}
