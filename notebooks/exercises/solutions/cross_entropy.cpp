// Solution of exercise 4: cross-entropy over the rows whose target is not -1, and its gradient.
// Given: what the function returns.
struct LossAndGradient {
  double loss;             // mean over the counted rows
  Matrix<double> dlogits;  // dloss/dlogits: (N, V)
};

LossAndGradient cross_entropy(const Matrix<double>& logits, const std::vector<int>& targets) {
  LossAndGradient out{0.0, Matrix<double>::Zero(logits.rows(), logits.cols())};
  int count = 0;
  for (Index n = 0; n < logits.rows(); ++n) {
    if (targets[n] == -1) continue;  // nothing to learn at this row
    const double largest = logits.row(n).maxCoeff();
    const Matrix<double> e = (logits.row(n).array() - largest).exp().matrix();
    const double log_sum = largest + std::log(e.sum());  // log-sum-exp, finite for any logits
    out.loss += log_sum - logits(n, targets[n]);
    out.dlogits.row(n) = e / e.sum();  // softmax
    out.dlogits(n, targets[n]) -= 1;
    ++count;
  }
  out.loss /= count;
  out.dlogits /= count;
  return out;
}
