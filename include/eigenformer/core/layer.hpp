// The layer contract, stated as C++20 concepts.
//
// A layer is a forward/backward pair (as in the clearest C training code):
//   requires: forward(x) before backward(dy); dy has the shape of forward's output.
//   ensures:  forward returns y and keeps what backward needs;
//             backward returns dL/dx and ADDS dL/dparameter into each parameter's grad;
//             parameters(visit) calls visit(Parameter&) for each parameter, in a fixed order.
// Outputs are returned as const references to buffers the layer owns and reuses
// from step to step: read them (or copy them) before the next forward/backward.
// Inputs may be kept by reference instead of copied (Linear and GELU do: copying
// every activation cost ~7% of a training step), so x must stay alive and unchanged
// until backward. In a model it is: x is the previous layer's output buffer. Such a
// layer deletes forward(Matrix&&), so passing a temporary does not compile.
//
// A position-wise Layer (norm, MLP) sees rows independently. A SequenceLayer
// (attention, a transformer block) mixes positions, so it is told the batch
// shape: x is (batch * time, C) with the rows of one sequence contiguous.
// If your own layer breaks the contract, the compiler names the missing piece.
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
  { layer.forward(x) } -> std::same_as<const Matrix<typename L::Scalar>&>;
  { layer.backward(x) } -> std::same_as<const Matrix<typename L::Scalar>&>;
};

template <class L>
concept SequenceLayer = HasParameters<L> &&
    requires(L& layer, const Matrix<typename L::Scalar>& x, Index batch, Index time) {
  { layer.forward(x, batch, time) } -> std::same_as<const Matrix<typename L::Scalar>&>;
  { layer.backward(x) } -> std::same_as<const Matrix<typename L::Scalar>&>;
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
  layer.parameters([&](Parameter<typename L::Scalar>& p) { count += p.size(); });
  return count;
}

}  // namespace eigenformer
