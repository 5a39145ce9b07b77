// Solution of exercise 2: one head of causal self-attention over one sequence.
Matrix<double> causal_attention(const Matrix<double>& q, const Matrix<double>& k, const Matrix<double>& v) {
  Matrix<double> scores = q * k.transpose() / std::sqrt(double(q.cols()));  // (T, T)
  for (Index i = 0; i < scores.rows(); ++i)
    for (Index j = i + 1; j < scores.cols(); ++j) scores(i, j) = -std::numeric_limits<double>::infinity();
  softmax_rows(scores);  // each row: weights over the positions j <= i, summing to 1
  return scores * v;     // (T, D)
}
