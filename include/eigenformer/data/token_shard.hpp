// llm.c's token data shards (dev/data/*.bin): a dataset already turned into tokens.
//
// Layout: 256 int32 header, then the tokens as uint16 (so vocabularies up to 65536).
//   header[0] = 20240520 (magic), [1] = 1 (version), [2] = number of tokens
#pragma once

#include <string>

#include "eigenformer/core/types.hpp"
#include "eigenformer/io/binary_file.hpp"

namespace eigenformer {

inline constexpr std::int32_t kTokenShardMagic = 20240520;

inline Tokens read_token_shard(const std::string& path) {
  BinaryReader in(path);
  std::int32_t header[256];
  in.read_bytes(header, sizeof(header), "the 256-int header");
  EF_CHECK(header[0] == kTokenShardMagic, "'" << path << "' is not an llm.c token shard (magic " << header[0]
                                              << ", expected " << kTokenShardMagic << ")");
  EF_CHECK(header[1] == 1, "'" << path << "' has shard version " << header[1] << "; version 1 is read");
  EF_CHECK(header[2] >= 0 && std::uint64_t(header[2]) * 2 == in.remaining(),
           "'" << path << "' declares " << header[2] << " tokens but holds " << in.remaining() << " bytes of them");
  std::vector<std::uint16_t> raw(static_cast<std::size_t>(header[2]));
  in.read_bytes(raw.data(), raw.size() * 2, "the tokens");
  return Tokens(raw.begin(), raw.end());
}

inline void write_token_shard(const std::string& path, const Tokens& tokens) {
  EF_CHECK(tokens.size() <= 0x7FFFFFFF, "a shard holds at most 2^31-1 tokens, got " << tokens.size());
  std::int32_t header[256] = {kTokenShardMagic, 1, std::int32_t(tokens.size())};
  std::vector<std::uint16_t> raw;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    EF_CHECK(tokens[i] >= 0 && tokens[i] < 65536,
             "token " << tokens[i] << " at position " << i << " does not fit a shard's uint16");
    raw.push_back(std::uint16_t(tokens[i]));
  }
  AtomicFileWriter out(path);
  out.write_bytes(header, sizeof(header));
  out.write_bytes(raw.data(), raw.size() * 2);
  out.commit();
}

}  // namespace eigenformer
