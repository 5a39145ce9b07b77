// Lesson: how do we know a backward pass is right? Ask the forward pass.
//
// We build a small stack (LayerNorm -> Linear -> GELU), make its output a scalar
// L = sum(y * R) for a fixed random R, and compare the analytic gradients from
// backward() with central finite differences (L(w + h) - L(w - h)) / 2h, in double.
// Then we plant a bug and watch the check catch it.
#include <eigenformer/eigenformer.hpp>
#include <cstdio>
#include <iomanip>
#include <iostream>

using namespace eigenformer;

// A layer stack is itself a layer: forward runs the parts in order, backward in reverse.
struct Stack {
  using Scalar = double;
  LayerNorm<double> norm{8, "norm"};
  Linear<double> linear;
  GELU<double> gelu;
  bool plant_bug = false;

  explicit Stack(Rng& rng) : linear(8, 5, true, rng, "linear", 0.5) {}

  const Matrix<double>& forward(const Matrix<double>& x) { return gelu.forward(linear.forward(norm.forward(x))); }
  const Matrix<double>& backward(const Matrix<double>& dy) {
    const Matrix<double>& dx = norm.backward(linear.backward(gelu.backward(dy)));
    if (plant_bug) bugged_ = dx * 1.01;  // a 1% error, the size of a typical off-by-something slip
    return plant_bug ? bugged_ : dx;
  }
  template <class Visit>
  void parameters(Visit&& visit) {
    norm.parameters(visit);
    linear.parameters(visit);
  }

 private:
  Matrix<double> bugged_;
};
static_assert(Layer<Stack>);  // the compiler checks our stack keeps the layer contract

void report(Stack& stack, const Matrix<double>& x, Rng& rng) {
  const auto checks = check_layer_gradients(
      stack, [&](const Matrix<double>& in) -> const Matrix<double>& { return stack.forward(in); },
      [&](const Matrix<double>& dy) -> const Matrix<double>& { return stack.backward(dy); }, x, rng);
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
} catch (const std::exception& error) {  // a bad flag, file or size: say what, don't crash
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
