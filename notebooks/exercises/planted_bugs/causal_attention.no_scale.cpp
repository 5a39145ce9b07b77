// expect: divide every score q_i . k_j by sqrt(D)
Matrix<double> causal_attention(const Matrix<double>& q, const Matrix<double>& k, const Matrix<double>& v) {
  Matrix<double> scores = q * k.transpose();
  for (Index i = 0; i < scores.rows(); ++i)
    for (Index j = i + 1; j < scores.cols(); ++j) scores(i, j) = -std::numeric_limits<double>::infinity();
  softmax_rows(scores);
  return scores * v;
}
