// Probes: measuring what a trained model does, not just its loss.
//
// - Per-position loss and accuracy: in-context learning shows as loss that falls
//   with position, because later positions have more context to use.
// - ICL score (Olsson et al., 2022): mean loss late in the context minus mean loss
//   early; negative when the context helps.
// - Attention maps and two per-head scores (Olsson et al., 2022):
//     previous-token score: mean attention from position t to t-1
//     prefix-matching score: attention from t summed over every earlier position j
//       whose previous token equals the current token (tokens[j-1] == tokens[t]),
//       averaged over positions that have one: an induction head's signature
//     prefix matching by key position: the same, for queries with exactly one such j,
//       binned by where j lies, so a head that only reads part of the context shows
//       which part
// - Head ablation: switch one head's output off and see what accuracy it costs.
// - The probe input for a model trained on text: random tokens repeated
//   (repeated_random_tokens), where from the second copy on a token is predictable only
//   by finding its earlier occurrence, so prefix matching there is an induction head's.
#pragma once

#include <array>
#include <cmath>
#include <map>
#include <vector>

#include "eigenformer/core/batch.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/nn/cross_entropy.hpp"

namespace eigenformer {

/// Per-row outcome of one evaluation forward pass (rows with target -1 are skipped).
struct Predictions {
  Index batch = 0, time = 0;
  std::vector<double> loss;  // (B*T,), NaN where the target is -1
  std::vector<int> correct;  // (B*T,), 1 if the argmax is the target, -1 where the target is -1
};

/// Runs the model once by inference and scores every position's prediction.
template <class Model>
Predictions predict(const Model& model, const Batch& batch) {
  using S = typename Model::Scalar;
  const Matrix<S> logits = model.forward(batch.tokens, batch.batch, batch.time);
  typename CrossEntropy<S>::Saved loss;  // for each row's loss
  CrossEntropy<S>().forward(logits, batch.targets, loss);
  Predictions result{batch.batch, batch.time, {}, {}};
  for (Index n = 0; n < logits.rows(); ++n) {
    const int target = batch.targets[std::size_t(n)];
    result.loss.push_back(double(loss.row_losses(n)));
    Index best = 0;
    logits.row(n).maxCoeff(&best);
    result.correct.push_back(target < 0 ? -1 : int(best == target));
  }
  return result;
}

/// Fraction correct over the rows where keep(b, t) holds (and a target exists).
template <class Keep>
double accuracy(const Predictions& predictions, Keep&& keep) {
  Index right = 0, total = 0;
  for (Index b = 0; b < predictions.batch; ++b)
    for (Index t = 0; t < predictions.time; ++t) {
      const int correct = predictions.correct[std::size_t(b * predictions.time + t)];
      if (correct < 0 || !keep(b, t)) continue;
      right += correct;
      ++total;
    }
  return total > 0 ? double(right) / double(total) : std::nan("");
}

inline double accuracy(const Predictions& predictions) {
  return accuracy(predictions, [](Index, Index) { return true; });
}

/// Mean loss and accuracy at each position t, over the batch: (T,) each.
struct PositionCurves {
  std::vector<double> loss, accuracy;
};

inline PositionCurves per_position(const Predictions& predictions) {
  PositionCurves curves;
  for (Index t = 0; t < predictions.time; ++t) {
    double loss = 0;
    Index count = 0;
    for (Index b = 0; b < predictions.batch; ++b) {
      const double value = predictions.loss[std::size_t(b * predictions.time + t)];
      if (std::isnan(value)) continue;
      loss += value;
      ++count;
    }
    curves.loss.push_back(count > 0 ? loss / double(count) : std::nan(""));
    curves.accuracy.push_back(accuracy(predictions, [t](Index, Index position) { return position == t; }));
  }
  return curves;
}

/// Mean loss over positions [late_begin, late_end) minus over [early_begin, early_end).
inline double icl_score(const PositionCurves& curves, Index early_begin, Index early_end, Index late_begin,
                        Index late_end) {
  const auto mean = [&](Index begin, Index end) {
    double sum = 0;
    for (Index t = begin; t < end; ++t) sum += curves.loss[std::size_t(t)];
    return sum / double(end - begin);
  };
  return mean(late_begin, late_end) - mean(early_begin, early_end);
}

/// The activations of one training-style forward over `batch`, whose attention weights
/// probes read. A model with dropout is refused: its weights would be masked at random.
template <class Model>
typename Model::Activations record_activations(const Model& model, const Batch& batch) {
  EF_CHECK(model.config().dropout == 0, "probes read attention from a training forward, and this model has dropout "
                                            << model.config().dropout << ": its maps would be masked at random");
  typename Model::Activations activations;
  model.forward(batch.tokens, batch.targets, batch.batch, batch.time, activations);
  return activations;
}

/// Head h's attention map for sequence b, from an attention layer's saved state:
/// (T, T), row i is the distribution of position i over positions j <= i.
template <class AttentionSaved>
auto attention_map(const AttentionSaved& attention, Index b, Index h) {
  const Index T = attention.time, heads = attention.probabilities.rows() / (attention.batch * T);
  EF_CHECK(b >= 0 && b < attention.batch && h >= 0 && h < heads, "attention map ("
                                                                     << b << ", " << h << ") is outside the batch "
                                                                     << attention.batch << " and heads " << heads);
  return decltype(attention.probabilities)(attention.probabilities.middleRows((b * heads + h) * T, T));
}

struct HeadScores {
  Index layer = 0, head = 0;
  double previous_token = 0, prefix_matching = 0;
};

/// Calls visit(layer, head, b, map) with the (T, T) attention map of every head on
/// every sequence of `batch`, from one forward pass.
template <class Model, class Visit>
void for_each_attention_map(const Model& model, const Batch& batch, Visit&& visit) {
  const auto activations = record_activations(model, batch);
  const Index T = batch.time, H = model.config().num_heads;
  for (Index layer = 0; layer < model.config().num_layers; ++layer) {
    const auto& probabilities = activations.blocks[std::size_t(layer)].attention.probabilities;
    for (Index h = 0; h < H; ++h)
      for (Index b = 0; b < batch.batch; ++b) visit(layer, h, b, probabilities.middleRows((b * H + h) * T, T));
  }
}

/// The keys an induction head should attend to from query t of sequence b: every
/// j <= t whose previous token equals the current one (tokens[j-1] == tokens[t]).
inline std::vector<Index> prefix_matching_keys(const Batch& batch, Index b, Index t) {
  const auto token = [&](Index position) { return batch.tokens[std::size_t(b * batch.time + position)]; };
  std::vector<Index> keys;
  for (Index j = 1; j <= t; ++j)
    if (token(j - 1) == token(t)) keys.push_back(j);
  return keys;
}

/// B rows of T tokens: a random sequence of `period` tokens, each uniform in [first, end),
/// repeated to fill the row (Olsson et al., 2022, section 3.2); targets are the next tokens
/// (-1 after the last). The first copy is unpredictable; every later token is a copy.
inline Batch repeated_random_tokens(Index batch_size, Index time, Index period, int first, int end, Rng& rng) {
  EF_CHECK(batch_size > 0 && period > 0 && time > period && first >= 0 && end > first,
           "repeated random tokens need a batch, a period below the length "
               << time << " (got " << period << ") and tokens [first, end), got [" << first << ", " << end << ")");
  Batch batch{{}, {}, batch_size, time};
  for (Index b = 0; b < batch_size; ++b) {
    Tokens sequence;
    for (Index t = 0; t < period; ++t) sequence.push_back(first + int(rng.uniform_int(end - first)));
    for (Index t = 0; t < time; ++t) batch.tokens.push_back(sequence[std::size_t(t % period)]);
    for (Index t = 0; t < time; ++t)
      batch.targets.push_back(t + 1 < time ? sequence[std::size_t((t + 1) % period)] : -1);
  }
  return batch;
}

/// Previous-token and prefix-matching scores of every head, from one forward pass.
template <class Model>
std::vector<HeadScores> head_scores(const Model& model, const Batch& batch) {
  std::map<std::pair<Index, Index>, std::array<double, 4>> sums;  // previous, count, prefix, count
  for_each_attention_map(model, batch, [&](Index layer, Index h, Index b, const auto& map) {
    auto& sum = sums[{layer, h}];
    for (Index t = 1; t < batch.time; ++t) {
      sum[0] += double(map(t, t - 1)), sum[1] += 1;
      const std::vector<Index> keys = prefix_matching_keys(batch, b, t);
      if (keys.empty()) continue;
      for (Index j : keys) sum[2] += double(map(t, j));
      sum[3] += 1;
    }
  });
  std::vector<HeadScores> scores;
  scores.reserve(sums.size());
  for (const auto& [head, sum] : sums)
    scores.push_back({head.first, head.second, sum[0] / std::max(sum[1], 1.0), sum[2] / std::max(sum[3], 1.0)});
  return scores;
}

/// One head's prefix-matching score by key position: by_key_bin[k] is the attention
/// on the matching key j, for queries with exactly one, where j lies in
/// [k * bin_width, (k + 1) * bin_width); NaN for a bin no such query reaches.
struct PrefixMatchingProfile {
  Index layer = 0, head = 0;
  std::vector<double> by_key_bin;
};

template <class Model>
std::vector<PrefixMatchingProfile> prefix_matching_by_key_position(const Model& model, const Batch& batch,
                                                                   Index bin_width) {
  EF_CHECK(bin_width >= 1, "bin_width must be positive, got " << bin_width);
  const std::size_t bins = std::size_t((batch.time + bin_width - 1) / bin_width);
  std::map<std::pair<Index, Index>, std::pair<std::vector<double>, std::vector<double>>> sums;  // sum, count
  for_each_attention_map(model, batch, [&](Index layer, Index h, Index b, const auto& map) {
    auto& [sum, count] = sums[{layer, h}];
    sum.resize(bins), count.resize(bins);
    for (Index t = 1; t < batch.time; ++t) {
      const std::vector<Index> keys = prefix_matching_keys(batch, b, t);
      if (keys.size() != 1) continue;
      const std::size_t bin = std::size_t(keys[0] / bin_width);
      sum[bin] += double(map(t, keys[0]));
      count[bin] += 1;
    }
  });
  std::vector<PrefixMatchingProfile> profiles;
  for (const auto& [head, sum_count] : sums) {
    PrefixMatchingProfile profile{head.first, head.second, {}};
    for (std::size_t k = 0; k < bins; ++k)
      profile.by_key_bin.push_back(sum_count.second[k] > 0 ? sum_count.first[k] / sum_count.second[k] : std::nan(""));
    profiles.push_back(profile);
  }
  return profiles;
}

}  // namespace eigenformer
