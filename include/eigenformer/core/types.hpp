// The numeric types every component speaks.
//
// Activations are row-major matrices of shape (N, C): one row per position,
// N = B*T rows for a batch of B sequences of T tokens, C channels per row.
// Row-major keeps a position's channels contiguous, which is what the
// per-position layers (norms, MLP) walk over, and lets attention take a
// (T, head_dim) slice of one head as a strided block without copying.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace eigenformer {

using Index = Eigen::Index;

/// Row-major dynamic matrix: activations (N, C), weights (out, in).
template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Dynamic column vector: per-row statistics, per-position results.
template <class Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

/// Dynamic row vector: one position's channels, a bias.
template <class Scalar>
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

/// Token ids of a batch, row-major (B, T) flattened to B*T entries.
using Tokens = std::vector<int>;

}  // namespace eigenformer
