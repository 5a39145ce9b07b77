// Stochastic gradient descent with momentum (Polyak, 1964; Nesterov, 1983), as in PyTorch.
//
//   g <- g + weight_decay * w
//   b <- momentum * b + (1 - dampening) * g        (b = g at the first step)
//   g <- g + momentum * b  (Nesterov)   or   g <- b
//   w <- w - lr * g
// With momentum 0 this is plain w <- w - lr * g.
#pragma once

#include <string>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/optim/parameter_groups.hpp"
#include "eigenformer/optim/schedule.hpp"

namespace eigenformer {

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

template <class S>
class SGD {
 public:
  SGD(const std::vector<Parameter<S>*>& parameters, SGDOptions options)
      : SGD(default_parameter_groups(parameters, options.weight_decay), options) {}

  SGD(std::vector<ParameterGroup<S>> groups, SGDOptions options) : groups_(std::move(groups)), options_(options) {
    check_learning_rate(options.lr, "SGD");
    EF_CHECK(std::isfinite(options.momentum) && options.momentum >= 0,
             "SGD: momentum must be finite and >= 0, got " << options.momentum);
    EF_CHECK(!options.nesterov || (options.momentum > 0 && options.dampening == 0),
             "SGD: Nesterov needs momentum > 0 and dampening 0");
    for_each_parameter(groups_, [&](Parameter<S>& p, double) {
      momentum_.push_back(Matrix<S>::Zero(p.value.rows(), p.value.cols()));
    });
  }

  void step() {
    std::size_t i = 0;
    for_each_parameter(groups_, [&](Parameter<S>& p, double weight_decay) {
      Matrix<S> g = p.grad;
      if (weight_decay != 0) g += S(weight_decay) * p.value;
      if (options_.momentum != 0) {
        Matrix<S>& buffer = momentum_[i];
        if (step_count_ == 0)
          buffer = g;
        else
          buffer = S(options_.momentum) * buffer + S(1 - options_.dampening) * g;
        if (options_.nesterov)
          g += S(options_.momentum) * buffer;
        else
          g = buffer;
      }
      p.value -= S(options_.lr) * g;
      ++i;
    });
    ++step_count_;
  }

  void zero_grad() {
    for_each_parameter(groups_, [](Parameter<S>& p, double) { p.zero_grad(); });
  }

  double learning_rate() const { return options_.lr; }
  void set_learning_rate(double lr) {
    check_learning_rate(lr, "SGD");
    options_.lr = lr;
  }
  Index step_count() const { return step_count_; }
  void set_step_count(Index steps) { step_count_ = steps; }

  template <class Visit>
  void state(Visit&& visit) {
    std::size_t i = 0;
    for_each_parameter(groups_, [&](Parameter<S>& p, double) { visit("momentum_buffer." + p.name, momentum_[i++]); });
  }

 private:
  std::vector<ParameterGroup<S>> groups_;
  SGDOptions options_;
  std::vector<Matrix<S>> momentum_;
  Index step_count_ = 0;
};

}  // namespace eigenformer
