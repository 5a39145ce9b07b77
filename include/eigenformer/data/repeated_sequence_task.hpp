// Repeated random sequences: the task on which induction heads form
// (Olsson et al., 2022, "In-context Learning and Induction Heads", arXiv:2209.11895).
//
// Each sequence is a random period of P distinct tokens, P ~ U{min_period..max_period},
// repeated to fill the context:   [a b c d e] [a b c d e] [a b c ...
// The first period is unpredictable; every later token is predictable, but only by
// looking back: find where the current token occurred before and copy what came next.
// A two-layer circuit does this: a previous-token head writes "what preceded me" into
// each position, and an induction head attends to the position after the earlier
// occurrence of the current token (prefix matching) and copies its token.
// The period varies so that no fixed positional offset can solve it.
#pragma once

#include <numeric>
#include <vector>

#include "eigenformer/core/rng.hpp"
#include "eigenformer/data/batch.hpp"

namespace eigenformer {

struct RepeatedSequenceTask {
  Index vocab_size = 64;
  Index length = 64;  // T, tokens per training sequence
  Index min_period = 8;
  Index max_period = 32;

  void validate() const {
    EF_CHECK(min_period >= 1 && min_period <= max_period && max_period <= vocab_size,
             "periods " << min_period << ".." << max_period << " must be distinct tokens from a vocabulary of "
                        << vocab_size);
    EF_CHECK(length >= 2 * max_period, "length " << length << " must hold two periods of up to " << max_period);
  }

  /// One sequence of length + 1 tokens (inputs plus the last target) and its period.
  Tokens sequence(Rng& rng, Index& period) const {
    period = min_period + rng.uniform_int(max_period - min_period + 1);
    std::vector<int> pool(static_cast<std::size_t>(vocab_size));
    std::iota(pool.begin(), pool.end(), 0);
    for (Index i = 0; i < period; ++i)  // the first `period` entries of a partial Fisher-Yates shuffle
      std::swap(pool[std::size_t(i)], pool[std::size_t(i + rng.uniform_int(vocab_size - i))]);
    Tokens tokens(static_cast<std::size_t>(length + 1));
    for (Index t = 0; t <= length; ++t) tokens[std::size_t(t)] = pool[std::size_t(t % period)];
    return tokens;
  }

  /// Training batch: position t predicts token t+1; -1 where that token is in the
  /// first period (a first occurrence: nothing to learn there).
  Batch batch(Index batch_size, Rng& rng) const {
    validate();
    Batch batch{{}, {}, batch_size, length};
    for (Index b = 0; b < batch_size; ++b) {
      Index period = 0;
      const Tokens tokens = sequence(rng, period);
      for (Index t = 0; t < length; ++t) {
        batch.tokens.push_back(tokens[std::size_t(t)]);
        batch.targets.push_back(t + 1 >= period ? tokens[std::size_t(t + 1)] : -1);
      }
    }
    return batch;
  }

  /// Evaluation batch: every next token is a target (first occurrences too), and
  /// periods[b] tells where sequence b starts repeating.
  Batch evaluation_batch(Index batch_size, Rng& rng, std::vector<Index>& periods) const {
    validate();
    Batch batch{{}, {}, batch_size, length};
    periods.assign(std::size_t(batch_size), 0);
    for (Index b = 0; b < batch_size; ++b) {
      const Tokens tokens = sequence(rng, periods[std::size_t(b)]);
      batch.tokens.insert(batch.tokens.end(), tokens.begin(), tokens.end() - 1);
      batch.targets.insert(batch.targets.end(), tokens.begin() + 1, tokens.end());
    }
    return batch;
  }

  /// How often the target of position t (token t+1) occurred before it: 0 in the first period.
  static Index earlier_occurrences(Index t, Index period) { return (t + 1) / period; }

  /// The no-repeat control: independent uniform tokens, so the past says nothing about
  /// the next token. A model that truly reads its context scores chance (1/V) here.
  Batch control_batch(Index batch_size, Rng& rng) const {
    Batch batch{{}, {}, batch_size, length};
    for (Index b = 0; b < batch_size; ++b) {
      Tokens tokens(static_cast<std::size_t>(length + 1));
      for (auto& token : tokens) token = int(rng.uniform_int(vocab_size));
      batch.tokens.insert(batch.tokens.end(), tokens.begin(), tokens.end() - 1);
      batch.targets.insert(batch.targets.end(), tokens.begin() + 1, tokens.end());
    }
    return batch;
  }
};

}  // namespace eigenformer
