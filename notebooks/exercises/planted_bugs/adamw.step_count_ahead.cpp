// expect: t counts the steps taken, 1 at the first
// Given: the settings and the state (m and v start as zeros of w's shape, step at 0).
struct AdamWSettings {
  double lr = 1e-2, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.1;
};
struct AdamWState {
  Matrix<double> m, v;  // running means of g and g^2, w's shape
  long step = 0;        // steps taken so far
};

void adamw_step(Matrix<double>& w, const Matrix<double>& g, AdamWState& state, const AdamWSettings& s) {
  const double t = double(state.step + 2);  // one step ahead
  state.step += 1;
  w *= 1 - s.lr * s.weight_decay;
  state.m = s.beta1 * state.m + (1 - s.beta1) * g;
  state.v = s.beta2 * state.v + (1 - s.beta2) * g.cwiseProduct(g);
  const Matrix<double> m_hat = state.m / (1 - std::pow(s.beta1, t));
  const Matrix<double> v_hat = state.v / (1 - std::pow(s.beta2, t));
  w.array() -= s.lr * m_hat.array() / (v_hat.array().sqrt() + s.eps);
}
