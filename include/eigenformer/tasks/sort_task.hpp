// Sorting as a sequence task: read a list, then write it sorted.
//
//   full sequence:  x_1 .. x_n  SEP  s_1 .. s_n        (s = sorted x; 2n+1 tokens)
//   inputs:         the first 2n tokens;  targets: the next token at each position,
//                   -1 on the list part (random, nothing to learn), s_1..s_n after SEP
// To write s_k the model must attend over the whole list and find the k-th
// smallest value: a small algorithm learned purely from examples.
#pragma once

#include <algorithm>

#include "eigenformer/analysis/proportion.hpp"
#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/model/generate.hpp"

namespace eigenformer {

struct SortTask {
  Index length = 6;       // n, values per list
  Index num_values = 10;  // values are 0 .. num_values-1; SEP is num_values

  Index vocab_size() const { return num_values + 1; }
  int separator() const { return int(num_values); }
  Index time() const { return 2 * length; }

  /// A random list, its separator, and its sorted copy (2n+1 tokens).
  Tokens example(Rng& rng) const {
    Tokens list(std::size_t(length), 0);
    for (auto& value : list) value = int(rng.uniform_int(num_values));
    Tokens sequence = list;
    sequence.push_back(separator());
    std::sort(list.begin(), list.end());
    sequence.insert(sequence.end(), list.begin(), list.end());
    return sequence;
  }

  Batch batch(Index batch_size, Rng& rng) const {
    Batch batch{{}, {}, batch_size, time()};
    for (Index b = 0; b < batch_size; ++b) {
      const Tokens sequence = example(rng);
      for (Index t = 0; t < time(); ++t) {
        batch.tokens.push_back(sequence[std::size_t(t)]);
        batch.targets.push_back(t >= length ? sequence[std::size_t(t + 1)] : -1);
      }
    }
    return batch;
  }

  /// How many of `count` fresh lists the model sorts exactly, writing greedily.
  template <class Model>
  Proportion accuracy(Model& model, Index count, Rng& rng) const {
    Sampler greedy = Sampler::greedy();
    Proportion sorted;
    for (Index i = 0; i < count; ++i) {
      const Tokens sequence = example(rng);
      const Tokens prompt(sequence.begin(), sequence.begin() + length + 1);
      sorted.add(generate(model, prompt, length, greedy) == sequence);
    }
    return sorted;
  }
};

}  // namespace eigenformer
