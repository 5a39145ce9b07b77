// Grader of exercise 6 (06_top_p.ipynb): student::top_p_distribution against the library's
// Sampler (model/sampler.hpp) at temperature 1, and the cases where nucleus sampling is subtle.
#include <cmath>
#include <vector>

#include "grader.hpp"

using eigenformer::Index;
using eigenformer::Matrix;
using eigenformer::RowVector;

namespace {

/// The probabilities the library samples from, as a (1, V) matrix.
Matrix<double> library_distribution(const RowVector<double>& logits, double top_p) {
  const eigenformer::Sampler sampler({.temperature = 1.0, .top_p = top_p});
  const std::vector<double> p = sampler.distribution(logits);
  return Eigen::Map<const Matrix<double>>(p.data(), 1, Index(p.size()));
}

Matrix<double> as_matrix(const std::vector<double>& p) {
  return Eigen::Map<const Matrix<double>>(p.data(), 1, Index(p.size()));
}

RowVector<double> logits_of(std::initializer_list<double> probabilities) {  // log p: softmax gives p back
  RowVector<double> logits(Index(probabilities.size()));
  Index i = 0;
  for (const double p : probabilities) logits(i++) = std::log(p);
  return logits;
}

}  // namespace

int main() {
  eigenformer::Rng rng(5);
  RowVector<double> logits(10);
  eigenformer::fill_normal(logits, 2.0, rng);

  grader::check_close("top_p = 1 keeps every token: the softmax", as_matrix(student::top_p_distribution(logits, 1.0)),
                      library_distribution(logits, 1.0), 1e-12, "with top_p = 1 nothing is cut: softmax(logits)");
  const Matrix<double> mine = as_matrix(student::top_p_distribution(logits, 0.7));
  grader::check_close("top_p = 0.7 on 10 random logits: matches the library", mine, library_distribution(logits, 0.7),
                      1e-12,
                      "softmax, then sort by probability (most likely first), keep tokens until their sum reaches "
                      "top_p, zero the rest, divide the kept ones by their sum");
  grader::check_close("what is kept sums to 1", Matrix<double>::Constant(1, 1, mine.sum()), Matrix<double>::Ones(1, 1),
                      1e-12, "divide what you keep by its sum: it is a distribution again");

  grader::check_close("p = (0.5, 0.3, 0.2), top_p = 0.6: the token that crosses 0.6 is kept",
                      as_matrix(student::top_p_distribution(logits_of({0.5, 0.3, 0.2}), 0.6)),
                      (Matrix<double>(1, 3) << 0.625, 0.375, 0.0).finished(), 1e-12,
                      "keep the token whose probability takes the sum past top_p: the nucleus is the smallest set "
                      "whose sum reaches top_p (0.5 alone does not reach 0.6; 0.5 + 0.3 does)");
  grader::check_close("a tiny top_p keeps the most likely token alone",
                      as_matrix(student::top_p_distribution(logits_of({0.2, 0.5, 0.3}), 1e-6)),
                      (Matrix<double>(1, 3) << 0.0, 1.0, 0.0).finished(), 1e-12,
                      "the most likely token is always kept, however small top_p");
  grader::check_close("equal logits, top_p = 0.5: ties go to the lower ids",
                      as_matrix(student::top_p_distribution(RowVector<double>::Constant(4, 1.0), 0.5)),
                      (Matrix<double>(1, 4) << 0.5, 0.5, 0.0, 0.0).finished(), 1e-12,
                      "sort with ties in id order (std::stable_sort), as the library does, so the result is "
                      "reproducible");
  RowVector<double> huge = 1000 * logits;
  grader::check_close("huge logits (x1000): finite", as_matrix(student::top_p_distribution(huge, 0.9)),
                      library_distribution(huge, 0.9), 1e-12,
                      "a stable softmax: subtract the largest logit before exp (softmax_row does)");
  return grader::finish();
}
