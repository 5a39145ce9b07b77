// llm.c's GPT-2 tokenizer file, read for decoding (Karpathy's llm.c, train_gpt2.py).
//
// Layout: 256 uint32 header, then the tokens.
//   header[0] = 20240328 (magic), [1] = version (1, or 2 which adds [3]),
//   [2] = vocab size, [3] = the end-of-text token's id (version 2)
//   then per token: a uint8 length (at least 1) and that many bytes
// It holds only each token's bytes (no merges), which is all decoding needs.
#pragma once

#include <string>
#include <vector>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

class LlmcTokenizer {
 public:
  static constexpr std::uint32_t kMagic = 20240328;

  static LlmcTokenizer load(const std::string& path) {
    BinaryReader in(path);
    std::uint32_t header[256];
    in.read_bytes(header, sizeof(header), "the 256-int header");
    EF_CHECK(header[0] == kMagic,
             "'" << path << "' is not an llm.c tokenizer (magic " << header[0] << ", expected " << kMagic << ")");
    EF_CHECK(header[1] == 1 || header[1] == 2,
             "'" << path << "' has llm.c tokenizer version " << header[1] << "; versions 1 and 2 are read");
    const std::uint64_t vocab = header[2];
    EF_CHECK(vocab >= 1 && vocab <= in.remaining() / 2, "'" << path << "' declares " << vocab
                                                            << " tokens, more than its " << in.remaining()
                                                            << " remaining bytes can hold");
    LlmcTokenizer tokenizer;
    tokenizer.end_of_text_ = header[1] == 2 ? int(header[3]) : -1;
    EF_CHECK(tokenizer.end_of_text_ < int(vocab),
             "'" << path << "': end-of-text id " << header[3] << " is outside the vocabulary of " << vocab);
    for (std::uint64_t id = 0; id < vocab; ++id) {
      const auto length = in.read<std::uint8_t>("the length of token " + std::to_string(id));
      EF_CHECK(length > 0, "'" << path << "': token " << id << " has length 0");
      std::string bytes(length, '\0');
      in.read_bytes(bytes.data(), length, "the bytes of token " + std::to_string(id));
      tokenizer.tokens_.push_back(std::move(bytes));
    }
    return tokenizer;
  }

  Index vocab_size() const { return Index(tokens_.size()); }
  /// The end-of-text token's id, or -1 (a version 1 file does not say).
  int end_of_text() const { return end_of_text_; }

  std::string decode(const Tokens& tokens) const {
    std::string bytes;
    for (int id : tokens) {
      EF_CHECK(id >= 0 && id < vocab_size(),
               "token id " << id << " is outside the vocabulary [0, " << vocab_size() << ")");
      bytes += tokens_[std::size_t(id)];
    }
    return bytes;
  }

 private:
  std::vector<std::string> tokens_;
  int end_of_text_ = -1;
};

}  // namespace eigenformer
