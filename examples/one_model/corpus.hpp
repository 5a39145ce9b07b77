// Stage 0: the King James Bible as the model reads it, and its token files.
#pragma once

#include <chrono>
#include <cstdio>
#include <eigenformer/core/binary_file.hpp>
#include <eigenformer/data/bible.hpp>
#include <eigenformer/data/token_shard.hpp>
#include <eigenformer/text/bpe_tokenizer.hpp>
#include <eigenformer/text/chat_format.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "ranks.hpp"
#include "setup.hpp"

namespace examples::one_model {

struct Corpus {
  std::vector<Verse> verses;
  Tokens held_out;        // the six held-out books, verse lines in order
  std::string tokenizer;  // path of the tokenizer, trained on the training books only
};

/// Rank 0 makes (once) the tokenizer and the two token files in `out`.
inline void make_token_files(const std::vector<Verse>& verses, const Options& options, const Setup& setup) {
  const std::string tokenizer_path = options.out + "/tokenizer.bpe";
  if (std::filesystem::exists(tokenizer_path)) return;
  std::string training, held_out, often_read;
  for (const Verse& verse : verses) {
    (is_held_out_book(verse.book) ? held_out : training) += verse_line(verse);
    if (exposure_of(verse) == Exposure::kOften) often_read += verse_line(verse);
  }
  std::printf(
      "== The corpus: the King James Bible, 66 books, 31,102 verses, each behind its reference.\n"
      "   Held out of everything (tokenizer included):");
  for (const HeldOutBook& book : kHeldOutBooks) std::printf(" %s", book.name);
  std::printf(" (%.1f%% of the text)\n   The Gospel of %s is in the training text %d times, every other book once\n",
              100.0 * double(held_out.size()) / double(training.size() + held_out.size()), kOftenReadBook,
              kOftenReadCopies);
  const auto start = std::chrono::steady_clock::now();
  BPETokenizer tokenizer;
  tokenizer.train(training, setup.vocab);
  ChatTokens::add_to(tokenizer);  // for the stages after pretraining; never in the pretraining text
  for (int copy = 1; copy < kOftenReadCopies; ++copy)
    training += often_read;  // after the tokenizer: it reads each book once
  const Tokens training_tokens = tokenizer.encode_ordinary(training),
               held_out_tokens = tokenizer.encode_ordinary(held_out);
  std::printf("   BPE of %lld tokens (%.0f s): %zu training tokens, %zu held-out tokens, %.2f bytes a token\n",
              static_cast<long long>(setup.vocab),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), training_tokens.size(),
              held_out_tokens.size(), double(training.size()) / double(training_tokens.size()));
  write_token_shard(options.out + "/training.bin", training_tokens);
  write_token_shard(options.out + "/held_out.bin", held_out_tokens);
  tokenizer.save(tokenizer_path);  // last: its presence says the token files are complete
}

/// The verses, and the token files (made by rank 0 if this folder has none yet).
inline Corpus prepare_corpus(const Options& options, const Setup& setup, const Ranks& ranks) {
  Corpus corpus{read_bible(read_text_file(options.corpus, 64 << 20)), {}, options.out + "/tokenizer.bpe"};
  if (ranks.is_root()) make_token_files(corpus.verses, options, setup);
  ranks.wait_for_root();
  corpus.held_out = read_token_shard(options.out + "/held_out.bin");
  return corpus;
}

}  // namespace examples::one_model
