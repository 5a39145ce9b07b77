// In-context linear regression (Garg et al., 2022, arXiv:2208.01066).
//
// Each prompt draws a fresh weight vector w ~ N(0, I_d) and inputs x_i ~ N(0, I_d),
// with y_i = w . x_i (no noise), and interleaves them as 2k positions:
//   x_1, y_1, x_2, y_2, ..., x_k, y_k
// as vectors of d+1 numbers: x_i as [x_i, 0] and y_i as [0, ..., 0, y_i], so the
// read-in can tell an x from a y by where its numbers are.
// At each x_i the model predicts y_i from the i-1 pairs before it: it must infer w
// from the context alone, since w is new in every prompt. Its error is compared with
// least squares on the same pairs, the optimal estimator here, and with predicting 0.
// Errors are reported normalized by d, the variance of y: the zero predictor scores 1.
// Curriculum (Garg et al., section 4): with active_dimensions = k < d, only the first k
// coordinates of each x are non-zero, an easier problem of the same shape. Training
// from k = 1 up to d gets a small model off the plateau of answering 0 sooner.
#pragma once

#include <Eigen/QR>
#include <algorithm>
#include <vector>

#include "eigenformer/core/init.hpp"
#include "eigenformer/core/rng.hpp"

namespace eigenformer {

struct RegressionBatch {
  Matrix<float> inputs;            // (B * 2k, d + 1)
  Matrix<float> targets;           // (B * 2k, 1): y_i at x_i positions, 0 elsewhere
  std::vector<bool> selected;      // (B * 2k,): true at the x positions
  std::vector<Matrix<double>> xs;  // per prompt (k, d)
  std::vector<Vector<double>> ys;  // per prompt (k,)
  Index batch = 0, time = 0;
};

struct LinearRegressionTask {
  Index dimensions = 4;         // d
  Index examples = 16;          // k, pairs per prompt
  Index active_dimensions = 0;  // 0: all d; else only the first ones vary (the curriculum)

  Index time() const { return 2 * examples; }
  Index input_size() const { return dimensions + 1; }

  /// shuffle_context: the y's are permuted among the pairs before the last x, so the
  /// context no longer tells w (the control: the model should then do no better than 0).
  RegressionBatch batch(Index batch_size, Rng& rng, bool shuffle_context = false) const {
    const Index d = dimensions, k = examples, T = time();
    RegressionBatch out{Matrix<float>::Zero(batch_size * T, d + 1),
                        Matrix<float>::Zero(batch_size * T, 1),
                        std::vector<bool>(std::size_t(batch_size * T), false),
                        {},
                        {},
                        batch_size,
                        T};
    for (Index b = 0; b < batch_size; ++b) {
      Vector<double> w(d);
      Matrix<double> x(k, d);
      fill_normal(w, 1.0, rng);
      fill_normal(x, 1.0, rng);
      if (active_dimensions > 0) x.rightCols(d - std::min(d, active_dimensions)).setZero();
      Vector<double> y = x * w;
      if (shuffle_context)
        for (Index i = k - 2; i > 0; --i) std::swap(y(i), y(rng.uniform_int(i + 1)));  // permute y_0..y_{k-2}
      for (Index i = 0; i < k; ++i) {
        const Index row = b * T + 2 * i;
        out.inputs.row(row).head(d) = x.row(i).cast<float>();
        out.inputs(row + 1, d) = float(y(i));
        out.targets(row, 0) = float(y(i));
        out.selected[std::size_t(row)] = true;
      }
      out.xs.push_back(x);
      out.ys.push_back(y);
    }
    return out;
  }

  /// Least squares from the first `context` pairs (minimum-norm when underdetermined),
  /// evaluated at x_{context+1}: the best any estimator can do on noise-free data.
  static double least_squares_prediction(const Matrix<double>& x, const Vector<double>& y, Index context) {
    if (context == 0) return 0.0;
    const Matrix<double> seen = x.topRows(context);
    const Vector<double> w = seen.completeOrthogonalDecomposition().solve(y.head(context));
    return x.row(context).dot(w);
  }
};

}  // namespace eigenformer
