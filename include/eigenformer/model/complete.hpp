// Completing many prompts at once, each until an end token: how a tuned model is
// evaluated (hundreds of prompts, greedy or sampled, scored by exact match).
//
// Prompts of the same length go through the decode loop (decode.hpp) together, a
// sampler choosing every row's tokens until the end token. Prompts of different lengths
// go in separate batches, so no padding is needed and every row's logits are exactly
// those of generating it alone.
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>

#include "eigenformer/core/os.hpp"
#include "eigenformer/model/decode.hpp"
#include "eigenformer/model/sampler.hpp"

namespace eigenformer {

struct Completion {
  Tokens tokens;          // what the model wrote, up to and including the end token
  bool finished = false;  // the end token came within max_new_tokens and the block size
};

struct CompletionOptions {
  int end_token = -1;         // stop a row when it produces this token
  Index max_new_tokens = 64;  // and in any case after this many
  Index batch_size = 64;      // prompts completed together
  bool show_progress = false;
};

/// Completes every prompt; result i belongs to prompts[i]. The sampler draws for the
/// unfinished rows in order, so the same seed gives the same completions.
template <class Model>
std::vector<Completion> complete(const Model& model, const std::vector<Tokens>& prompts, Sampler& sampler,
                                 const CompletionOptions& options) {
  const Index block_size = model.config().block_size;
  EF_CHECK(options.end_token >= 0 && options.end_token < model.config().vocab_size,
           "end_token " << options.end_token << " is not a token of the vocabulary [0, " << model.config().vocab_size
                        << ")");
  EF_CHECK(options.max_new_tokens >= 1 && options.batch_size >= 1,
           "max_new_tokens and batch_size must be positive, got " << options.max_new_tokens << " and "
                                                                  << options.batch_size);
  std::map<Index, std::vector<std::size_t>> by_length;  // prompt length -> prompt indices
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const Index length = Index(prompts[i].size());
    EF_CHECK(length >= 1 && length < block_size,
             "prompt " << i << " has " << length << " tokens; a completion needs 1 to " << block_size - 1);
    by_length[length].push_back(i);
  }
  std::vector<Completion> completions(prompts.size());
  std::size_t done = 0;
  for (const auto& [length, indices] : by_length)
    for (std::size_t first = 0; first < indices.size(); first += std::size_t(options.batch_size)) {
      const std::vector<std::size_t> rows(
          indices.begin() + std::ptrdiff_t(first),
          indices.begin() + std::ptrdiff_t(std::min(first + std::size_t(options.batch_size), indices.size())));
      const Index B = Index(rows.size());
      Tokens batch;
      for (std::size_t row : rows) batch.insert(batch.end(), prompts[row].begin(), prompts[row].end());
      decode(model, batch, B, length, options.max_new_tokens, AtBlockSize::kStop, [&](Index b, const auto& logits) {
        Completion& completion = completions[rows[std::size_t(b)]];
        completion.tokens.push_back(sampler.sample(logits));
        completion.finished = completion.tokens.back() == options.end_token;
        return Choice{completion.tokens.back(), completion.finished};
      });
      done += rows.size();
      if (options.show_progress)
        std::printf(os::is_terminal(stdout) ? "\rcompleted %zu/%zu prompts" : "completed %zu/%zu prompts\n", done,
                    prompts.size());
    }
  if (options.show_progress && os::is_terminal(stdout)) std::printf("\n");
  return completions;
}

}  // namespace eigenformer
