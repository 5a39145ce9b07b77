// One forward, one backward: the guard every saved state carries.
//
// A layer's forward writes what its backward will read into a Saved value the caller
// holds, and issues that value's ticket last (a forward that throws leaves none). Backward
// spends the ticket first. So these are named errors, not silently wrong gradients:
//   - backward before any forward (the ticket was never issued);
//   - a second backward for one forward (the gradients would be added twice);
//   - backward with the saved state of another layer (same type, other weights).
// A ticket moves but does not copy: a copied saved state would allow two backwards.
// Reassigning or changing the input after forward cannot break backward at all: the
// saved state holds its own copy of whatever backward reads.
#pragma once

#include <string_view>

#include "eigenformer/core/error.hpp"

namespace eigenformer {

class BackwardTicket {
 public:
  BackwardTicket() = default;
  BackwardTicket(const BackwardTicket&) = delete;
  BackwardTicket& operator=(const BackwardTicket&) = delete;
  BackwardTicket(BackwardTicket&& other) noexcept : state_(other.state_), layer_(other.layer_) { other.state_ = kNone; }
  BackwardTicket& operator=(BackwardTicket&& other) noexcept {
    state_ = other.state_, layer_ = other.layer_;
    other.state_ = kNone;
    return *this;
  }

  /// First line of a forward: whatever the saved state held is no longer a finished forward.
  void clear() { state_ = kNone; }
  /// Last line of a forward by `layer`: one backward may follow.
  void issue(const void* layer) { state_ = kIssued, layer_ = layer; }
  /// First line of a backward by `layer` (named `name` in the error).
  void spend(const void* layer, std::string_view name) {
    EF_CHECK(state_ != kNone, name << ": backward before a forward (this saved state holds no finished forward)");
    EF_CHECK(state_ != kSpent, name << ": backward twice after one forward (its gradients would be added twice); "
                                       "run forward again first");
    EF_CHECK(layer_ == layer, name << ": backward with the saved state of another layer's forward");
    state_ = kSpent;
  }
  bool issued() const { return state_ == kIssued; }

 private:
  enum State { kNone, kIssued, kSpent };
  State state_ = kNone;
  const void* layer_ = nullptr;
};

}  // namespace eigenformer
