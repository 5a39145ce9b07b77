// expect: subtract the row's maximum before exp
Matrix<double> softmax_forward(const Matrix<double>& x) {
  Matrix<double> y = x.array().exp().matrix();
  for (Index i = 0; i < x.rows(); ++i) y.row(i) /= y.row(i).sum();
  return y;
}

Matrix<double> softmax_backward(const Matrix<double>& y, const Matrix<double>& dy) {
  Matrix<double> dx(y.rows(), y.cols());
  for (Index i = 0; i < y.rows(); ++i)
    dx.row(i) = (y.row(i).array() * (dy.row(i).array() - y.row(i).dot(dy.row(i)))).matrix();
  return dx;
}
