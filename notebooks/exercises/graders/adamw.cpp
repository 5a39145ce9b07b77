// Grader of exercise 3 (03_adamw.ipynb): student::adamw_step against the library's AdamW
// (optim/adam.hpp) step by step, and the parts of the update one at a time.
#include <vector>

#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;

namespace {

/// The weights after each of `gradients.size()` steps of the library's AdamW from `w`.
std::vector<Matrix<double>> library_steps(const Matrix<double>& w, const std::vector<Matrix<double>>& gradients,
                                          const student::AdamWSettings& s) {
  eigenformer::Parameter<double> parameter("w", w.rows(), w.cols());
  parameter.value = w;
  eigenformer::AdamW<double> optimizer(
      {&parameter}, {.lr = s.lr, .betas = {s.beta1, s.beta2}, .eps = s.eps, .weight_decay = s.weight_decay});
  std::vector<Matrix<double>> weights;
  for (const Matrix<double>& g : gradients) {
    parameter.grad = g;
    optimizer.step();
    weights.push_back(parameter.value);
  }
  return weights;
}

/// The student's weights after each step, from a fresh state.
std::vector<Matrix<double>> student_steps(Matrix<double> w, const std::vector<Matrix<double>>& gradients,
                                          const student::AdamWSettings& s) {
  student::AdamWState state{Matrix<double>::Zero(w.rows(), w.cols()), Matrix<double>::Zero(w.rows(), w.cols())};
  std::vector<Matrix<double>> weights;
  for (const Matrix<double>& g : gradients) {
    student::adamw_step(w, g, state, s);
    weights.push_back(w);
  }
  return weights;
}

}  // namespace

int main() {
  const student::AdamWSettings settings{};
  const Matrix<double> w = grader::random_matrix(3, 4, 1), g = grader::random_matrix(3, 4, 2);

  student::AdamWState state{Matrix<double>::Zero(3, 4), Matrix<double>::Zero(3, 4)};
  Matrix<double> w_student = w;
  student::adamw_step(w_student, g, state, settings);
  grader::check_close("the moments after one step: m = (1 - beta1) g", state.m, (1 - settings.beta1) * g, 1e-12,
                      "m <- beta1 m + (1 - beta1) g, starting from m = 0");
  grader::check_close("the moments after one step: v = (1 - beta2) g^2", state.v,
                      (1 - settings.beta2) * g.cwiseProduct(g), 1e-12,
                      "v <- beta2 v + (1 - beta2) g^2, g squared element by element");

  const student::AdamWSettings no_decay{.weight_decay = 0};
  grader::check_close("the first step, no weight decay, matches the library", student_steps(w, {g}, no_decay)[0],
                      library_steps(w, {g}, no_decay)[0], 1e-10,
                      "bias correction: m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t), t = 1 at the first "
                      "step; then w <- w - lr m_hat / (sqrt(v_hat) + eps)");

  const Matrix<double> zero = Matrix<double>::Zero(3, 4);
  grader::check_close("with a zero gradient, weight decay alone: w <- w (1 - lr weight_decay)",
                      student_steps(w, {zero}, settings)[0], w * (1 - settings.lr * settings.weight_decay), 1e-12,
                      "AdamW decays the weights directly, w <- w (1 - lr weight_decay), not through the gradient "
                      "(adding weight_decay w to g is Adam's L2 penalty)");

  std::vector<Matrix<double>> gradients;
  for (std::uint64_t step = 0; step < 20; ++step) gradients.push_back(grader::random_matrix(3, 4, 10 + step));
  const auto expected = library_steps(w, gradients, settings), actual = student_steps(w, gradients, settings);
  for (const Index step : {Index(1), Index(5), Index(20)})
    grader::check_close("after " + std::to_string(step) + " steps, matches the library", actual[step - 1],
                        expected[step - 1], 1e-9,
                        "t counts the steps taken, 1 at the first: the bias corrections use beta^t of this step");
  return grader::finish();
}
