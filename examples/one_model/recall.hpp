// Stage 3: closed-book recall of a verse from its reference.
#pragma once

#include <algorithm>
#include <eigenformer/analysis/proportion.hpp>
#include <eigenformer/analysis/text_similarity.hpp>
#include <eigenformer/data/bible.hpp>
#include <eigenformer/model/complete.hpp>
#include <eigenformer/model/generate.hpp>
#include <eigenformer/model/gpt.hpp>
#include <eigenformer/model/sampler.hpp>
#include <eigenformer/text/bpe_tokenizer.hpp>
#include <string>
#include <vector>

#include "setup.hpp"

namespace examples::one_model {

struct Recall {
  Proportion five_words;  // the verse's first five words written exactly
  Mean similarity;        // character similarity of the whole reply to the whole verse
};

/// The model's greedy reply to each reference alone, scored against its verse.
inline Recall recall(const GPT<float>& model, const BPETokenizer& tokenizer, const std::vector<const Verse*>& verses,
                     std::vector<std::string>* replies = nullptr) {
  const int newline = tokenizer.encode_ordinary("\n").front();
  std::vector<Tokens> prompts;
  prompts.reserve(verses.size());
  for (const Verse* verse : verses) prompts.push_back(tokenizer.encode_ordinary("\n" + verse->reference()));
  Sampler greedy = Sampler::greedy();
  CompletionOptions options;
  options.end_token = newline;
  options.max_new_tokens = std::min<Index>(128, model.config().block_size / 2);
  const std::vector<Completion> completions = complete(model, prompts, greedy, options);
  Recall result;
  std::vector<double> similarities;
  for (std::size_t i = 0; i < verses.size(); ++i) {
    Tokens text = completions[i].tokens;
    if (completions[i].finished) text.pop_back();  // the newline
    std::string reply = tokenizer.decode(text);
    if (!reply.empty() && reply.front() == ' ') reply.erase(0, 1);
    result.five_words.add(leading_words_matched(reply, verses[i]->text) >= 5);
    similarities.push_back(character_similarity(reply, verses[i]->text));
    if (replies) replies->push_back(reply);
  }
  result.similarity = mean_of(similarities);
  return result;
}

/// `count` verses drawn at random (seeded) from those pretraining read as often as `exposure`.
inline std::vector<const Verse*> sample_verses(const std::vector<Verse>& verses, Exposure exposure, Index count,
                                               std::uint64_t seed) {
  std::vector<const Verse*> pool;
  for (const Verse& verse : verses)
    if (exposure_of(verse) == exposure) pool.push_back(&verse);
  Rng rng(seed);
  shuffle(pool, rng);
  pool.resize(std::size_t(std::min<Index>(count, Index(pool.size()))));
  return pool;
}

/// The model's own words after a reference, sampled at temperature 0.8 from a fixed seed.
inline std::string sample_text(const GPT<float>& model, const BPETokenizer& tokenizer, const std::string& reference) {
  SamplerOptions options;
  options.temperature = 0.8;
  options.seed = 7;
  Sampler sampler(options);
  const Tokens prompt = tokenizer.encode_ordinary("\n" + reference);
  return reference + tokenizer.decode(generate(model, prompt, 60, sampler));
}

}  // namespace examples::one_model
