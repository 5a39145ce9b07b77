// expect: dv = P^T dout
// Given: the forward of one causal head (exercise 2).  q, k, v: (T, D) -> out (T, D).
Matrix<double> attention_weights(const Matrix<double>& q, const Matrix<double>& k) {  // P: (T, T)
  Matrix<double> scores = q * k.transpose() / std::sqrt(double(q.cols()));
  for (Index i = 0; i < scores.rows(); ++i)
    for (Index j = i + 1; j < scores.cols(); ++j) scores(i, j) = -std::numeric_limits<double>::infinity();
  softmax_rows(scores);
  return scores;
}

Matrix<double> attention_forward(const Matrix<double>& q, const Matrix<double>& k, const Matrix<double>& v) {
  return attention_weights(q, k) * v;
}

struct AttentionGradients {
  Matrix<double> dq, dk, dv;  // each (T, D)
};

AttentionGradients attention_backward(const Matrix<double>& q, const Matrix<double>& k, const Matrix<double>& v,
                                      const Matrix<double>& dout) {
  const Matrix<double> p = attention_weights(q, k);
  Matrix<double> ds = dout * v.transpose();
  softmax_rows_backward(p, ds);
  const double scale = 1 / std::sqrt(double(q.cols()));
  return {ds * k * scale, ds.transpose() * q * scale, p * dout};  // P, not P^T
}
