// A learnable tensor: its full dotted name, its value and its gradient.
//
// Every weight of every layer is a Parameter; a model visits them all in a fixed
// order with their names ("blocks.0.attn.qkv.weight"), so the optimizer, gradient
// clipping, checkpoints and parameter counting are each one short loop. Vectors
// (biases, norm gains) are stored as (1, C) matrices so there is one type to loop
// over; they remember that they are vectors, because weight decay skips them.
#pragma once

#include <string>
#include <utility>

#include "eigenformer/core/types.hpp"

namespace eigenformer {

template <class Scalar>
struct Parameter {
  std::string name;
  Matrix<Scalar> value;
  Matrix<Scalar> grad;  // same shape as value; backward passes accumulate into it

  /// A (rows, cols) weight matrix.
  Parameter(std::string full_name, Index rows, Index cols)
      : name(std::move(full_name)), value(Matrix<Scalar>::Zero(rows, cols)), grad(Matrix<Scalar>::Zero(rows, cols)) {}

  /// A vector of `size` entries (a bias, a norm's gain), stored as a (1, size) row.
  Parameter(std::string full_name, Index size) : Parameter(std::move(full_name), 1, size) { is_vector_ = true; }

  Index size() const { return value.size(); }
  /// Weight matrices and embeddings are decayed; vectors (biases, gains) are not.
  bool is_matrix() const { return !is_vector_; }
  void zero_grad() { grad.setZero(); }

 private:
  bool is_vector_ = false;
};

/// Joins a dotted name: child_name("blocks.0", "attn") == "blocks.0.attn".
inline std::string child_name(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

}  // namespace eigenformer
