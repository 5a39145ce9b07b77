// What a layer remembers of its last forward, so that every misuse of backward is an error.
//
// backward(x, dy) is handed the input x of its forward (as llm.c's
// matmul_backward(..., inp, ...) is): the caller keeps x, and the call shows it.
// Three mistakes would still give a wrong gradient without a word, so backward checks:
//   - x is not the x forward saw: reassigned (`x = layer.forward(x)` overwrites it),
//     changed, or another matrix. Forward keeps a fingerprint of x's bits and backward
//     compares: any single changed number is always caught (each lane below is a
//     polynomial in odd K, so one changed term changes it), several at once all but
//     2^-32 of the time. It costs ~1/40 of the layer's own matrix product (bench/);
//   - backward twice for one forward: the parameters' gradients would be added twice;
//   - backward before any forward, or after a forward that keeps nothing for it
//     (generation with a KV cache).
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

/// A hash of every bit of x, position by position: equal fingerprints mean the same
/// numbers in the same places (but for a 2^-32 chance). 64 independent lanes keep the
/// multiplies from waiting on each other, so the loop runs at memory speed.
template <class S>
std::uint64_t fingerprint(const Matrix<S>& x) {
  using Bits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
  constexpr Index kLanes = 64;
  constexpr Bits kOdd = Bits(0x9E3779B97F4A7C15ULL);
  Bits lanes[kLanes] = {};
  const S* numbers = x.data();
  const Index size = x.size(), whole = size - size % kLanes;
  for (Index i = 0; i < whole; i += kLanes)
    for (Index lane = 0; lane < kLanes; ++lane)
      lanes[lane] = lanes[lane] * kOdd + std::bit_cast<Bits>(numbers[i + lane]);
  for (Index i = whole; i < size; ++i) lanes[i - whole] = lanes[i - whole] * kOdd + std::bit_cast<Bits>(numbers[i]);
  std::uint64_t hash = std::uint64_t(x.rows()) * 1000003u + std::uint64_t(x.cols());
  for (const Bits lane : lanes) hash = hash * 0x100000001B3ULL + std::uint64_t(lane);
  return hash;
}

template <class S>
class ForwardRecord {
 public:
  /// At the end of a forward whose input was x: one backward may follow.
  void record(const Matrix<S>& x) {
    state_ = State::kReady;
    rows_ = x.rows(), cols_ = x.cols();
    fingerprint_ = fingerprint(x);
  }

  /// At the end of a forward whose input is not a matrix (token ids, positions):
  /// one backward may follow, checked with check_once.
  void record_without_input() { state_ = State::kReady; }

  /// At the end of a forward that keeps nothing for backward (generation).
  void record_no_backward() { state_ = State::kNoBackward; }

  /// At the start of backward(x, dy): throws, naming `layer`, unless x is forward's input unchanged
  /// and no backward ran since that forward. Then marks that backward as done.
  void check(const Matrix<S>& x, std::string_view layer) {
    require_ready(layer);
    EF_CHECK(x.rows() == rows_ && x.cols() == cols_, layer << ": backward was handed an input of shape " << x.rows()
                                                           << "x" << x.cols() << ", its forward's was " << rows_ << "x"
                                                           << cols_ << " (hand backward the x its forward saw)");
    EF_CHECK(
        fingerprint(x) == fingerprint_,
        layer << ": backward was handed an input that differs from the one its forward saw (was x reassigned, "
                 "as in `x = layer.forward(x)`, or changed since?); keep forward's input unchanged until backward");
    state_ = State::kDone;
  }

  /// The same checks for a layer whose backward needs no input (embeddings, losses).
  void check_once(std::string_view layer) {
    require_ready(layer);
    state_ = State::kDone;
  }

 private:
  void require_ready(std::string_view layer) const {
    EF_CHECK(state_ != State::kNone, layer << ": backward before any forward");
    EF_CHECK(state_ != State::kNoBackward,
             layer << ": backward after a forward that keeps nothing for it (generation with a KV cache)");
    EF_CHECK(state_ != State::kDone, layer << ": backward twice after one forward (its gradients would be added "
                                              "twice); run forward again first");
  }

  enum class State { kNone, kReady, kNoBackward, kDone };
  State state_ = State::kNone;
  Index rows_ = 0, cols_ = 0;
  std::uint64_t fingerprint_ = 0;
};

}  // namespace eigenformer
