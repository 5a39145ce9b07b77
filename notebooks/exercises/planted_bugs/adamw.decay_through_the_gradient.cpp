// expect: AdamW decays the weights directly
// Given: the settings and the state (m and v start as zeros of w's shape, step at 0).
struct AdamWSettings {
  double lr = 1e-2, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.1;
};
struct AdamWState {
  Matrix<double> m, v;  // running means of g and g^2, w's shape
  long step = 0;        // steps taken so far
};

void adamw_step(Matrix<double>& w, const Matrix<double>& g, AdamWState& state, const AdamWSettings& s) {
  state.step += 1;
  const double t = double(state.step);
  const Matrix<double> decayed_g = g + s.weight_decay * w;  // Adam's L2, not AdamW's decay
  state.m = s.beta1 * state.m + (1 - s.beta1) * decayed_g;
  state.v = s.beta2 * state.v + (1 - s.beta2) * decayed_g.cwiseProduct(decayed_g);
  const Matrix<double> m_hat = state.m / (1 - std::pow(s.beta1, t));
  const Matrix<double> v_hat = state.v / (1 - std::pow(s.beta2, t));
  w.array() -= s.lr * m_hat.array() / (v_hat.array().sqrt() + s.eps);
}
