// The fast kernel (fast/causal_attention.hpp) computes the plain equations of
// nn/causal_attention.hpp: the same P, Y and gradients, for any length (across its
// query chunks) and with cached keys before the queries.
#include "test_helpers.hpp"

using namespace eigenformer;
using testing::random_matrix;

TEST_CASE("Causal attention: the reference is the definition, and its backward matches finite differences") {
  Rng rng(1);
  const Matrix<double> q = random_matrix(5, 4, rng), k = random_matrix(5, 4, rng), v = random_matrix(5, 4, rng);
  const CausalAttention<double> attention = causal_attention(q, k, v);
  for (Index i = 0; i < 5; ++i) {  // row i: softmax over j <= i of q_i . k_j / sqrt(D)
    RowVector<double> weights = RowVector<double>::Zero(5);
    for (Index j = 0; j <= i; ++j) weights(j) = std::exp(q.row(i).dot(k.row(j)) / 2.0);
    weights /= weights.sum();
    CHECK(attention.probabilities.row(i).isApprox(weights, 1e-12));
    CHECK(attention.output.row(i).isApprox(weights * v, 1e-12));
  }
  const Matrix<double> dy = random_matrix(5, 4, rng);
  const auto gradients = causal_attention_backward(q, k, v, attention.probabilities, dy);
  const auto loss = [&](const Matrix<double>& q_, const Matrix<double>& k_, const Matrix<double>& v_) {
    return causal_attention(q_, k_, v_).output.cwiseProduct(dy).sum();
  };
  Matrix<double> q_copy = q, k_copy = k, v_copy = v;
  CHECK(relative_error(gradients.dq, numerical_gradient(q_copy, [&] { return loss(q_copy, k, v); })) < 1e-7);
  CHECK(relative_error(gradients.dk, numerical_gradient(k_copy, [&] { return loss(q, k_copy, v); })) < 1e-7);
  CHECK(relative_error(gradients.dv, numerical_gradient(v_copy, [&] { return loss(q, k, v_copy); })) < 1e-7);
}

TEST_CASE_TEMPLATE("Causal attention: the fast kernel gives the reference's numbers, forward and backward", S, float,
                   double) {
  Rng rng(2);
  const double tolerance = std::is_same_v<S, float> ? 1e-5 : 1e-12;
  for (const auto& [time, past] : {std::pair<Index, Index>{1, 0}, {31, 0}, {70, 0}, {3, 9}, {40, 30}}) {
    CAPTURE(time);
    CAPTURE(past);
    const Index D = 8, L = past + time;
    const Matrix<S> q = random_matrix(time, D, rng).template cast<S>(), k = random_matrix(L, D, rng).template cast<S>(),
                    v = random_matrix(L, D, rng).template cast<S>();
    const CausalAttention<S> reference = causal_attention(q, k, v, past);
    Matrix<S> p(time, L), y(time, D);
    fast::causal_attention_forward(q, k, v, past, S(1) / std::sqrt(S(D)), p, y);
    CHECK(p.isApprox(reference.probabilities, S(tolerance)));
    CHECK(y.isApprox(reference.output, S(tolerance)));
    if (past > 0) continue;  // the kernel's backward is training's: no cached keys
    const Matrix<S> dy = random_matrix(time, D, rng).template cast<S>();
    const auto expected = causal_attention_backward(q, k, v, reference.probabilities, dy);
    Matrix<S> ds(time, time), dq(time, D), dk(time, D), dv(time, D);
    fast::causal_attention_backward(q, k, v, p, dy, S(1) / std::sqrt(S(D)), ds, dq, dk, dv);
    CHECK(dq.isApprox(expected.dq, S(tolerance)));
    CHECK(dk.isApprox(expected.dk, S(tolerance)));
    CHECK(dv.isApprox(expected.dv, S(tolerance)));
  }
}
