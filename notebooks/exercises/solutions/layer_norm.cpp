// Solution of exercise 5: the backward of LayerNorm.
// Given: the forward, y = xhat * weight + bias with xhat = (x - mean) / sqrt(var + eps), each row.
// x, y: (N, C); weight, bias: (1, C).
Matrix<double> layer_norm_forward(const Matrix<double>& x, const Matrix<double>& weight, const Matrix<double>& bias,
                                  double eps) {
  Matrix<double> y(x.rows(), x.cols());
  for (Index n = 0; n < x.rows(); ++n) {
    const double mean = x.row(n).mean();
    const double var = (x.row(n).array() - mean).square().mean();
    y.row(n) = ((x.row(n).array() - mean) / std::sqrt(var + eps) * weight.array() + bias.array()).matrix();
  }
  return y;
}

struct LayerNormGradients {
  Matrix<double> dx;       // (N, C)
  Matrix<double> dweight;  // (1, C)
  Matrix<double> dbias;    // (1, C)
};

LayerNormGradients layer_norm_backward(const Matrix<double>& x, const Matrix<double>& weight, const Matrix<double>& dy,
                                       double eps) {
  LayerNormGradients g{Matrix<double>(x.rows(), x.cols()), Matrix<double>::Zero(1, x.cols()),
                       Matrix<double>::Zero(1, x.cols())};
  for (Index n = 0; n < x.rows(); ++n) {
    const double mean = x.row(n).mean();
    const double rstd = 1 / std::sqrt((x.row(n).array() - mean).square().mean() + eps);
    const Eigen::ArrayXXd xhat = (x.row(n).array() - mean) * rstd;  // (1, C)
    const Eigen::ArrayXXd dxhat = dy.row(n).array() * weight.array();
    g.dweight.array() += dy.row(n).array() * xhat;
    g.dbias += dy.row(n);
    g.dx.row(n) = (rstd * (dxhat - dxhat.mean() - xhat * (dxhat * xhat).mean())).matrix();
  }
  return g;
}
