// A stream of tokens for language modelling, split into training and validation parts.
//
// A batch takes B random windows of T+1 consecutive tokens: the first T are the
// inputs and the last T the targets, so position t learns to predict token t+1.
// The validation part is the stream's tail, never seen in training: its loss tells
// whether the model learned the language or memorized the text.
#pragma once

#include <vector>

#include "eigenformer/core/rng.hpp"
#include "eigenformer/data/batch.hpp"

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
    const Index begin = split == Split::kTrain ? 0 : boundary_;
    const Index available = size(split);
    EF_CHECK(available > time, "the " << (split == Split::kTrain ? "training" : "validation") << " split has "
                                      << available << " tokens, too few for windows of " << time + 1);
    Batch batch{{}, {}, batch_size, time};
    for (Index b = 0; b < batch_size; ++b) {
      const Index start = begin + rng.uniform_int(available - time);
      batch.tokens.insert(batch.tokens.end(), tokens_.begin() + start, tokens_.begin() + start + time);
      batch.targets.insert(batch.targets.end(), tokens_.begin() + start + 1, tokens_.begin() + start + time + 1);
    }
    return batch;
  }

 private:
  Tokens tokens_;
  Index boundary_ = 0;
};

}  // namespace eigenformer
