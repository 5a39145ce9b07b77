// Learning-rate schedules: the learning rate for step s = 0, 1, 2, ...
//
// Warmup then cosine decay (the GPT recipe; Loshchilov & Hutter, 2017, SGDR):
// \[ \eta(s) = \begin{cases} \eta_{max}\, (s + 1) / w & s < w \text{ (warmup)}
//     \\ \eta_{min} + (\eta_{max} - \eta_{min})\, \frac{1 + \cos(\pi r)}{2}, \ r = \frac{s - w}{S - w} & w \le s < S
//     \\ \eta_{min} & s \ge S \end{cases} \]
// with w the warmup steps and S the total.
// Warmup lets Adam's second-moment estimates settle before large steps.
#pragma once

#include <cmath>
#include <numbers>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {
/// A learning rate must be a finite number >= 0: NaN or infinity would turn every weight into NaN.
inline void check_learning_rate(double lr, const char* optimizer) {
  EF_CHECK(std::isfinite(lr) && lr >= 0, optimizer << ": the learning rate must be finite and >= 0, got " << lr);
}

struct ConstantSchedule {
  double lr;
  double operator()(Index /*step*/) const { return lr; }
};

struct WarmupCosineSchedule {
  double max_lr;
  Index warmup_steps;
  Index total_steps;
  double min_lr = 0.0;

  double operator()(Index step) const {
    EF_CHECK(warmup_steps >= 0 && total_steps > warmup_steps,
             "schedule: need 0 <= warmup_steps (" << warmup_steps << ") < total_steps (" << total_steps << ")");
    if (step < warmup_steps) return max_lr * double(step + 1) / double(warmup_steps);
    if (step >= total_steps) return min_lr;
    const double ratio = double(step - warmup_steps) / double(total_steps - warmup_steps);
    return min_lr + (max_lr - min_lr) * 0.5 * (1.0 + std::cos(std::numbers::pi * ratio));
  }
};

}  // namespace eigenformer
