// Finite-difference gradient checks: how we know every backward pass is right.
//
// For a scalar loss L(w), the central difference
//   dL/dw_i ~= (L(w + h e_i) - L(w - h e_i)) / (2h)
// has error O(h^2). In double with h = 1e-6 it agrees with a correct analytic
// gradient to ~1e-9, while an indexing slip gives errors of order 1. We compare
// whole tensors by  |analytic - numeric| / (|analytic| + |numeric|)  (L2 norms).
// To check a layer we make its output scalar with fixed random weights R:
//   L = sum(y * R), so dL/dy = R is what backward receives.
#pragma once

#include <string>
#include <vector>

#include "eigenformer/core/init.hpp"
#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/rng.hpp"

namespace eigenformer {

struct GradientCheck {
  std::string name;       // "input" or a parameter's dotted name
  double relative_error;  // |analytic - numeric| / (|analytic| + |numeric|)
};

inline double relative_error(const Matrix<double>& analytic, const Matrix<double>& numeric) {
  const double scale = analytic.norm() + numeric.norm();
  return scale == 0.0 ? 0.0 : (analytic - numeric).norm() / scale;
}

/// dL/dvalues by central differences; `loss()` recomputes L from the current values.
template <class Loss>
Matrix<double> numerical_gradient(Matrix<double>& values, Loss&& loss, double step = 1e-6) {
  Matrix<double> gradient(values.rows(), values.cols());
  for (Index i = 0; i < values.size(); ++i) {
    const double saved = values.data()[i];
    values.data()[i] = saved + step;
    const double plus = loss();
    values.data()[i] = saved - step;
    const double minus = loss();
    values.data()[i] = saved;
    gradient.data()[i] = (plus - minus) / (2 * step);
  }
  return gradient;
}

/// Compares every parameter's accumulated grad with finite differences of `loss()`.
/// Call after one backward pass from zeroed gradients.
template <class Model, class Loss>
std::vector<GradientCheck> check_parameter_gradients(Model& model, Loss&& loss) {
  std::vector<GradientCheck> checks;
  model.parameters([&](Parameter<double>& parameter) {
    const Matrix<double> analytic = parameter.grad;
    checks.push_back({parameter.name, relative_error(analytic, numerical_gradient(parameter.value, loss))});
  });
  return checks;
}

/// Checks a layer's input gradient and all its parameter gradients.
/// forward(x) -> y and backward(dy) -> dx wrap the layer's calls (so a SequenceLayer
/// can be given its batch shape). Returns one entry for the input, then one per parameter.
template <class Model, class Forward, class Backward>
std::vector<GradientCheck> check_layer_gradients(Model& layer, Forward&& forward, Backward&& backward, Matrix<double> x,
                                                 Rng& rng) {
  Matrix<double> weights = forward(x);  // L = sum(y * weights): any fixed weights will do
  fill_normal(weights, 1.0, rng);
  const auto loss = [&] { return forward(x).cwiseProduct(weights).sum(); };

  layer.parameters([](Parameter<double>& parameter) { parameter.zero_grad(); });
  forward(x);
  // A copy on purpose: the numerical gradient below runs forward many times, and a
  // layer may reuse its buffers. NOLINTNEXTLINE(performance-unnecessary-copy-initialization)
  const Matrix<double> input_grad = backward(weights);
  std::vector<GradientCheck> checks{{"input", relative_error(input_grad, numerical_gradient(x, loss))}};
  for (auto& check : check_parameter_gradients(layer, loss)) checks.push_back(check);
  return checks;
}

}  // namespace eigenformer
