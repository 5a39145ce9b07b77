// A stream of tokens for language modelling, split into training and validation parts.
//
// A batch takes B random windows of T+1 consecutive tokens: the first T are the
// inputs and the last T the targets, so position t learns to predict token t+1.
// The validation part is the stream's tail, never seen in training: its loss tells
// whether the model learned the language or memorized the text.
#pragma once

#include <span>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/data/token_windows.hpp"

namespace eigenformer {

class TokenDataset {
 public:
  enum class Split { kTrain, kValidation };

  /// The last `validation_fraction` of the tokens is held out for validation.
  TokenDataset(Tokens tokens, double validation_fraction) : tokens_(std::move(tokens)) {
    EF_CHECK(validation_fraction >= 0 && validation_fraction < 1,
             "validation_fraction must be in [0, 1), got " << validation_fraction);
    boundary_ = Index(double(tokens_.size()) * (1 - validation_fraction));
  }

  Index size(Split split) const { return split == Split::kTrain ? boundary_ : Index(tokens_.size()) - boundary_; }

  /// `count` batches drawn once from `seed`: a fixed evaluation set (train/evaluate.hpp), the
  /// same windows at every evaluation, so that changes in its loss are the model's.
  std::vector<Batch> fixed_batches(Index count, Index batch_size, Index time, std::uint64_t seed,
                                   Split split = Split::kValidation) const {
    Rng rng(seed);
    std::vector<Batch> batches;
    for (Index i = 0; i < count; ++i) batches.push_back(batch(batch_size, time, rng, split));
    return batches;
  }

  Batch batch(Index batch_size, Index time, Rng& rng, Split split = Split::kTrain) const {
    const std::span<const int> all(tokens_);
    const auto part = split == Split::kTrain ? all.first(std::size_t(boundary_)) : all.subspan(std::size_t(boundary_));
    EF_CHECK(Index(part.size()) > time, "the " << (split == Split::kTrain ? "training" : "validation") << " split has "
                                               << part.size() << " tokens, too few for windows of " << time + 1);
    return random_windows(part, batch_size, time, rng);
  }

 private:
  Tokens tokens_;
  Index boundary_ = 0;
};

}  // namespace eigenformer
