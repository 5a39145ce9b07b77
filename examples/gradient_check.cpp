// Lesson: how do we know a backward pass is right? Ask the forward pass.
//
// We build a small stack (LayerNorm -> Linear -> GELU), make its output a scalar
// L = sum(y * R) for a fixed random R, and compare the analytic gradients from
// backward() with central finite differences (L(w + h) - L(w - h)) / 2h, in double.
// Then we plant a bug and watch the check catch it.
#include <cstdio>
#include <eigenformer/core/gradient_check.hpp>
#include <eigenformer/core/layer.hpp>
#include <eigenformer/nn/gelu.hpp>
#include <eigenformer/nn/layer_norm.hpp>
#include <eigenformer/nn/linear.hpp>
#include <iomanip>
#include <iostream>

#include "command_line/checks.hpp"

using namespace eigenformer;

// A layer stack is itself a layer: forward runs the parts in order, backward in reverse,
// each part handed the input its forward saw (so the stack keeps those inputs).
struct Stack {
  using Scalar = double;
  LayerNorm<double> norm{8, "norm"};
  Linear<double> linear;
  GELU<double> gelu;
  bool plant_bug = false;

  explicit Stack(Rng& rng) : linear(8, 5, true, rng, "linear", 0.5) {}

  Matrix<double> forward(const Matrix<double>& x) {
    normed_ = norm.forward(x);
    projected_ = linear.forward(normed_);
    return gelu.forward(projected_);
  }
  Matrix<double> backward(const Matrix<double>& x, const Matrix<double>& dy) {
    const Matrix<double> dx = norm.backward(x, linear.backward(normed_, gelu.backward(projected_, dy)));
    return plant_bug ? Matrix<double>(dx * 1.01) : dx;  // a 1% error, the size of a typical off-by-something slip
  }
  template <class Visit>
  void parameters(Visit&& visit) {
    norm.parameters(visit);
    linear.parameters(visit);
  }

 private:
  Matrix<double> normed_, projected_;  // the inputs of linear and gelu in the last forward
};
static_assert(Layer<Stack>);  // the compiler checks our stack keeps the layer contract

void report(Stack& stack, const Matrix<double>& x, Rng& rng) {
  const auto checks = check_layer_gradients(stack, x, rng);
  for (const auto& check : checks)
    std::cout << "  " << std::left << std::setw(16) << check.name << " relative error " << std::scientific
              << std::setprecision(2) << check.relative_error << (check.relative_error < 1e-6 ? "  ok" : "  WRONG")
              << "\n";
}

int main() try {
  Rng rng(42);
  Stack stack(rng);
  Matrix<double> x(4, 8);  // 4 positions, 8 channels
  fill_normal(x, 1.0, rng);

  std::cout << "Correct backward pass:\n";
  report(stack, x, rng);
  std::cout << "With a planted 1% error in the input gradient:\n";
  stack.plant_bug = true;
  report(stack, x, rng);
  std::cout << "Next: tests/nn/ runs this check on every layer; try breaking one in include/eigenformer/nn/.\n";
  examples::check_standard_output();     // a full disk under `> file` is an error, not exit 0
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
