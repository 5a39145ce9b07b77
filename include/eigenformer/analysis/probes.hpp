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
// - Head ablation: switch one head's output off and see what accuracy it costs.
#pragma once

#include <cmath>
#include <map>
#include <vector>

#include "eigenformer/data/batch.hpp"
#include "eigenformer/nn/cross_entropy.hpp"

namespace eigenformer {

/// Per-row outcome of one evaluation forward pass (rows with target -1 are skipped).
struct Predictions {
  Index batch = 0, time = 0;
  std::vector<double> loss;  // (B*T,), NaN where the target is -1
  std::vector<int> correct;  // (B*T,), 1 if the argmax is the target, -1 where the target is -1
};

/// Runs the model once in eval mode and scores every position's prediction.
template <class Model>
Predictions predict(Model& model, const Batch& batch) {
  model.set_training(false);
  model.forward(batch.tokens, batch.targets, batch.batch, batch.time);
  const auto& logits = model.logits();
  Predictions result{batch.batch, batch.time, {}, {}};
  for (Index n = 0; n < logits.rows(); ++n) {
    const int target = batch.targets[std::size_t(n)];
    result.loss.push_back(double(model.loss().row_losses()(n)));
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

/// Head h's attention map for sequence b after the last forward: (T, T), row i is
/// the distribution of position i over positions j <= i.
template <class Attention>
Matrix<typename Attention::Scalar> attention_map(const Attention& attention, Index b, Index h, Index time) {
  return attention.probabilities().middleRows((b * attention.num_heads() + h) * time, time);
}

struct HeadScores {
  Index layer = 0, head = 0;
  double previous_token = 0, prefix_matching = 0;
};

/// Previous-token and prefix-matching scores of every head, from one forward pass.
template <class Model>
std::vector<HeadScores> head_scores(Model& model, const Batch& batch) {
  predict(model, batch);
  const Index T = batch.time;
  const auto token = [&](Index b, Index t) { return batch.tokens[std::size_t(b * T + t)]; };
  std::vector<HeadScores> scores;
  for (Index layer = 0; layer < model.config().num_layers; ++layer) {
    const auto& attention = model.block(layer).attention();
    for (Index h = 0; h < attention.num_heads(); ++h) {
      HeadScores score{layer, h, 0, 0};
      Index previous_count = 0, prefix_count = 0;
      for (Index b = 0; b < batch.batch; ++b) {
        const auto map = attention.probabilities().middleRows((b * attention.num_heads() + h) * T, T);
        for (Index t = 1; t < T; ++t, ++previous_count) score.previous_token += double(map(t, t - 1));
        for (Index t = 1; t < T; ++t) {
          double matched = 0;
          bool any = false;
          for (Index j = 1; j <= t; ++j)
            if (token(b, j - 1) == token(b, t) && j - 1 < t) matched += double(map(t, j)), any = true;
          if (any) score.prefix_matching += matched, ++prefix_count;
        }
      }
      score.previous_token /= double(std::max<Index>(previous_count, 1));
      score.prefix_matching /= double(std::max<Index>(prefix_count, 1));
      scores.push_back(score);
    }
  }
  return scores;
}

}  // namespace eigenformer
