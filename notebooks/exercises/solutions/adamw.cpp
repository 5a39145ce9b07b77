// Solution of exercise 3: one step of AdamW with bias correction and decoupled weight decay.
// Given: the settings and the state (m and v start as zeros of w's shape, step at 0).
struct AdamWSettings {
  double lr = 1e-2, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.1;
};
struct AdamWState {
  Matrix<double> m, v;  // running means of g and g^2, w's shape
  long step = 0;        // steps taken so far
};

// One AdamW step: w and state updated in place from the gradient g.  w, g, m, v: same shape.
void adamw_step(Matrix<double>& w, const Matrix<double>& g, AdamWState& state, const AdamWSettings& s) {
  state.step += 1;
  const double t = double(state.step);
  w *= 1 - s.lr * s.weight_decay;  // decoupled decay: straight on the weights
  state.m = s.beta1 * state.m + (1 - s.beta1) * g;
  state.v = s.beta2 * state.v + (1 - s.beta2) * g.cwiseProduct(g);
  const Matrix<double> m_hat = state.m / (1 - std::pow(s.beta1, t));  // undo m's start at 0
  const Matrix<double> v_hat = state.v / (1 - std::pow(s.beta2, t));
  w.array() -= s.lr * m_hat.array() / (v_hat.array().sqrt() + s.eps);
}
