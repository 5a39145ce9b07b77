// expect: keep both terms
Matrix<double> softmax_forward(const Matrix<double>& x) {
  Matrix<double> y(x.rows(), x.cols());
  for (Index i = 0; i < x.rows(); ++i) {
    y.row(i) = (x.row(i).array() - x.row(i).maxCoeff()).exp().matrix();
    y.row(i) /= y.row(i).sum();
  }
  return y;
}

Matrix<double> softmax_backward(const Matrix<double>& y, const Matrix<double>& dy) {
  return y.cwiseProduct(dy);  // forgets - sum_k dy_ik y_ik
}
