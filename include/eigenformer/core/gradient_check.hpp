// Finite-difference gradient checks: how we know every backward pass is right.
//
// For a scalar loss L(w), the central difference
//   dL/dw_i ~= (L(w + h e_i) - L(w - h e_i)) / (2h)
// has error O(h^2). In double with h = 1e-6 it agrees with a correct analytic
// gradient to ~1e-9, while an indexing slip gives errors of order 1. We compare
// whole tensors by  |analytic - numeric| / (|analytic| + |numeric|)  (L2 norms).
// To check a layer we make its output scalar with fixed random weights R:
//   L = sum(y * R), so dL/dy = R is what backward receives.
// In double only: in float, rounding (1e-7 relative) swamps the differences.
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "eigenformer/core/init.hpp"
#include "eigenformer/core/layer.hpp"
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
  static_assert(std::is_same_v<typename Model::Scalar, double>,
                "gradient checks need a model of double (e.g. GPT<double>): in float, finite differences are "
                "swamped by rounding");
  std::vector<GradientCheck> checks;
  model.parameters([&](Parameter<double>& parameter) {
    const Matrix<double> analytic = parameter.grad;
    checks.push_back({parameter.name, relative_error(analytic, numerical_gradient(parameter.value, loss))});
  });
  return checks;
}

namespace detail {

/// L = sum(y * R) for fixed random R, so backward receives dy = R. Returns one entry for
/// the input, then one per parameter. `forward(x, saved)` runs the layer's training forward.
template <class L, class Forward>
std::vector<GradientCheck> check_gradients(L& layer, Forward&& forward, Matrix<double> x, Rng& rng) {
  static_assert(std::is_same_v<typename L::Scalar, double>,
                "gradient checks need a layer of double (e.g. Linear<double>): in float, finite differences "
                "are swamped by rounding");
  typename L::Saved saved;
  Matrix<double> weights = forward(x, saved);  // any fixed weights will do
  fill_normal(weights, 1.0, rng);
  const auto loss = [&] {
    typename L::Saved scratch;
    return forward(x, scratch).cwiseProduct(weights).sum();
  };

  layer.parameters([](Parameter<double>& parameter) { parameter.zero_grad(); });
  forward(x, saved);
  const Matrix<double> input_grad = layer.backward(saved, weights);
  std::vector<GradientCheck> checks{{"input", relative_error(input_grad, numerical_gradient(x, loss))}};
  for (auto& check : check_parameter_gradients(layer, loss)) checks.push_back(check);
  return checks;
}

}  // namespace detail

/// Checks a position-wise layer's input gradient and all its parameter gradients at x.
template <Layer L>
std::vector<GradientCheck> check_layer_gradients(L& layer, const Matrix<double>& x, Rng& rng) {
  return detail::check_gradients(
      layer,
      [&](const Matrix<double>& in, typename L::Saved& saved) { return Matrix<double>(layer.forward(in, saved)); }, x,
      rng);
}

/// The same for a sequence layer (attention, a block) run on `batch` sequences of `time` positions.
template <SequenceLayer L>
std::vector<GradientCheck> check_layer_gradients(L& layer, Index batch, Index time, const Matrix<double>& x, Rng& rng) {
  return detail::check_gradients(
      layer,
      [&](const Matrix<double>& in, typename L::Saved& saved) {
        return Matrix<double>(layer.forward(in, batch, time, saved));
      },
      x, rng);
}

}  // namespace eigenformer
