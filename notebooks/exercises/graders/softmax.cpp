// Grader of exercise 1 (01_softmax.ipynb): student::softmax_forward and softmax_backward
// against the library's softmax (nn/softmax.hpp), finite differences and edge cases.
#include "grader.hpp"

using eigenformer::Matrix;

namespace {

Matrix<double> library_softmax(Matrix<double> x) {
  eigenformer::softmax_rows(x);
  return x;
}

}  // namespace

int main() {
  const Matrix<double> x = grader::random_matrix(4, 7, 3, 2.0);
  const Matrix<double> y = student::softmax_forward(x);
  grader::check_close("forward: random logits (4 x 7) match the library", y, library_softmax(x), 1e-9,
                      "y_ij = exp(x_ij) / sum_k exp(x_ik), each row on its own");
  grader::check_close("forward: every row sums to 1", y.rowwise().sum(), Matrix<double>::Ones(4, 1), 1e-9,
                      "divide by the sum of the row, not of the whole matrix");

  Matrix<double> huge(2, 3);
  huge << 1000, 1001, 999, -1000, -1001, -999;
  grader::check_close("forward: huge logits (+-1000) stay finite", student::softmax_forward(huge),
                      library_softmax(huge), 1e-9,
                      "subtract the row's maximum before exp: exp(1000) overflows to inf, and inf/inf is nan");
  grader::check_close("forward: a row of equal logits is uniform",
                      student::softmax_forward(Matrix<double>::Constant(1, 5, 3.0)),
                      Matrix<double>::Constant(1, 5, 0.2), 1e-12, "equal logits give every entry 1/n");
  grader::check_close("forward: one column (a single choice) is 1",
                      student::softmax_forward(grader::random_matrix(3, 1, 3, 5.0)), Matrix<double>::Ones(3, 1), 1e-12,
                      "one entry per row: its probability is 1");

  const Matrix<double> dy = grader::random_matrix(4, 7, 4);
  Matrix<double> expected = dy;
  eigenformer::softmax_rows_backward(library_softmax(x), expected);
  const Matrix<double> dx = student::softmax_backward(library_softmax(x), dy);
  grader::check_close("backward: matches the library", dx, expected, 1e-9,
                      "dx_ij = y_ij (dy_ij - sum_k dy_ik y_ik): keep both terms, and sum over row i only");
  grader::check_close(
      "backward: matches finite differences of your forward", dx,
      grader::finite_difference_gradient([](const Matrix<double>& z) { return student::softmax_forward(z); }, x, dy),
      1e-6, "the backward must be the derivative of the forward you wrote");
  return grader::finish();
}
