// Turning the model's logits for the next token into a choice.
//
//   temperature t: p = softmax(logits / t); t -> 0 is greedy (argmax), t > 1 flattens
//   top-k: keep only the k most likely tokens (Fan et al., 2018)
//   top-p: keep the smallest set of most likely tokens whose probability is >= p,
//          the "nucleus" (Holtzman et al., 2020)
// then renormalize what is kept and draw from it with the sampler's own seeded Rng:
// the same seed gives the same text.
#pragma once

#include <algorithm>
#include <numeric>
#include <vector>

#include "eigenformer/core/error.hpp"
#include "eigenformer/core/rng.hpp"
#include "eigenformer/core/types.hpp"
#include "eigenformer/nn/softmax.hpp"

namespace eigenformer {

struct SamplerOptions {
  double temperature = 1.0;  // 0: greedy
  Index top_k = 0;           // 0: no limit
  double top_p = 1.0;        // 1: no limit
  std::uint64_t seed = 1337;
};

class Sampler {
 public:
  explicit Sampler(SamplerOptions options = {}) : options_(options), rng_(options.seed) {
    EF_CHECK(options.temperature >= 0 && std::isfinite(options.temperature),
             "temperature must be finite and >= 0, got " << options.temperature);
    EF_CHECK(options.top_k >= 0, "top_k must be >= 0, got " << options.top_k);
    EF_CHECK(options.top_p > 0 && options.top_p <= 1, "top_p must be in (0, 1], got " << options.top_p);
  }

  static Sampler greedy() { return Sampler(SamplerOptions{0.0, 0, 1.0, 0}); }

  /// The probabilities actually sampled from, after temperature, top-k and top-p (V,).
  template <class Derived>
  std::vector<double> distribution(const Eigen::MatrixBase<Derived>& logits) const {
    const Index vocab = logits.size();
    EF_CHECK(vocab > 0, "cannot sample from an empty vocabulary");
    for (Index i = 0; i < vocab; ++i)  // NaN compares false with everything: it would pick an arbitrary token
      EF_CHECK(std::isfinite(double(logits(i))), "the logit of token " << i << " is " << double(logits(i))
                                                                       << ": a model that gives non-finite logits "
                                                                          "has diverged or is corrupt");
    std::vector<double> probabilities(std::size_t(vocab), 0.0);
    if (options_.temperature == 0) {  // greedy: all on the argmax (ties: the lower id); no sort needed
      Index best = 0;
      for (Index i = 1; i < vocab; ++i)
        if (logits(i) > logits(best)) best = i;
      probabilities[std::size_t(best)] = 1.0;
      return probabilities;
    }
    std::vector<int> order(std::size_t(vocab), 0);  // token ids, most likely first (ties: lower id first)
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return logits(a) > logits(b); });
    Eigen::Map<RowVector<double>> scaled(probabilities.data(), vocab);  // softmax(logits / t), in double
    for (Index i = 0; i < vocab; ++i) scaled(i) = double(logits(i));
    softmax_row(scaled, 1.0 / options_.temperature);
    const auto probability_of_rank = [&](Index rank) -> double& {
      return probabilities[std::size_t(order[std::size_t(rank)])];
    };
    const Index top_k = options_.top_k > 0 ? std::min(options_.top_k, vocab) : vocab;
    double top_k_mass = 0;  // top-k first, then the nucleus within what top-k kept
    for (Index rank = 0; rank < top_k; ++rank) top_k_mass += probability_of_rank(rank);
    double kept = 0;
    Index keep = 0;
    while (keep < top_k && (keep == 0 || kept < options_.top_p * top_k_mass)) kept += probability_of_rank(keep++);
    for (Index rank = keep; rank < vocab; ++rank) probability_of_rank(rank) = 0.0;
    for (auto& p : probabilities) p /= kept;
    return probabilities;
  }

  /// A token id drawn from the logits (V,).
  template <class Derived>
  int sample(const Eigen::MatrixBase<Derived>& logits) {
    const std::vector<double> probabilities = distribution(logits);
    double u = rng_.uniform();
    int last_possible = 0;
    for (std::size_t i = 0; i < probabilities.size(); ++i) {
      if (probabilities[i] == 0.0) continue;
      last_possible = int(i);
      if (u < probabilities[i]) return int(i);
      u -= probabilities[i];
    }
    return last_possible;  // u landed in rounding slack at the end
  }

 private:
  SamplerOptions options_;
  Rng rng_;
};

}  // namespace eigenformer
