// expect: set those scores to -infinity before softmax
Matrix<double> causal_attention(const Matrix<double>& q, const Matrix<double>& k, const Matrix<double>& v) {
  Matrix<double> weights = q * k.transpose() / std::sqrt(double(q.cols()));
  softmax_rows(weights);
  for (Index i = 0; i < weights.rows(); ++i)
    for (Index j = i + 1; j < weights.cols(); ++j) weights(i, j) = 0;  // too late: the row was normalized over all j
  return weights * v;
}
