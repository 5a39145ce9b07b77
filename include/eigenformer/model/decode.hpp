// The decode loop: predict, choose, append, repeat (autoregressive decoding), for a batch.
//
// B sequences whose prompts have one length go through the model together as (B, T),
// filling a KV cache the loop owns; then each step gives every row one token and runs
// (B, 1): one position's work per row, every row's logits exactly those of running it
// alone. generate, complete and the engine are this loop with different choosers, so
// one seed gives one stream through each.
//   choose(row, logits) -> {token, finished}   for each unfinished row, in row order
// A finished row is never asked again (no sampler draw for it); the batch moves
// together, so it is fed its last token and its outputs are dropped.
// When the context reaches the block size the loop either stops (kStop) or slides
// (kSlide): the cache is refilled from the last half block of every row's tokens (the
// model cannot see further back anyway), whose logits are then exactly those of a full
// forward over them.
#pragma once

#include <algorithm>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/nn/kv_cache.hpp"

namespace eigenformer {

/// One row's choice at one step.
struct Choice {
  int token;
  bool finished;  // the row asks for no more tokens
};

enum class AtBlockSize { kStop, kSlide };

/// Decodes `batch` rows of prompts (row-major (B, length)) for at most max_new_tokens
/// steps. Returns when every row is finished, after max_new_tokens, or at the block size
/// (kStop).
template <class Model, class Choose>
void decode(const Model& model, const Tokens& prompts, Index batch, Index length, Index max_new_tokens,
            AtBlockSize at_block_size, Choose&& choose) {
  using S = typename Model::Scalar;
  const Index block_size = model.config().block_size;
  EF_CHECK(batch >= 1 && length >= 1 && Index(prompts.size()) == batch * length,
           "decode: " << prompts.size() << " prompt tokens are not " << batch << " rows of " << length);
  EF_CHECK(length <= block_size, "decode: prompts of " << length << " tokens exceed the block size " << block_size);
  KVCache<S> cache(model.config(), batch);
  std::vector<Tokens> rows(static_cast<std::size_t>(batch));  // every row's tokens so far, for sliding
  for (Index b = 0; b < batch; ++b)
    rows[std::size_t(b)].assign(prompts.begin() + b * length, prompts.begin() + (b + 1) * length);
  Matrix<S> logits = model.forward(prompts, batch, length, cache);  // (B * length, V)
  Index rows_per_sequence = length;                                 // logits rows per sequence this step
  std::vector<bool> finished(std::size_t(batch), false);
  Tokens next(static_cast<std::size_t>(batch));
  for (Index step = 0; step < max_new_tokens; ++step) {
    bool all_finished = true;
    for (Index b = 0; b < batch; ++b) {
      const std::size_t row = std::size_t(b);
      if (!finished[row]) {
        const Choice choice = choose(b, logits.row((b + 1) * rows_per_sequence - 1));
        next[row] = choice.token;
        finished[row] = choice.finished;
      }
      rows[row].push_back(next[row]);
      all_finished = all_finished && finished[row];
    }
    if (all_finished || step + 1 == max_new_tokens) return;
    if (cache.length() < block_size) {
      logits = model.forward(next, batch, 1, cache);  // (B, V)
      rows_per_sequence = 1;
    } else if (at_block_size == AtBlockSize::kStop) {
      return;
    } else {  // slide: forward the last half block of every row into the emptied cache
      const Index keep = std::max<Index>(1, block_size / 2);
      Tokens context;
      for (const Tokens& tokens : rows) context.insert(context.end(), tokens.end() - keep, tokens.end());
      cache.clear();
      logits = model.forward(context, batch, keep, cache);
      rows_per_sequence = keep;
    }
  }
}

}  // namespace eigenformer
