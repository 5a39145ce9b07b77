// expect: bias correction: m_hat = m / (1 - beta1^t)
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
  w *= 1 - s.lr * s.weight_decay;
  state.m = s.beta1 * state.m + (1 - s.beta1) * g;
  state.v = s.beta2 * state.v + (1 - s.beta2) * g.cwiseProduct(g);
  w.array() -= s.lr * state.m.array() / (state.v.array().sqrt() + s.eps);  // no bias correction
}
