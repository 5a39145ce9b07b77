// Grader of exercise 2 (02_causal_attention.ipynb): student::causal_attention, one head over
// one sequence, against attention written out with the library's softmax (grader.hpp), and its edge cases.
#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;

int main() {
  const Matrix<double> q1 = grader::random_matrix(5, 1, 1), k1 = grader::random_matrix(5, 1, 2),
                       v1 = grader::random_matrix(5, 1, 3);
  grader::check_close("D = 1 (T = 5): matches softmax(q k^T / sqrt(D), causal) v",
                      student::causal_attention(q1, k1, v1), grader::reference_causal_attention(q1, k1, v1), 1e-9,
                      "scores s_ij = q_i . k_j / sqrt(D); s_ij = -infinity where j > i; softmax each row; times v");

  const Matrix<double> q = grader::random_matrix(6, 16, 4), k = grader::random_matrix(6, 16, 5),
                       v = grader::random_matrix(6, 16, 6);
  const Matrix<double> out = student::causal_attention(q, k, v);
  grader::check_close("D = 16 (T = 6): matches", out, grader::reference_causal_attention(q, k, v), 1e-9,
                      "at D = 1 the scale is 1; at D = 16 divide every score q_i . k_j by sqrt(D) = 4 before softmax");
  grader::check_close("position 0 attends to itself alone: its output is v_0", out.topRows(1), v.topRows(1), 1e-9,
                      "the mask hides j > i only: every position sees itself (j = i) and everything before");

  Matrix<double> k_changed = k, v_changed = v;
  k_changed.row(4).setConstant(7.0);
  v_changed.row(4).setConstant(-7.0);
  grader::check_close("causal: changing k_4 and v_4 leaves rows 0-3 unchanged",
                      student::causal_attention(q, k_changed, v_changed).topRows(4), out.topRows(4), 1e-12,
                      "row i must not read any j > i: set those scores to -infinity before softmax");

  const Matrix<double> q_one = grader::random_matrix(1, 8, 7), k_one = grader::random_matrix(1, 8, 8),
                       v_one = grader::random_matrix(1, 8, 9);
  grader::check_close("T = 1: the output is v", student::causal_attention(q_one, k_one, v_one), v_one, 1e-12,
                      "with one position, its weight on itself is 1");

  const Matrix<double> q_big = 40 * grader::random_matrix(4, 4, 10), k_big = 40 * grader::random_matrix(4, 4, 11);
  grader::check_close("large scores (|q.k| ~ 1000) stay finite",
                      student::causal_attention(q_big, k_big, v.topRows(4).leftCols(4)),
                      grader::reference_causal_attention(q_big, k_big, v.topRows(4).leftCols(4)), 1e-9,
                      "a stable softmax subtracts each row's maximum (softmax_rows does)");
  return grader::finish();
}
