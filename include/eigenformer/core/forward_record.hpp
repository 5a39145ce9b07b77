// What a layer remembers of its last forward, so that every misuse of backward is an error.
//
// backward(x, dy) is handed the input x of its forward (as llm.c's
// matmul_backward(..., inp, ...) is): the caller keeps x, and the call shows it.
// Three mistakes would still give a wrong gradient without a word, so backward checks:
//   - x is not the x forward saw: reassigned (`x = layer.forward(x)` overwrites it),
//     changed, or another matrix. Forward keeps a fingerprint of x's bits and backward
//     compares: any single changed number is always caught (each lane below is a
//     polynomial in odd K, so one changed term changes it), several at once all but
//     2^-32 of the time. It runs at memory speed: 4.5 us for a 2048x64 float matrix,
//     where a Linear's product with a 64x64 weight takes ~200 us;
//   - backward twice for one forward: the parameters' gradients would be added twice;
//   - backward before any forward, or after a forward that keeps nothing for it
//     (generation with a KV cache).
// The fingerprint is taken where the caller's data enters: a composite (an MLP, a block,
// a model) checks its own input in full, and the inputs it hands its sub-layers are its
// own private buffers, which no caller can change, so within it (CompositeScope) the
// sub-layers keep only the cheap checks. A training step of a GPT hashes nothing.
#pragma once

#include <bit>
#include <cstdint>
#include <exception>
#include <string_view>
#include <type_traits>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

/// A hash of every bit of x, position by position: equal fingerprints mean the same
/// numbers in the same places (but for a 2^-32 chance). 64 independent lanes keep the
/// multiplies from waiting on each other, so the loop runs at memory speed; the lanes
/// are then summed with a distinct odd weight each (a sum is order-free, so it
/// vectorizes too; a serial combine cost ~70 ns per call, a third of a generated
/// token's checks). A single changed number changes its lane by d != 0 and the hash by
/// d * weight != 0 (mod 2^64): always caught.
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
  std::uint64_t hash = std::uint64_t(x.rows()) * 0xD6E8FEB86659FD93ULL + std::uint64_t(x.cols());
  for (Index lane = 0; lane < kLanes; ++lane)  // weight 2 * (lane * golden ratio) + 1: odd, distinct
    hash += std::uint64_t(lanes[lane]) * ((std::uint64_t(lane + 1) * 0x9E3779B97F4A7C15ULL) | 1);
  return hash;
}

/// While one lives, a composite's forward or backward is running: the sub-layers it calls
/// skip their fingerprints (ComposedForward and ComposedBackward contain one; generation,
/// which keeps nothing for backward, opens one on its own).
class CompositeScope {
 public:
  CompositeScope() { ++depth(); }
  ~CompositeScope() { --depth(); }
  CompositeScope(const CompositeScope&) = delete;
  CompositeScope& operator=(const CompositeScope&) = delete;
  static bool active() { return depth() > 0; }

 private:
  static int& depth() {
    thread_local int nesting = 0;  // per thread: layers called from several threads each count their own
    return nesting;
  }
};

template <class S>
class ForwardRecord {
 public:
  /// At the end of a forward whose input was x: one backward may follow.
  void record(const Matrix<S>& x) {
    state_ = State::kReady;
    remember(x);
  }

  /// A composite's forward: x is fingerprinted as it enters (start), and one backward may
  /// follow once the forward finished (finish); a forward that threw leaves none.
  void start(const Matrix<S>& x) {
    state_ = State::kUnfinished;
    remember(x);
  }
  void finish() { state_ = State::kReady; }

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
    EF_CHECK(inside_composite_ == CompositeScope::active(),
             layer << ": backward called on its own, but its forward ran inside a composite layer: call the "
                      "composite's backward");
    EF_CHECK(
        inside_composite_ || fingerprint(x) == fingerprint_,
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
  void remember(const Matrix<S>& x) {
    rows_ = x.rows(), cols_ = x.cols();
    inside_composite_ = CompositeScope::active();
    if (!inside_composite_) fingerprint_ = fingerprint(x);
  }

  void require_ready(std::string_view layer) const {
    EF_CHECK(state_ != State::kNone, layer << ": backward before any forward");
    EF_CHECK(state_ != State::kUnfinished, layer << ": backward after a forward that did not finish (it threw)");
    EF_CHECK(state_ != State::kNoBackward,
             layer << ": backward after a forward that keeps nothing for it (generation with a KV cache)");
    EF_CHECK(state_ != State::kDone, layer << ": backward twice after one forward (its gradients would be added "
                                              "twice); run forward again first");
  }

  enum class State { kNone, kUnfinished, kReady, kNoBackward, kDone };
  State state_ = State::kNone;
  Index rows_ = 0, cols_ = 0;
  bool inside_composite_ = false;  // forward ran within a composite: no fingerprint was taken
  std::uint64_t fingerprint_ = 0;
};

/// The forward of a composite layer (an MLP, a block), for as long as it lives: the caller's
/// x is fingerprinted as it enters, the sub-layers inside skip theirs, and backward is
/// allowed once the forward returns. Its first line: `const ComposedForward scope(record_, x);`
template <class S>
class ComposedForward {
 public:
  ComposedForward(ForwardRecord<S>& record, const Matrix<S>& x)
      : record_((record.start(x), record)), exceptions_(std::uncaught_exceptions()) {}
  ~ComposedForward() {
    if (std::uncaught_exceptions() == exceptions_) record_.finish();
  }
  ComposedForward(const ComposedForward&) = delete;
  ComposedForward& operator=(const ComposedForward&) = delete;

 private:
  ForwardRecord<S>& record_;
  int exceptions_;
  CompositeScope scope_;  // opened after start(x) fingerprinted the caller's x
};

/// The backward of a composite layer: checks the caller's x in full, then the sub-layers'
/// backwards run inside it. Its first line: `const ComposedBackward scope(record_, x, name_);`
template <class S>
class ComposedBackward {
 public:
  ComposedBackward(ForwardRecord<S>& record, const Matrix<S>& x, std::string_view layer)
      : checked_((record.check(x, layer), true)) {}

 private:
  [[maybe_unused]] bool checked_;  // the caller's x, checked in full before...
  CompositeScope scope_;           // ...the sub-layers run inside the scope
};

}  // namespace eigenformer
