// Batches cut from a stream of tokens, read where the tokens lie.
//
// A window of T+1 consecutive tokens gives T inputs and T targets, the same tokens one
// step on, so position t learns to predict token t+1:
//   tokens[s .. s+T-1] -> inputs (row b of the batch),  tokens[s+1 .. s+T] -> targets.
// Training draws B windows at random starts; evaluation tiles the held-out tokens with
// windows that do not overlap, so every held-out token is predicted once and the loss is
// the same number at every evaluation (a change in it is the model's, not the sample's).
// The tokens may be any integers in a span (a vector, or a memory-mapped token file:
// data/token_shard.hpp); only the B*T tokens of the batch are copied.
#pragma once

#include <algorithm>
#include <span>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/rng.hpp"

namespace eigenformer {

/// B windows of T+1 tokens at uniformly random starts: a (B, T) batch of inputs and targets.
template <class Token>
Batch random_windows(std::span<const Token> tokens, Index batch_size, Index time, Rng& rng) {
  EF_CHECK(batch_size > 0 && time > 0,
           "windows need a batch size and a length above 0, got " << batch_size << " and " << time);
  EF_CHECK(Index(tokens.size()) > time,
           "the stream has " << tokens.size() << " tokens, too few for windows of " << time + 1);
  Batch batch{{}, {}, batch_size, time};
  batch.tokens.reserve(std::size_t(batch_size * time));
  batch.targets.reserve(std::size_t(batch_size * time));
  for (Index b = 0; b < batch_size; ++b) {
    const auto window =
        tokens.subspan(std::size_t(rng.uniform_int(Index(tokens.size()) - time)), std::size_t(time + 1));
    batch.tokens.insert(batch.tokens.end(), window.begin(), window.end() - 1);
    batch.targets.insert(batch.targets.end(), window.begin() + 1, window.end());
  }
  return batch;
}

/// Every token after the first predicted once: windows starting at 0, T, 2T, ..., grouped
/// B to a batch (the last batch may have fewer rows; the last window's positions past the
/// end have target -1, which the loss skips). The fixed evaluation set of a held-out stream.
template <class Token>
std::vector<Batch> tiling_windows(std::span<const Token> tokens, Index batch_size, Index time) {
  EF_CHECK(batch_size > 0 && time > 0,
           "windows need a batch size and a length above 0, got " << batch_size << " and " << time);
  EF_CHECK(tokens.size() >= 2, "a held-out stream needs at least 2 tokens, got " << tokens.size());
  const Index predicted = Index(tokens.size()) - 1;  // every token but the first is a target once
  const Index windows = (predicted + time - 1) / time;
  std::vector<Batch> batches;
  for (Index first = 0; first < windows; first += batch_size) {
    const Index rows = std::min(batch_size, windows - first);
    Batch batch{Tokens(std::size_t(rows * time), 0), Tokens(std::size_t(rows * time), -1), rows, time};
    for (Index row = 0; row < rows; ++row)
      for (Index t = 0; t < time; ++t) {
        const Index position = (first + row) * time + t;  // the input's index in the stream
        if (position >= predicted) break;                 // past the end: input 0, target -1 (ignored)
        batch.tokens[std::size_t(row * time + t)] = int(tokens[std::size_t(position)]);
        batch.targets[std::size_t(row * time + t)] = int(tokens[std::size_t(position + 1)]);
      }
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace eigenformer
