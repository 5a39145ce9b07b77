// Parameter groups: which parameters get weight decay.
//
// Decay pulls weights toward 0; it regularizes weight matrices and embeddings.
// Biases and norm gains are vectors whose scale matters (a LayerNorm gain of 0
// switches its channel off), so by default they get none: the usual GPT recipe
// (nanoGPT: decay parameters with 2 or more dimensions).
#pragma once

#include <vector>

#include "eigenformer/core/parameter.hpp"

namespace eigenformer {

template <class S>
struct ParameterGroup {
  std::vector<Parameter<S>*> parameters;
  double weight_decay = 0.0;
};

/// Two groups: matrices with `weight_decay`, vectors (biases, gains) with none.
template <class S>
std::vector<ParameterGroup<S>> default_parameter_groups(const std::vector<Parameter<S>*>& parameters,
                                                        double weight_decay) {
  ParameterGroup<S> matrices{{}, weight_decay}, vectors{{}, 0.0};
  for (auto* p : parameters) (p->is_matrix() ? matrices : vectors).parameters.push_back(p);
  return {matrices, vectors};
}

/// Every parameter of the groups, in order, each with its group's decay.
template <class S, class Visit>
void for_each_parameter(std::vector<ParameterGroup<S>>& groups, Visit&& visit) {
  for (auto& group : groups)
    for (auto* p : group.parameters) visit(*p, group.weight_decay);
}

}  // namespace eigenformer
