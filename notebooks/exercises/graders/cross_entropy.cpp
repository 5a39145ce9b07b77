// Grader of exercise 4 (04_cross_entropy.ipynb): student::cross_entropy, loss and gradient,
// against the library's CrossEntropy (nn/cross_entropy.hpp) and finite differences.
#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;
using eigenformer::Tokens;

namespace {

/// A 1 x 1 matrix, so single numbers are checked (and reported) as matrices are.
Matrix<double> scalar(double x) { return Matrix<double>::Constant(1, 1, x); }

}  // namespace

int main() {
  const Matrix<double> logits = grader::random_matrix(6, 5, 1, 2.0);
  const Tokens all{0, 4, 2, 2, 1, 3}, some{0, -1, 2, -1, -1, 3};
  eigenformer::CrossEntropy<double> library;

  const double all_loss = library.forward(logits, all);
  grader::check_close("every target counted: the loss matches the library",
                      scalar(student::cross_entropy(logits, all).loss), scalar(all_loss), 1e-10,
                      "loss = mean over rows of log(sum_k exp(z_k)) - z_target");

  eigenformer::CrossEntropy<double>::Saved saved;
  const double some_loss = library.forward(logits, some, saved);
  const Matrix<double> some_gradient = library.backward(saved, 1.0);
  const student::LossAndGradient mine = student::cross_entropy(logits, some);
  grader::check_close("targets of -1 ignored: the loss matches the library", scalar(mine.loss), scalar(some_loss),
                      1e-10, "average over the rows whose target is not -1: divide by their count, not by N");
  grader::check_close("the gradient matches the library", mine.dlogits, some_gradient, 1e-10,
                      "dz_n = (softmax(z_n) - onehot(target_n)) / count on counted rows");
  grader::check_close("ignored rows have a zero gradient", mine.dlogits.row(1), Matrix<double>::Zero(1, 5), 0,
                      "a row whose target is -1 adds nothing to the loss, so nothing to the gradient");

  const Matrix<double> gradient = grader::finite_difference_gradient(
      [&](const Matrix<double>& z) { return scalar(student::cross_entropy(z, some).loss); }, logits, scalar(1.0));
  grader::check_close("the gradient matches finite differences of your loss", mine.dlogits, gradient, 1e-6,
                      "the gradient must be the derivative of the loss you wrote");

  Matrix<double> huge = grader::random_matrix(3, 4, 2);
  huge.array() += 1000;
  huge(2, 1) = -1000;
  const Tokens huge_targets{0, 3, 1};
  grader::check_close("huge logits (+-1000): the loss stays finite",
                      scalar(student::cross_entropy(huge, huge_targets).loss),
                      scalar(library.forward(huge, huge_targets)), 1e-9,
                      "log-sum-exp: log sum_k exp(z_k) = m + log sum_k exp(z_k - m), m = max_k z_k; and -log p_t is "
                      "logsumexp - z_t, never log of a probability that underflowed to 0");
  return grader::finish();
}
