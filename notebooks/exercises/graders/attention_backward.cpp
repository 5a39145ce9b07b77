// Grader of exercise 9 (09_attention_backward.ipynb): student::attention_backward against finite
// differences of the given forward, for each of q, k and v, and the one-position case.
#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;

int main() {
  const Matrix<double> q = grader::random_matrix(5, 4, 1), k = grader::random_matrix(5, 4, 2),
                       v = grader::random_matrix(5, 4, 3), dout = grader::random_matrix(5, 4, 4);
  const student::AttentionGradients g = student::attention_backward(q, k, v, dout);
  using grader::finite_difference_gradient;
  grader::check_close(
      "dv matches finite differences", g.dv,
      finite_difference_gradient([&](const Matrix<double>& x) { return student::attention_forward(q, k, x); }, v, dout),
      1e-6, "out = P v, so dv = P^T dout: (T, T)^T times (T, D)");
  grader::check_close(
      "dq matches finite differences", g.dq,
      finite_difference_gradient([&](const Matrix<double>& x) { return student::attention_forward(x, k, v); }, q, dout),
      1e-6,
      "dP = dout v^T; dS = P * (dP - rowsum(dP * P)) (softmax's backward, row by row); "
      "then dq = dS k / sqrt(D)");
  grader::check_close(
      "dk matches finite differences", g.dk,
      finite_difference_gradient([&](const Matrix<double>& x) { return student::attention_forward(q, x, v); }, k, dout),
      1e-6, "dk = dS^T q / sqrt(D): transposed, because S_ij = q_i . k_j / sqrt(D)");

  const Matrix<double> q1 = grader::random_matrix(1, 4, 5), k1 = grader::random_matrix(1, 4, 6),
                       v1 = grader::random_matrix(1, 4, 7), d1 = grader::random_matrix(1, 4, 8);
  const student::AttentionGradients one = student::attention_backward(q1, k1, v1, d1);
  grader::check_close("T = 1: dv = dout", one.dv, d1, 1e-12, "with one position P = 1, so out = v");
  grader::check_close("T = 1: dq = 0 (the weight is 1 whatever the score)", one.dq, Matrix<double>::Zero(1, 4), 1e-12,
                      "softmax of one score is 1 for every score: its backward gives dS = 0");
  return grader::finish();
}
