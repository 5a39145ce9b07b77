// llm.c's token data shards (dev/data/*.bin): a dataset already turned into tokens,
// read whole (read_token_shard) or mapped into memory where it lies (MappedTokenShard).
//
// Layout: 256 int32 header, then the tokens as uint16 (so vocabularies up to 65536).
//   header[0] = 20240520 (magic), [1] = 1 (version), [2] = number of tokens
#pragma once

#include <cstring>
#include <span>
#include <string>

#include "eigenformer/core/binary_file.hpp"
#include "eigenformer/core/os.hpp"
#include "eigenformer/core/types.hpp"

namespace eigenformer {

inline constexpr std::int32_t kTokenShardMagic = 20240520;

/// Throws unless `header` (the file's first 256 int32) is a version-1 shard's and declares
/// as many tokens as the `token_bytes` after it hold.
inline std::size_t check_token_shard_header(const std::string& path, const std::int32_t* header,
                                            std::uint64_t token_bytes) {
  EF_CHECK(header[0] == kTokenShardMagic, "'" << path << "' is not an llm.c token shard (magic " << header[0]
                                              << ", expected " << kTokenShardMagic << ")");
  EF_CHECK(header[1] == 1, "'" << path << "' has shard version " << header[1] << "; version 1 is read");
  EF_CHECK(header[2] >= 0 && std::uint64_t(header[2]) * 2 == token_bytes,
           "'" << path << "' declares " << header[2] << " tokens but holds " << token_bytes << " bytes of them");
  return std::size_t(header[2]);
}

/// The whole shard read into memory.
inline Tokens read_token_shard(const std::string& path) {
  BinaryReader in(path);
  std::int32_t header[256];
  in.read_bytes(header, sizeof(header), "the 256-int header");
  std::vector<std::uint16_t> raw(check_token_shard_header(path, header, in.remaining()));
  in.read_bytes(raw.data(), raw.size() * 2, "the tokens");
  return Tokens(raw.begin(), raw.end());
}

/// A shard left on disk and mapped into memory (core/os.hpp): tokens() reads them where
/// they lie, so a corpus of any size costs only the pages a batch touches
/// (data/token_windows.hpp cuts batches from the span).
class MappedTokenShard {
 public:
  explicit MappedTokenShard(const std::string& path) : file_(path) {
    constexpr std::size_t kHeaderBytes = 256 * sizeof(std::int32_t);
    EF_CHECK(file_.size() >= kHeaderBytes,
             "'" << path << "' is truncated: " << file_.size() << " bytes, less than a shard's 1024-byte header");
    std::int32_t header[256];
    std::memcpy(header, file_.data(), kHeaderBytes);
    const std::size_t count = check_token_shard_header(path, header, file_.size() - kHeaderBytes);
    // The tokens start 1024 bytes into a page-aligned mapping: aligned for uint16.
    tokens_ = {reinterpret_cast<const std::uint16_t*>(file_.data() + kHeaderBytes), count};
  }

  /// Valid while the shard lives: asking a temporary shard for its tokens does not compile
  /// (the span would point into pages unmapped at the end of the statement).
  std::span<const std::uint16_t> tokens() const& { return tokens_; }
  std::span<const std::uint16_t> tokens() const&& = delete;

 private:
  os::ReadOnlyMapping file_;
  std::span<const std::uint16_t> tokens_;
};

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
