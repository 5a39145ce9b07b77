#include "test_helpers.hpp"

using namespace eigenformer;

namespace {
/// An llm.c tokenizer file (version 2) holding the given tokens.
std::vector<char> tokenizer_file(const std::vector<std::string>& tokens, std::uint32_t end_of_text) {
  std::vector<char> bytes(1024, 0);
  testing::poke<std::uint32_t>(bytes, 0, 20240328);
  testing::poke<std::uint32_t>(bytes, 4, 2);
  testing::poke<std::uint32_t>(bytes, 8, std::uint32_t(tokens.size()));
  testing::poke<std::uint32_t>(bytes, 12, end_of_text);
  for (const auto& token : tokens) {
    bytes.push_back(char(token.size()));
    bytes.insert(bytes.end(), token.begin(), token.end());
  }
  return bytes;
}
}  // namespace

TEST_CASE("llm.c tokenizer: decodes, bad files are clear errors") {
  const std::string path = testing::scratch_path("tokenizer.bin");
  const auto good = tokenizer_file({"Hello", ",", " world", "<|endoftext|>"}, 3);
  testing::write_file(path, good);
  const LlmcTokenizer tokenizer = LlmcTokenizer::load(path);
  CHECK(tokenizer.vocab_size() == 4);
  CHECK(tokenizer.end_of_text() == 3);
  CHECK(tokenizer.decode({0, 1, 2}) == "Hello, world");
  testing::require_error_mentions([&] { tokenizer.decode({4}); }, {"token id 4"});

  const auto load_bad = [&](std::vector<char> bytes, const std::vector<std::string>& fragments) {
    testing::write_file(path, bytes);
    testing::require_error_mentions([&] { LlmcTokenizer::load(path); }, fragments);
  };
  load_bad({good.begin(), good.end() - 3}, {"truncated", "token 3"});
  load_bad({good.begin(), good.begin() + 200}, {"truncated", "header"});
  auto bytes = good;
  testing::poke<std::uint32_t>(bytes, 0, 7);
  load_bad(bytes, {"not an llm.c tokenizer"});
  bytes = good;
  testing::poke<std::uint32_t>(bytes, 4, 9);
  load_bad(bytes, {"version 9"});
  bytes = good;
  testing::poke<std::uint32_t>(bytes, 8, 4000000000u);
  load_bad(bytes, {"declares 4000000000 tokens"});
  load_bad(tokenizer_file({"a", "b"}, 5), {"end-of-text id 5"});
}

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

TEST_CASE("TokenDataset: windows of inputs and next-token targets from each split") {
  Tokens stream(100);
  for (int i = 0; i < 100; ++i) stream[std::size_t(i)] = i;
  const TokenDataset dataset(stream, 0.2);
  CHECK(dataset.size(TokenDataset::Split::kTrain) == 80);
  Rng rng(1);
  const Batch train = dataset.batch(8, 5, rng);
  for (std::size_t n = 0; n < train.tokens.size(); ++n) {
    CHECK(train.targets[n] == train.tokens[n] + 1);
    CHECK(train.targets[n] < 80);
  }
  const Batch validation = dataset.batch(8, 5, rng, TokenDataset::Split::kValidation);
  for (int token : validation.tokens) CHECK(token >= 80);
  testing::require_error_mentions([&] { dataset.batch(1, 30, rng, TokenDataset::Split::kValidation); },
                                  {"validation split has 20 tokens"});
}
