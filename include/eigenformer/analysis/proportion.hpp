// A measured share (accuracy, exact match) with its 95% confidence interval.
//
// 0.93 right on 500 prompts could be 0.90 or 0.95 with another draw; the interval
// says how much luck is in a figure, so two figures can be compared honestly.
// The Wilson score interval (Wilson, 1927) stays inside [0, 1] and behaves at 0/n
// and n/n, where the textbook p +- 1.96 sqrt(p(1-p)/n) collapses to a point:
//   center = (p + z^2/2n) / (1 + z^2/n),
//   half   = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2),   z = 1.96 for 95%.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

struct Proportion {
  Index successes = 0, trials = 0;

  void add(bool success) {
    successes += success ? 1 : 0;
    ++trials;
  }
  double value() const {
    EF_CHECK(successes >= 0 && successes <= trials,
             "a proportion of " << successes << " successes in " << trials << " trials");
    return trials > 0 ? double(successes) / double(trials) : std::nan("");
  }

  /// The 95% Wilson interval [low, high]; NaN for no trials.
  std::pair<double, double> interval_95() const {
    if (trials == 0) return {std::nan(""), std::nan("")};
    const double z = 1.96, n = double(trials), p = value();
    const double center = (p + z * z / (2 * n)) / (1 + z * z / n);
    const double half = z / (1 + z * z / n) * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
    return {std::max(0.0, center - half), std::min(1.0, center + half)};  // rounding aside, inside [0, 1]
  }

  /// "0.930 [0.905, 0.949]"
  std::string text() const {
    const auto [low, high] = interval_95();
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3f [%.3f, %.3f]", value(), low, high);
    return buffer;
  }
};

}  // namespace eigenformer
