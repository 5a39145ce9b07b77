// Grader of exercise 5 (05_layer_norm.ipynb): student::layer_norm_backward against the library's
// LayerNorm (nn/layer_norm.hpp), finite differences of the given forward, and edge cases.
#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;

namespace {

constexpr double kEps = 1e-5;

struct Expected {
  Matrix<double> dx, dweight, dbias;
};

/// The library's LayerNorm with these weights: its dx, and the gradients it adds to its parameters.
Expected library_backward(const Matrix<double>& x, const Matrix<double>& weight, const Matrix<double>& dy) {
  eigenformer::LayerNorm<double> layer(x.cols(), "ln", kEps);
  layer.parameters([&](eigenformer::Parameter<double>& p) {
    if (p.name == "ln.weight") p.value = weight;
  });
  eigenformer::LayerNorm<double>::Saved saved;
  layer.forward(x, saved);
  Expected expected{layer.backward(saved, dy), {}, {}};
  layer.parameters(
      [&](eigenformer::Parameter<double>& p) { (p.name == "ln.weight" ? expected.dweight : expected.dbias) = p.grad; });
  return expected;
}

}  // namespace

int main() {
  const Matrix<double> x = grader::random_matrix(5, 6, 1), dy = grader::random_matrix(5, 6, 2);
  const Matrix<double> ones = Matrix<double>::Ones(1, 6), weight = grader::random_matrix(1, 6, 3),
                       bias = grader::random_matrix(1, 6, 4);

  const Expected plain = library_backward(x, ones, dy);
  const student::LayerNormGradients mine_plain = student::layer_norm_backward(x, ones, dy, kEps);
  grader::check_close("dbias: matches the library", mine_plain.dbias, plain.dbias, 1e-10,
                      "y = xhat * weight + bias, so dbias = the sum over rows of dy");
  grader::check_close("dweight: matches the library", mine_plain.dweight, plain.dweight, 1e-10,
                      "dweight = the sum over rows of dy * xhat, xhat the normalized input (x - mean) * rstd");
  grader::check_close("dx with weight = 1: matches the library", mine_plain.dx, plain.dx, 1e-9,
                      "dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat * xhat)): both means run over the row's C "
                      "channels, because every xhat of a row depends on every x of it");

  const Expected scaled = library_backward(x, weight, dy);
  const student::LayerNormGradients mine = student::layer_norm_backward(x, weight, dy, kEps);
  grader::check_close("dx with a random weight: matches the library", mine.dx, scaled.dx, 1e-9,
                      "dxhat = dy * weight: the weight scales the gradient before the normalization's backward");
  grader::check_close(
      "dx: matches finite differences of the given forward", mine.dx,
      grader::finite_difference_gradient(
          [&](const Matrix<double>& z) { return student::layer_norm_forward(z, weight, bias, kEps); }, x, dy),
      1e-6, "the backward must be the derivative of the forward above");

  const Matrix<double> flat = Matrix<double>::Constant(2, 6, 0.7);
  grader::check_close("a row of equal values (variance 0): dx finite, matches",
                      student::layer_norm_backward(flat, weight, dy.topRows(2), kEps).dx,
                      library_backward(flat, weight, dy.topRows(2)).dx, 1e-9,
                      "rstd = 1 / sqrt(var + eps): eps keeps it finite when var = 0");
  return grader::finish();
}
