// A progress line for long work: step, loss, validation loss (when measured), learning
// rate, gradient norm, tokens/s, ETA.
//
// In a terminal it redraws one line in place (at most ten times a second); when the
// output goes to a file or a notebook, it prints plain lines about twenty times per run,
// so a log stays readable.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "eigenformer/core/os.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

struct ProgressStats {
  Index step = 0;  // steps done so far
  double loss = 0, learning_rate = 0, grad_norm = 0;
  double tokens_per_second = 0;
  double eval_loss = std::numeric_limits<double>::quiet_NaN();  // the last validation loss; NaN: none yet
};

class ProgressLine {
 public:
  explicit ProgressLine(Index total_steps, Index first_step = 0)
      : total_steps_(total_steps),
        first_step_(first_step),
        interactive_(os::is_terminal(stdout)),
        start_(Clock::now()),
        last_draw_(start_ - std::chrono::seconds(1)) {}

  void update(const ProgressStats& stats) {
    if (!std::isnan(stats.eval_loss)) last_eval_loss_ = stats.eval_loss;
    const auto now = Clock::now();
    const bool last = stats.step >= total_steps_;
    const Index every = std::max<Index>(1, total_steps_ / 20);
    if (interactive_ ? (now - last_draw_ < std::chrono::milliseconds(100) && !last)
                     : (stats.step % every != 0 && !last && stats.step != first_step_ + 1))
      return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double done = double(stats.step - first_step_);
    const double eta = done > 0 ? elapsed / done * double(total_steps_ - stats.step) : 0.0;
    char validation[32] = "";
    if (!std::isnan(last_eval_loss_)) std::snprintf(validation, sizeof(validation), " | val %.4f", last_eval_loss_);
    std::printf("%sstep %*lld/%lld | loss %.4f%s | lr %.2e | grad norm %.3f | %s tok/s | ETA %s%s",
                interactive_ ? "\r\033[K" : "", width(), static_cast<long long>(stats.step),
                static_cast<long long>(total_steps_), stats.loss, validation, stats.learning_rate, stats.grad_norm,
                human(stats.tokens_per_second).c_str(), clock_time(eta).c_str(), interactive_ ? "" : "\n");
    if (interactive_ && last) std::printf("\n");
    std::fflush(stdout);
  }

 private:
  using Clock = std::chrono::steady_clock;

  int width() const { return int(std::to_string(total_steps_).size()); }

  static std::string human(double value) {
    char text[32];
    if (value >= 1e6)
      std::snprintf(text, sizeof(text), "%.2fM", value / 1e6);
    else if (value >= 1e3)
      std::snprintf(text, sizeof(text), "%.1fK", value / 1e3);
    else
      std::snprintf(text, sizeof(text), "%.0f", value);
    return text;
  }

  static std::string clock_time(double seconds) {
    const long long total = std::llround(seconds);
    char text[32];
    std::snprintf(text, sizeof(text), "%lld:%02lld", total / 60, total % 60);
    return text;
  }

  Index total_steps_, first_step_;
  bool interactive_;
  double last_eval_loss_ = std::numeric_limits<double>::quiet_NaN();
  Clock::time_point start_, last_draw_;
};

}  // namespace eigenformer
