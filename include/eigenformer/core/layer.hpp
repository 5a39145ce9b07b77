// The layer contract, stated as C++20 concepts.
//
// A layer is a forward/backward pair (as in the clearest C training code):
//   y  = layer.forward(x)         returns y, by value; keeps what backward needs of its own work
//   dx = layer.backward(x, dy)    x is the input of that forward, handed back in; returns dL/dx
//                                 and ADDS dL/dparameter into each parameter's grad
//   layer.parameters(visit)       calls visit(Parameter&) for each parameter, in a fixed order
// What backward depends on is visible at the call site: the caller keeps x and hands
// it back, and nothing points into the caller's memory, so `x = layer.forward(x)`, a
// temporary input or reusing y's storage cannot break a later backward behind your back.
// Each misuse is a named error (core/forward_record.hpp): backward handed another x or a
// changed one, backward twice for one forward, backward before any forward.
//
// A position-wise Layer (norm, MLP) sees rows independently. A SequenceLayer
// (attention, a transformer block) mixes positions, so it is told the batch
// shape: x is (batch * time, C) with the rows of one sequence contiguous.
// A layer of your own that returns by value fits; one that breaks the contract gets a
// compiler error naming the concept and the missing piece.
#pragma once

#include <concepts>
#include <vector>

#include "eigenformer/core/parameter.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

template <class Scalar>
using ParameterVisit = void (*)(Parameter<Scalar>&);

template <class L>
concept HasParameters = requires(L& layer, ParameterVisit<typename L::Scalar> visit) {
  layer.parameters(visit);
};

template <class L>
concept Layer = HasParameters<L> && requires(L& layer, const Matrix<typename L::Scalar>& x) {
  { layer.forward(x) } -> std::convertible_to<Matrix<typename L::Scalar>>;
  { layer.backward(x, x) } -> std::convertible_to<Matrix<typename L::Scalar>>;
};

template <class L>
concept SequenceLayer = HasParameters<L> &&
    requires(L& layer, const Matrix<typename L::Scalar>& x, Index batch, Index time) {
  { layer.forward(x, batch, time) } -> std::convertible_to<Matrix<typename L::Scalar>>;
  { layer.backward(x, x) } -> std::convertible_to<Matrix<typename L::Scalar>>;
};

/// Every parameter of a layer or model, in visiting order: the flat list that
/// optimizers, clipping and checkpoints loop over.
template <HasParameters L>
std::vector<Parameter<typename L::Scalar>*> parameter_list(L& layer) {
  std::vector<Parameter<typename L::Scalar>*> list;
  layer.parameters([&](Parameter<typename L::Scalar>& p) { list.push_back(&p); });
  return list;
}

/// How many numbers a layer or model learns.
template <HasParameters L>
Index count_parameters(L& layer) {
  Index count = 0;
  for (const auto* p : parameter_list(layer)) count += p->size();
  return count;
}

}  // namespace eigenformer
