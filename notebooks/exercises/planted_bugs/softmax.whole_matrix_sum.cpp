// expect: divide by the sum of the row, not of the whole matrix
Matrix<double> softmax_forward(const Matrix<double>& x) {
  const Matrix<double> e = (x.array() - x.maxCoeff()).exp().matrix();
  return e / e.sum();
}

Matrix<double> softmax_backward(const Matrix<double>& y, const Matrix<double>& dy) {
  Matrix<double> dx(y.rows(), y.cols());
  for (Index i = 0; i < y.rows(); ++i)
    dx.row(i) = (y.row(i).array() * (dy.row(i).array() - y.row(i).dot(dy.row(i)))).matrix();
  return dx;
}
