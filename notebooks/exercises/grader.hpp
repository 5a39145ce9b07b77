// What a grader prints about a student's code: each check PASS or FAIL, and a FAIL names
// the first wrong element, the value expected there and a hint. The program's exit status
// is 0 only when every check passed (exercise.py and scripts/exercises.sh read it).
//
// A grader (graders/NAME.cpp) runs the student's functions, declared in namespace
// `student`, against the library's own code, finite differences and edge cases.
#pragma once

#include <cmath>
#include <cstdio>
#include <eigenformer/eigenformer.hpp>
#include <functional>
#include <limits>
#include <string>

namespace grader {

using eigenformer::Index;
using eigenformer::Matrix;

inline int checks_run = 0, checks_failed = 0;

/// Records one check's outcome; `detail` says what was wrong, `hint` what to look at.
inline bool report(const std::string& what, bool passed, const std::string& detail = "", const std::string& hint = "") {
  ++checks_run;
  if (passed) {
    std::printf("PASS  %s\n", what.c_str());
  } else {
    ++checks_failed;
    std::printf("FAIL  %s\n      %s\n      hint: %s\n", what.c_str(), detail.c_str(), hint.c_str());
  }
  std::fflush(stdout);
  return passed;
}

inline std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", x);
  return text;
}

/// |actual - expected| <= tolerance * (1 + |expected|) everywhere, same shape; NaN never passes.
template <class A, class B>
bool check_close(const std::string& what, const A& actual, const B& expected, double tolerance,
                 const std::string& hint) {
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols())
    return report(what, false,
                  "your result has shape (" + std::to_string(actual.rows()) + ", " + std::to_string(actual.cols()) +
                      "), expected (" + std::to_string(expected.rows()) + ", " + std::to_string(expected.cols()) + ")",
                  hint);
  for (Index i = 0; i < expected.rows(); ++i)
    for (Index j = 0; j < expected.cols(); ++j) {
      const double a = double(actual(i, j)), e = double(expected(i, j));
      if (!(std::abs(a - e) <= tolerance * (1 + std::abs(e))))
        return report(what, false,
                      "element (" + std::to_string(i) + ", " + std::to_string(j) + ") is " + number(a) + ", expected " +
                          number(e),
                      hint);
    }
  return report(what, true);
}

/// A (rows, cols) matrix of N(0, spread^2) entries, the same for the same seed.
inline Matrix<double> random_matrix(Index rows, Index cols, std::uint64_t seed, double spread = 1.0) {
  eigenformer::Rng rng(seed);
  Matrix<double> x(rows, cols);
  eigenformer::fill_normal(x, spread, rng);
  return x;
}

/// Causal attention of one head over one sequence, the library's reference
/// (nn/causal_attention.hpp): softmax(q k^T / sqrt(D), -infinity where j > i) v; q, k, v
/// and the result (T, D).
inline Matrix<double> reference_causal_attention(const Matrix<double>& q, const Matrix<double>& k,
                                                 const Matrix<double>& v) {
  return eigenformer::causal_attention(q, k, v).output;
}

/// dL/dx by central differences of L(x) = sum(dy * f(x)), element by element (in double).
inline Matrix<double> finite_difference_gradient(const std::function<Matrix<double>(const Matrix<double>&)>& f,
                                                 const Matrix<double>& x, const Matrix<double>& dy,
                                                 double step = 1e-6) {
  Matrix<double> gradient(x.rows(), x.cols()), shifted = x;
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < x.cols(); ++j) {
      shifted(i, j) = x(i, j) + step;
      const double up = f(shifted).cwiseProduct(dy).sum();
      shifted(i, j) = x(i, j) - step;
      const double down = f(shifted).cwiseProduct(dy).sum();
      shifted(i, j) = x(i, j);
      gradient(i, j) = (up - down) / (2 * step);
    }
  return gradient;
}

/// The summary line, and the exit status: 0 when every check passed.
inline int finish() {
  std::printf("\n%d of %d checks passed%s\n", checks_run - checks_failed, checks_run,
              checks_failed == 0 ? ": well done." : ".");
  return checks_failed == 0 ? 0 : 1;
}

}  // namespace grader
