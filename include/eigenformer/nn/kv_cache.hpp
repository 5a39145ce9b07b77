// The KV cache: what generation keeps of the positions it has already seen.
//
// A new token's query must attend over the keys and values of every earlier
// position. Those never change once computed, so each attention layer appends its
// new keys and values here and reads the rest back: one position costs O(T) work
// instead of re-running the whole sequence (O(T^2)).
// Run state, not weights (llama2.c's RunState, nanochat's KVCache): the caller owns
// the cache and hands it to every forward that continues the same sequences.
//   layer l: keys, values (batch * block_size, width), row b * block_size + position
//   length:  positions cached so far, one count for every layer; the model advances it
//            once per forward, after every layer has appended.
// The positions are one model's: the cache remembers which model filled it, and another
// model continuing them (they would mean nothing to it) is an error until clear().
// Each attention sizes its own layer's matrices at the first forward (width C for
// multi-head attention; a variant may store fewer channels).
#pragma once

#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/types.hpp"
#include "eigenformer/nn/gpt_config.hpp"

namespace eigenformer {

template <class S>
class KVCache {
 public:
  /// One layer's part: its keys and values, and where the sequences stand.
  struct Layer {
    Matrix<S>& keys;    // (batch * block_size, width)
    Matrix<S>& values;  // (batch * block_size, width)
    Index batch, block_size;
    Index length;  // positions 0 .. length-1 are cached; new ones go after them
  };

  /// Empty, for `batch` sequences of a model built from `config`.
  KVCache(const GPTConfig& config, Index batch)
      : keys_(std::size_t(config.num_layers)),
        values_(std::size_t(config.num_layers)),
        batch_(batch),
        block_size_(config.block_size) {
    EF_CHECK(batch > 0, "a KV cache needs batch > 0, got " << batch);
  }

  Index num_layers() const { return Index(keys_.size()); }
  Index batch() const { return batch_; }
  Index block_size() const { return block_size_; }
  Index length() const { return length_; }

  Layer layer(Index l) {
    EF_CHECK(l >= 0 && l < num_layers(), "KV cache: layer " << l << " is outside [0, " << num_layers() << ")");
    return {keys_[std::size_t(l)], values_[std::size_t(l)], batch_, block_size_, length_};
  }

  /// Called by a model before it reads or extends the cache: the first model to fill it
  /// owns its positions until clear().
  void claim_for(const void* model) {
    if (length_ == 0) filled_by_ = model;
    EF_CHECK(filled_by_ == model, "this KV cache holds " << length_
                                                         << " positions of another model; clear() it "
                                                            "(or give this model a cache of its own) first");
  }

  /// After every layer appended `positions` new positions to each sequence.
  void advance(Index positions) {
    EF_CHECK(positions > 0 && length_ + positions <= block_size_,
             "KV cache: " << length_ << " + " << positions << " positions exceed the block size " << block_size_);
    length_ += positions;
  }

  /// Forgets every position: the next forward starts new sequences.
  void clear() { length_ = 0; }

 private:
  std::vector<Matrix<S>> keys_, values_;
  Index batch_, block_size_;
  Index length_ = 0;
  const void* filled_by_ = nullptr;  // the model whose positions these are
};

}  // namespace eigenformer
