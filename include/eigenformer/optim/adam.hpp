// Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), as in PyTorch.
//
// For each parameter w with gradient g, at step t = 1, 2, ... (lr \(\eta\), weight_decay \(\lambda\)):
//   Adam:  g <- g + weight_decay * w               (L2 penalty folded into the gradient)
//   AdamW: w <- w * (1 - lr * weight_decay)        (decay decoupled from the gradient)
// \[ m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2
//     \qquad \text{(running means of } g \text{ and } g^2) \]
// \[ w \leftarrow w - \frac{\eta}{1 - \beta_1^t} \cdot \frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon} \]
// The bias corrections 1 - beta^t undo m and v starting at 0. t counts step()
// calls, once per step for the whole model, never once per tensor.
#pragma once

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/threads.hpp"
#include "eigenformer/fast/even_split.hpp"
#include "eigenformer/optim/parameter_groups.hpp"
#include "eigenformer/optim/schedule.hpp"

namespace eigenformer {

/// Aggregates, so `AdamW<float> optimizer(parameters, {.lr = 3e-3})` reads as it does in PyTorch.
struct AdamOptions {
  double lr = 1e-3;
  std::array<double, 2> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
};

/// The same knobs; only the default decay differs (PyTorch's AdamW default, 0.01).
struct AdamWOptions {
  double lr = 1e-3;
  std::array<double, 2> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.01;

  AdamOptions as_adam() const { return {lr, betas, eps, weight_decay}; }
};

/// A named error for options no Adam can run with (`who` names the optimizer).
inline void check_adam_options(const AdamOptions& options, const char* who) {
  check_learning_rate(options.lr, who);
  EF_CHECK(std::isfinite(options.eps) && options.eps > 0, who << ": eps must be finite and > 0, got " << options.eps);
  EF_CHECK(std::isfinite(options.weight_decay) && options.weight_decay >= 0,
           who << ": weight_decay must be finite and >= 0, got " << options.weight_decay);
  EF_CHECK(options.betas[0] >= 0 && options.betas[0] < 1 && options.betas[1] >= 0 && options.betas[1] < 1,
           who << ": betas (" << options.betas[0] << ", " << options.betas[1] << ") must be in [0, 1)");
}

/// One step's update of `count` consecutive numbers by the header's formulas, at step t
/// (1-based), for a group with `weight_decay`. Adam uses it per parameter; ZeRO-1
/// (dist/zero1.hpp) on its rank's slice of all the parameters laid end to end.
template <class S>
class AdamUpdate {
 public:
  AdamUpdate(const AdamOptions& options, bool decoupled, double weight_decay, Index t)
      : step_size_(S(options.lr / (1 - std::pow(options.betas[0], double(t))))),
        beta1_(S(options.betas[0])),
        beta2_(S(options.betas[1])),
        correction2_sqrt_(S(std::sqrt(1 - std::pow(options.betas[1], double(t))))),
        eps_(S(options.eps)),
        shrink_(decoupled ? S(1 - options.lr * weight_decay) : S(1)),  // AdamW's decay
        l2_(decoupled ? S(0) : S(weight_decay)) {}                     // Adam's penalty

  /// As Eigen array expressions: vectorized (a plain loop calling std::sqrt is not, for errno's sake).
  void apply(S* weights, const S* gradients, S* exp_avg, S* exp_avg_sq, Index count) const {
    Eigen::Map<Eigen::ArrayX<S>> w(weights, count), m(exp_avg, count), v(exp_avg_sq, count);
    const auto g = Eigen::Map<const Eigen::ArrayX<S>>(gradients, count) + l2_ * w;
    m = beta1_ * m + (S(1) - beta1_) * g;
    v = beta2_ * v + (S(1) - beta2_) * g.square();
    w = w * shrink_ - step_size_ * m / (v.sqrt() / correction2_sqrt_ + eps_);
  }

 private:
  S step_size_, beta1_, beta2_, correction2_sqrt_, eps_, shrink_, l2_;
};

template <class S>
class Adam {
 public:
  /// Default groups: weight decay on matrices only.
  Adam(const std::vector<Parameter<S>*>& parameters, AdamOptions options, bool decoupled_weight_decay = false)
      : Adam(default_parameter_groups(parameters, options.weight_decay), options, decoupled_weight_decay) {}

  Adam(std::vector<ParameterGroup<S>> groups, AdamOptions options, bool decoupled_weight_decay = false)
      : groups_(std::move(groups)), options_(options), decoupled_(decoupled_weight_decay) {
    check_adam_options(options, "Adam");
    for_each_parameter(groups_, [&](Parameter<S>& p, double) {
      exp_avg_.push_back(Matrix<S>::Zero(p.value.rows(), p.value.cols()));
      exp_avg_sq_.push_back(Matrix<S>::Zero(p.value.rows(), p.value.cols()));
    });
  }

  void step() {
    ++step_count_;
    std::size_t i = 0;
    for_each_parameter(groups_, [&](Parameter<S>& p, double weight_decay) {
      const AdamUpdate<S> update(options_, decoupled_, weight_decay, step_count_);
      Matrix<S>& m_all = exp_avg_[i];
      Matrix<S>& v_all = exp_avg_sq_[i++];
      // Flat slabs, one per thread, each updated by the header's formulas.
      const Index size = p.value.size();
      const int parts = worth_parallel(size) ? num_threads() : 1;
      EF_PARALLEL_FOR_IF(parts > 1)
      for (int part = 0; part < parts; ++part) {
        const fast::Piece piece = fast::even_piece(size, parts, part);
        update.apply(p.value.data() + piece.begin, p.grad.data() + piece.begin, m_all.data() + piece.begin,
                     v_all.data() + piece.begin, piece.count);
      }
    });
  }

  void zero_grad() {
    for_each_parameter(groups_, [](Parameter<S>& p, double) { p.zero_grad(); });
  }

  double learning_rate() const { return options_.lr; }
  void set_learning_rate(double lr) {
    check_learning_rate(lr, "Adam");
    options_.lr = lr;
  }
  Index step_count() const { return step_count_; }
  void set_step_count(Index steps) { step_count_ = steps; }

  /// The state a checkpoint must keep to resume exactly: m and v per parameter.
  template <class Visit>
  void state(Visit&& visit) {
    std::size_t i = 0;
    for_each_parameter(groups_, [&](Parameter<S>& p, double) {
      visit("exp_avg." + p.name, exp_avg_[i]);
      visit("exp_avg_sq." + p.name, exp_avg_sq_[i++]);
    });
  }

 private:
  std::vector<ParameterGroup<S>> groups_;
  AdamOptions options_;
  bool decoupled_;
  std::vector<Matrix<S>> exp_avg_, exp_avg_sq_;
  Index step_count_ = 0;
};

/// Adam with decoupled weight decay (the GPT default).
template <class S>
class AdamW : public Adam<S> {
 public:
  AdamW(const std::vector<Parameter<S>*>& parameters, AdamWOptions options = {})
      : Adam<S>(parameters, options.as_adam(), true) {}
  AdamW(std::vector<ParameterGroup<S>> groups, AdamWOptions options = {})
      : Adam<S>(std::move(groups), options.as_adam(), true) {}
};

}  // namespace eigenformer
