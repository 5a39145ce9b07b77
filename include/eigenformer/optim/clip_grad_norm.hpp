// Gradient clipping by global norm (Pascanu et al., 2013), as torch.nn.utils.clip_grad_norm_.
//
//   norm = sqrt(sum over all parameters of sum(g^2))
//   if norm > max_norm:  g <- g * max_norm / (norm + 1e-6)
// One bad batch then cannot throw the weights far. Returns the norm before clipping,
// worth logging: spikes in it announce instability.
#pragma once

#include <cmath>
#include <vector>

#include "eigenformer/core/parameter.hpp"

namespace eigenformer {

template <class S>
double clip_grad_norm(const std::vector<Parameter<S>*>& parameters, double max_norm) {
  double sum_of_squares = 0.0;
  for (const auto* p : parameters) sum_of_squares += double(p->grad.squaredNorm());
  const double norm = std::sqrt(sum_of_squares);
  const double coefficient = max_norm / (norm + 1e-6);
  if (coefficient < 1.0)
    for (auto* p : parameters) p->grad *= S(coefficient);
  return norm;
}

}  // namespace eigenformer
