#include "test_helpers.hpp"

using namespace eigenformer;

TEST_CASE("Token shards: write, read back, bad files are errors") {
  const std::string path = testing::scratch_path("shard.bin");
  const Tokens tokens{0, 1, 50256, 65535, 7};
  write_token_shard(path, tokens);
  CHECK(read_token_shard(path) == tokens);
  testing::require_error_mentions([&] { write_token_shard(path, {1, 70000}); }, {"token 70000", "position 1"});
  CHECK(read_token_shard(path) == tokens);  // the failed write left the good file alone

  auto bytes = testing::read_file(path);
  testing::write_file(path, {bytes.begin(), bytes.end() - 1});
  testing::require_error_mentions([&] { read_token_shard(path); }, {"declares 5 tokens", "holds 9 bytes"});
  testing::poke<std::int32_t>(bytes, 0, 1234);
  testing::write_file(path, bytes);
  testing::require_error_mentions([&] { read_token_shard(path); }, {"not an llm.c token shard"});
  testing::poke<std::int32_t>(bytes, 0, kTokenShardMagic);
  testing::poke<std::int32_t>(bytes, 8, -3);
  testing::write_file(path, bytes);
  testing::require_error_mentions([&] { read_token_shard(path); }, {"declares -3 tokens"});
}

TEST_CASE("Token shards mapped into memory: the same tokens where they lie, bad files are errors") {
  const std::string path = testing::scratch_path("mapped.bin");
  const Tokens tokens{3, 1, 4, 1, 5, 9, 2, 6, 65535};
  write_token_shard(path, tokens);
  const MappedTokenShard shard(path);
  REQUIRE(shard.tokens().size() == tokens.size());
  CHECK(std::equal(shard.tokens().begin(), shard.tokens().end(), tokens.begin()));

  write_token_shard(path, {});
  const MappedTokenShard empty(path);
  CHECK(empty.tokens().empty());

  auto bytes = testing::read_file(path);
  testing::write_file(path, {bytes.begin(), bytes.begin() + 100});
  testing::require_error_mentions([&] { MappedTokenShard{path}; }, {"truncated", "100 bytes"});
  testing::poke<std::int32_t>(bytes, 8, 2);  // declares 2 tokens, holds none
  testing::write_file(path, bytes);
  testing::require_error_mentions([&] { MappedTokenShard{path}; }, {"declares 2 tokens", "holds 0 bytes"});
  testing::require_error_mentions([&] { MappedTokenShard{testing::scratch_path("missing.bin")}; }, {"cannot open"});
  testing::require_error_mentions([&] { MappedTokenShard{EIGENFORMER_SOURCE_DIR}; }, {"not a regular file"});
}
