// expect: adds nothing to the loss, so nothing to the gradient
// Given: what the function returns.
struct LossAndGradient {
  double loss;             // mean over the counted rows
  Matrix<double> dlogits;  // dloss/dlogits: (N, V)
};

LossAndGradient cross_entropy(const Matrix<double>& logits, const std::vector<int>& targets) {
  LossAndGradient out{0.0, Matrix<double>::Zero(logits.rows(), logits.cols())};
  int count = 0;
  for (Index n = 0; n < logits.rows(); ++n) {
    const double largest = logits.row(n).maxCoeff();
    const Matrix<double> e = (logits.row(n).array() - largest).exp().matrix();
    out.dlogits.row(n) = e / e.sum();  // the softmax written on every row, ignored ones too
    if (targets[n] == -1) continue;
    out.loss += largest + std::log(e.sum()) - logits(n, targets[n]);
    out.dlogits(n, targets[n]) -= 1;
    ++count;
  }
  out.loss /= count;
  out.dlogits /= count;
  return out;
}
