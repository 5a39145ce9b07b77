// Solution of exercise 1: softmax over each row, stably, and its backward.
Matrix<double> softmax_forward(const Matrix<double>& x) {
  Matrix<double> y(x.rows(), x.cols());
  for (Index i = 0; i < x.rows(); ++i) {
    const double largest = x.row(i).maxCoeff();  // exp of <= 0 never overflows
    y.row(i) = (x.row(i).array() - largest).exp().matrix();
    y.row(i) /= y.row(i).sum();
  }
  return y;
}

Matrix<double> softmax_backward(const Matrix<double>& y, const Matrix<double>& dy) {
  Matrix<double> dx(y.rows(), y.cols());
  for (Index i = 0; i < y.rows(); ++i) {
    const double dot = y.row(i).dot(dy.row(i));  // sum_k dy_ik y_ik
    dx.row(i) = (y.row(i).array() * (dy.row(i).array() - dot)).matrix();
  }
  return dx;
}
