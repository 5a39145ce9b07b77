// Stage 2, measured during stage 1: the probes of in-context learning at each checkpoint.
#pragma once

#include <eigenformer/analysis/probes.hpp>
#include <eigenformer/data/token_windows.hpp>
#include <eigenformer/model/gpt.hpp>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "setup.hpp"

namespace examples::one_model {

/// Fixed inputs of the probes: held-out windows and repeated random tokens.
struct Probes {
  std::vector<Batch> held_out;  // 4 x 32 windows of the held-out books: each position's loss over 128 texts
  Batch repeated;               // random tokens, a period of T/8 repeated 8 times
  Index period;
};

inline Probes make_probes(const Corpus& corpus, const Setup& setup, std::uint64_t seed) {
  Rng rng(seed * 7919 + 17);
  Probes probes{{}, {}, setup.time / 8};
  for (int i = 0; i < 4; ++i)
    probes.held_out.push_back(random_windows(std::span<const int>(corpus.held_out), 32, setup.time, rng));
  // Tokens made by merges only (ids from 256): every one occurs in the training text.
  probes.repeated = repeated_random_tokens(16, setup.time, probes.period, 256, int(setup.vocab), rng);
  return probes;
}

/// One row of emergence.csv: where the model stands at a step.
struct Emergence {
  double held_out_loss = 0, icl = 0, first_copy_loss = 0, repeat_loss = 0;
  HeadScores best;  // the head with the highest prefix-matching score
  PositionCurves positions;
};

/// Olsson's ICL score, scaled to this context: the mean loss over the last 10 positions
/// minus over positions [T/10 - 5, T/10 + 5) (their 500th token against their 50th, of 512).
inline double icl_score_of(const PositionCurves& curves, Index time) {
  return icl_score(curves, time / 10 - 5, time / 10 + 5, time - 10, time);
}

inline double mean_over(const std::vector<double>& values, std::size_t begin, std::size_t end) {
  return std::accumulate(values.begin() + std::ptrdiff_t(begin), values.begin() + std::ptrdiff_t(end), 0.0) /
         double(end - begin);
}

inline Emergence measure(const GPT<float>& model, const Probes& probes) {
  Emergence e;
  const Index T = probes.repeated.time;
  e.positions.loss.assign(std::size_t(T), 0.0);
  for (const Batch& batch : probes.held_out) {  // every window is whole: each position averages the same texts
    const std::vector<double> loss = per_position(predict(model, batch)).loss;
    for (Index t = 0; t < T; ++t)
      e.positions.loss[std::size_t(t)] += loss[std::size_t(t)] / double(probes.held_out.size());
  }
  e.held_out_loss = mean_over(e.positions.loss, 0, std::size_t(T));
  e.icl = icl_score_of(e.positions, T);
  const PositionCurves repeated = per_position(predict(model, probes.repeated));
  // Targets at t < period - 1 are the first copy's own tokens: nothing predicts them.
  e.first_copy_loss = mean_over(repeated.loss, 0, std::size_t(probes.period - 1));
  e.repeat_loss = mean_over(repeated.loss, std::size_t(probes.period), std::size_t(T - 1));
  for (const HeadScores& head : head_scores(model, probes.repeated))
    if (head.prefix_matching > e.best.prefix_matching) e.best = head;
  return e;
}

inline const std::vector<std::string> kEmergenceColumns{"step",      "tokens",          "held_out_loss",
                                                        "icl_score", "best_prefix",     "best_layer",
                                                        "best_head", "first_copy_loss", "repeat_loss"};

struct EmergenceSummary {
  double first_icl = 0, last_icl = 0, last_prefix = 0;
  Index icl_jump_step = 0, prefix_jump_step = 0;  // the checkpoint after the largest change between two
};

inline EmergenceSummary summarize_emergence(const std::string& folder) {
  const std::string path = folder + "/emergence.csv";
  const std::vector<double> steps = csv_column(path, "step"), icl = csv_column(path, "icl_score"),
                            prefix = csv_column(path, "best_prefix");
  EF_CHECK(steps.size() >= 2, "'" << path << "' has fewer than two checkpoints");
  EmergenceSummary summary{icl.front(), icl.back(), prefix.back(), 0, 0};
  double largest_icl_drop = -1e9, largest_prefix_rise = -1e9;
  for (std::size_t i = 1; i < steps.size(); ++i) {
    if (icl[i - 1] - icl[i] > largest_icl_drop)
      largest_icl_drop = icl[i - 1] - icl[i], summary.icl_jump_step = Index(steps[i]);
    if (prefix[i] - prefix[i - 1] > largest_prefix_rise)
      largest_prefix_rise = prefix[i] - prefix[i - 1], summary.prefix_jump_step = Index(steps[i]);
  }
  return summary;
}

}  // namespace examples::one_model
