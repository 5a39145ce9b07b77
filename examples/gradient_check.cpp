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

// A layer stack is itself a layer: forward runs the parts in order, each keeping what its
// backward reads in the stack's Saved; backward runs them in reverse, each reading its own.
struct Stack {
  using Scalar = double;
  LayerNorm<double> norm{8, "norm"};
  Linear<double> linear;
  GELU<double> gelu;
  bool plant_bug = false;

  struct Saved {
    LayerNorm<double>::Saved norm;
    Linear<double>::Saved linear;
    GELU<double>::Saved gelu;
    BackwardTicket ticket;
  };

  explicit Stack(Rng& rng) : linear(8, 5, true, rng, "linear", 0.5) {}

  Matrix<double> forward(const Matrix<double>& x, Saved& saved) const {
    Matrix<double> y = gelu.forward(linear.forward(norm.forward(x, saved.norm), saved.linear), saved.gelu);
    saved.ticket.issue(this);
    return y;
  }
  Matrix<double> forward(const Matrix<double>& x) const { return gelu.forward(linear.forward(norm.forward(x))); }
  Matrix<double> backward(Saved& saved, const Matrix<double>& dy) {
    saved.ticket.spend(this, "stack");
    const Matrix<double> dx = norm.backward(saved.norm, linear.backward(saved.linear, gelu.backward(saved.gelu, dy)));
    return plant_bug ? Matrix<double>(dx * 1.01) : dx;  // a 1% error, the size of a typical off-by-something slip
  }
  template <class Visit>
  void parameters(Visit&& visit) {
    norm.parameters(visit);
    linear.parameters(visit);
  }
};
static_assert(Layer<Stack>);  // the compiler checks our stack keeps the layer contract

void report(Stack& stack, const Matrix<double>& x, Rng& rng) {
  const auto checks = check_layer_gradients(stack, x, rng);
  for (const auto& check : checks)
    std::cout << "  " << std::left << std::setw(16) << check.name << " relative error " << std::scientific
              << std::setprecision(2) << check.relative_error << (check.relative_error < 1e-6 ? "  ok" : "  WRONG")
              << "\n";
}

int main(int argc, char** argv) try {
  tune_process_for_speed();  // this program asks for the process-wide speed settings (core/threads.hpp)
  CLI::App app{
      "Checks a layer stack's backward pass against finite differences, then plants a 1% bug and shows the check catch "
      "it."};  // no flags: --help says what it teaches
  CLI11_PARSE(app, argc, argv);
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
