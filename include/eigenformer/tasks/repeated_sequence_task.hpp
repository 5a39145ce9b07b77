// Repeated random sequences: the task on which induction heads form
// (Olsson et al., 2022, "In-context Learning and Induction Heads", arXiv:2209.11895).
//
// A sequence holds runs: a segment of P distinct tokens, P ~ U{min_period..max_period},
// repeated at least twice; between and before runs, filler tokens that never recur:
//     [u v] [a b c a b c a b c] [d e f g h d e f g h d e ...      fillers, two runs
// A token is *copyable* once it repeats: find where the current token occurred before
// and copy what followed it. A two-layer circuit does this: a previous-token head
// writes "what preceded me" into each position, and an induction head attends to the
// position after the earlier occurrence of the current token (prefix matching) and
// copies its token. The period varies so that no fixed offset solves it.
//
// Why fillers and several runs: a model learns the cheapest rule its data allows.
// With one run from position 0 (Start::kAtZero, how this task began), the first
// occurrence always lies early in the context, and a model trained that way copies
// only from there: it learns "look in the first 32 positions", not "find the earlier
// occurrence". With runs that start anywhere (Start::kAnywhere), and later runs that
// bring first occurrences of long segments late in the context, only the general rule
// works. The flagship example trains both and shows the difference.
#pragma once

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/rng.hpp"

namespace eigenformer {

/// One repeated segment: P distinct tokens from `start`, repeated up to `end`
/// (exclusive, a position in the length + 1 tokens; the last copy may be cut short).
struct Run {
  Index start = 0, period = 1, end = 0;
};

/// Where a sequence's segments lie; every position outside them holds a filler token
/// that never recurs. Runs are in order and do not overlap.
struct SequenceLayout {
  std::vector<Run> runs;

  /// One segment from `start`, repeated to the end of a context of any length.
  static SequenceLayout one_run(Index start, Index period) {
    return {{{start, period, std::numeric_limits<Index>::max()}}};
  }

  /// Has the input token at position t occurred before, with its successor, so that
  /// copying predicts the next token? (Not at a run's last position: what follows a
  /// run is new.)
  bool copyable(Index t) const {
    for (const Run& run : runs)
      if (t >= run.start + run.period && t + 1 < run.end) return true;
    return false;
  }
  /// Position t holds the last token of a run's first copy: its next token (the
  /// segment's start) follows a token seen once, so no copying can predict it.
  bool boundary(Index t) const {
    for (const Run& run : runs)
      if (t == run.start + run.period - 1 && t + 1 < run.end) return true;
    return false;
  }
};

struct RepeatedSequenceTask {
  enum class Start { kAnywhere, kAtZero };

  Index vocab_size = 64;
  Index length = 64;  // T, tokens per training sequence
  Index min_period = 8;
  Index max_period = 32;
  Start start = Start::kAnywhere;

  void validate() const {
    EF_CHECK(min_period >= 1 && min_period <= max_period && max_period <= vocab_size,
             "periods " << min_period << ".." << max_period << " must be distinct tokens from a vocabulary of "
                        << vocab_size);
    EF_CHECK(length >= 2 * max_period, "length " << length << " must hold two periods of up to " << max_period);
  }

  /// The latest start of a run of this period: two copies must fit before the end.
  Index latest_start(Index period) const { return start == Start::kAtZero ? 0 : length + 1 - 2 * period; }

  /// One sequence of length + 1 tokens (inputs plus the last target) with a given layout.
  Tokens sequence(const SequenceLayout& layout, Rng& rng) const {
    validate();
    Index previous_end = 0;
    for (const Run& run : layout.runs) {
      EF_CHECK(run.period >= 1 && run.start >= previous_end && run.start + run.period <= length + 1 &&
                   std::min(run.end, length + 1) >= run.start + run.period,
               "a run from " << run.start << " with period " << run.period << " does not fit a length of " << length
                             << " after the previous run");
      previous_end = std::min(run.end, length + 1);
    }
    std::vector<int> pool(static_cast<std::size_t>(vocab_size));  // tokens in order of first use
    std::iota(pool.begin(), pool.end(), 0);
    Index used = 0;
    const auto fresh = [&] {  // the next step of a partial Fisher-Yates shuffle: a never-used token
      EF_CHECK(used < vocab_size, "a layout needs more than " << vocab_size << " distinct tokens");
      std::swap(pool[std::size_t(used)], pool[std::size_t(used + rng.uniform_int(vocab_size - used))]);
      return pool[std::size_t(used++)];
    };
    Tokens tokens(static_cast<std::size_t>(length + 1));
    std::size_t next_run = 0;
    for (Index t = 0; t <= length; ++t) {
      while (next_run < layout.runs.size() && std::min(layout.runs[next_run].end, length + 1) <= t) ++next_run;
      const Run* run =
          next_run < layout.runs.size() && layout.runs[next_run].start <= t ? &layout.runs[next_run] : nullptr;
      tokens[std::size_t(t)] = run && t >= run->start + run->period ? tokens[std::size_t(t - run->period)] : fresh();
    }
    return tokens;
  }

  /// A random layout. kAtZero: one run from 0 to the end, P ~ U{min..max}. kAnywhere:
  /// a first run that starts at 0 or (odds 1/2) at a uniform position where two copies
  /// of the shortest period fit; P uniform over the periods that fit; the run goes to
  /// the end or (odds 1/2) stops after a whole number of copies, and the next run
  /// starts there: so first occurrences lie anywhere, with long periods late too.
  SequenceLayout random_layout(Rng& rng) const {
    validate();
    SequenceLayout layout;
    Index begin =
        start == Start::kAnywhere && rng.uniform_int(2) == 1 ? rng.uniform_int(latest_start(min_period) + 1) : 0;
    while (begin <= latest_start(min_period)) {
      Index longest = min_period;
      while (longest < max_period && latest_start(longest + 1) >= begin) ++longest;
      const Index period = min_period + rng.uniform_int(longest - min_period + 1);
      const Index copies_that_fit = (length + 1 - begin) / period;
      const bool to_the_end = start == Start::kAtZero || rng.uniform_int(2) == 0;
      const Index end = to_the_end ? length + 1 : begin + period * (2 + rng.uniform_int(copies_that_fit - 1));
      layout.runs.push_back({begin, period, end});
      if (to_the_end) break;
      begin = end;
    }
    return layout;
  }

  /// Training batch: position t predicts token t+1; the target is -1 unless it is
  /// copyable (the fillers, the first copy and its boundary teach nothing but noise).
  Batch batch(Index batch_size, Rng& rng) const {
    Batch batch{{}, {}, batch_size, length};
    for (Index b = 0; b < batch_size; ++b) {
      const SequenceLayout layout = random_layout(rng);
      const Tokens tokens = sequence(layout, rng);
      for (Index t = 0; t < length; ++t) {
        batch.tokens.push_back(tokens[std::size_t(t)]);
        batch.targets.push_back(layout.copyable(t) ? tokens[std::size_t(t + 1)] : -1);
      }
    }
    return batch;
  }

  /// Evaluation batch: every next token is a target; layouts[b] says which are copyable.
  /// With `fixed`, every sequence has that layout (fresh tokens each); otherwise random.
  Batch evaluation_batch(Index batch_size, Rng& rng, std::vector<SequenceLayout>& layouts,
                         const SequenceLayout* fixed = nullptr) const {
    Batch batch{{}, {}, batch_size, length};
    layouts.clear();
    for (Index b = 0; b < batch_size; ++b) {
      layouts.push_back(fixed ? *fixed : random_layout(rng));
      const Tokens tokens = sequence(layouts.back(), rng);
      batch.tokens.insert(batch.tokens.end(), tokens.begin(), tokens.end() - 1);
      batch.targets.insert(batch.targets.end(), tokens.begin() + 1, tokens.end());
    }
    return batch;
  }

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
