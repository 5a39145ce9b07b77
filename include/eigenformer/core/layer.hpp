// The layer contract, stated as C++20 concepts.
//
// A layer holds weights; what one forward leaves for its backward is a value the caller
// holds, the layer's Saved (llm.c's activations, llama2.c's RunState):
//   y  = layer.forward(x, saved)      training: fills `saved`; the layer is const
//   dx = layer.backward(saved, dy)    returns dL/dx from saved alone and ADDS dL/dparameter
//                                     into each parameter's grad
//   y  = layer.forward(x)             inference: keeps nothing
//   layer.parameters(visit)           calls visit(Parameter&) for each parameter, in a fixed order
// Every backward has this one shape (saved, d_output), losses included (their d_output
// is the scalar dL/dloss, 1). Saved holds its own copy of what backward reads, so
// `x = layer.forward(x, saved)` or changing x later cannot break backward; its
// BackwardTicket (core/backward_ticket.hpp) makes backward before forward, twice, or with
// another layer's state a named error. Forward is const: several saved states (threads,
// conversations) can share one model.
//
// A position-wise Layer (norm, MLP) sees rows independently. A SequenceLayer
// (attention, a transformer block) mixes positions, so it is told the batch
// shape: x is (batch * time, C) with the rows of one sequence contiguous.
// A layer of your own fits by having these members; one that breaks the contract gets
// a compiler error naming the concept and the missing piece.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "eigenformer/core/backward_ticket.hpp"
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
concept Layer = HasParameters<L> && std::default_initializable<typename L::Saved> &&
    requires(const L& layer, L& trained, const Matrix<typename L::Scalar>& x, typename L::Saved& saved) {
  { layer.forward(x, saved) } -> std::convertible_to<Matrix<typename L::Scalar>>;
  { layer.forward(x) } -> std::convertible_to<Matrix<typename L::Scalar>>;
  { trained.backward(saved, x) } -> std::convertible_to<Matrix<typename L::Scalar>>;
};

template <class L>
concept SequenceLayer = HasParameters<L> && std::default_initializable<typename L::Saved> &&
    requires(const L& layer, L& trained, const Matrix<typename L::Scalar>& x, Index batch, Index time,
             typename L::Saved& saved) {
  { layer.forward(x, batch, time, saved) } -> std::convertible_to<Matrix<typename L::Scalar>>;
  { trained.backward(saved, x) } -> std::convertible_to<Matrix<typename L::Scalar>>;
};

/// Bytes of the numbers a saved state keeps: a matrix's or token list's own, a part's
/// bytes(), a list's sum. Each Saved struct's bytes() is bytes_of(its fields), so the
/// activation memory of a step is counted, not guessed (model/activation_memory.hpp).
template <class Part>
std::size_t bytes_of(const Part& part) {
  if constexpr (requires { part.bytes(); })
    return part.bytes();
  else if constexpr (requires {
                       part.data();
                       part.size();
                       typename Part::Scalar;
                     })  // a matrix or vector
    return std::size_t(part.size()) * sizeof(typename Part::Scalar);
  else if constexpr (std::is_same_v<Part, Tokens>)
    return part.size() * sizeof(int);
  else {  // a list of parts
    std::size_t total = 0;
    for (const auto& element : part) total += bytes_of(element);
    return total;
  }
}

template <class First, class... Rest>
requires(sizeof...(Rest) > 0) std::size_t bytes_of(const First& first, const Rest&... rest) {
  return bytes_of(first) + bytes_of(rest...);
}

/// The Saved of a layer whose backward reads only its input (Linear: dW = dy^T x; GELU).
template <class S>
struct SavedInput {
  Matrix<S> input;
  BackwardTicket ticket;
  std::size_t bytes() const { return bytes_of(input); }
};

/// Such a layer's training forward: y = layer.forward(x), keeping x. x is taken by value:
/// a temporary (another layer's output) moves in without a copy; a matrix the caller
/// keeps is copied.
template <class L, class S>
Matrix<S> forward_keeping_input(const L& layer, Matrix<S> x, SavedInput<S>& saved) {
  saved.ticket.clear();
  Matrix<S> y = layer.forward(x);
  saved.input = std::move(x);
  saved.ticket.issue(&layer);
  return y;
}

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
